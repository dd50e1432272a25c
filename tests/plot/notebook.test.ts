/**
 * The charts fixture executed by the runner with the project kernel, exported to HTML (the runner's
 * nbconvert lab page, and nbconvert's classic template) and opened in Chromium: every chart drawn,
 * nothing logged, nothing fetched, screenshots under build/screenshots for the CI log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDir } from '../../src/paths';
import { runNotebooks, type NotebookReport } from '../../src/runner';
import { launchChromium } from './browser';
import { copyFixture, ESCAPE_TITLE, EXPECTED_OUTPUTS, FIXTURE_FIGURES, summariseOutputs, type NotebookOutput } from './fixture';
import { exportHtml, inspectPage, type NbconvertTemplate } from './notebook-page';

/** Kernel start plus a first Chromium launch inside the kernel and eight short cells. */
const EXECUTE_TIMEOUT_MS = 240_000;
const PLOTLY_BANNER = 'plotly.js v4.1.2';

describe('charts fixture executed by the project kernel and exported to HTML', () => {
  const dir = join(buildDir(), 'test-notebooks', 'plot', 'executed');
  let run: NotebookReport | undefined;
  let notebook = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    const source = copyFixture(join(dir, 'source'));
    const result = await runNotebooks({ notebooks: [source], outputDir: join(dir, 'run'), jobs: 1, html: true, cellTimeout: 180 });
    run = result.notebooks[0];
    if (run?.status !== 'passed' || !run.outputNotebook) {
      throw new Error(`the runner did not pass the charts fixture: ${JSON.stringify(run, null, 2)}`);
    }
    notebook = run.outputNotebook;
    browser = await launchChromium();
  }, EXECUTE_TIMEOUT_MS + 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('each figure is one bundle; plotly.js is in exactly one output', () => {
    const executed = JSON.parse(readFileSync(notebook, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: NotebookOutput[] }> };
    expect(summariseOutputs(executed.cells)).toEqual(EXPECTED_OUTPUTS);
    const html = executed.cells.flatMap((cell) => cell.outputs ?? []).map((output) => [output.data?.['text/html'] ?? ''].flat().join(''));
    expect(html.filter((text) => text.includes(PLOTLY_BANNER))).toHaveLength(1);
    expect(html[0]).toContain(PLOTLY_BANNER); // the first chart carries it
  });

  it("the static images sent after each chart (as updates of its display id) are in the saved chart outputs", () => {
    const executed = JSON.parse(readFileSync(notebook, 'utf8')) as { cells: Array<{ cell_type: string; outputs?: NotebookOutput[] }> };
    const outputs = executed.cells.flatMap((cell) => cell.outputs ?? []);
    const pngs = outputs.map((output) => output.data?.['image/png']).filter((png): png is string => typeof png === 'string');
    expect(pngs).toHaveLength(FIXTURE_FIGURES - 1); // all but the figure left unrendered as a cell's value
    for (const png of pngs) {
      const bytes = Buffer.from(png, 'base64');
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // the PNG signature
      expect(bytes.readUInt32BE(16)).toBeGreaterThan(100); // IHDR width: a chart, not a placeholder
    }
    const texts = outputs.map((output) => [output.data?.['text/plain'] ?? ''].flat().join(''));
    expect(texts.filter((text) => text.includes('being drawn'))).toEqual([]);
  });

  for (const template of ['lab', 'classic'] as NbconvertTemplate[]) {
    it(`draws every chart offline in nbconvert's ${template} template`, async () => {
      if (!browser) throw new Error('setup failed');
      // The lab page is the runner's own export (what `npm start` writes); classic is exported here.
      const html = template === 'lab' ? run?.html : exportHtml(notebook, template, dir);
      if (!html) throw new Error(`the runner wrote no HTML page: ${run?.htmlError ?? 'no reason given'}`);
      const report = await inspectPage(browser, html, join(buildDir(), 'screenshots', `plot-notebook-${template}.png`));
      console.log(`charts fixture, ${template} template: ${report.plots.length} charts drawn; screenshot ${report.screenshot}`);
      expect(report.plots).toHaveLength(FIXTURE_FIGURES);
      for (const plot of report.plots) {
        expect(plot.svg, `chart ${plot.id}`).toBeGreaterThan(0);
        expect(plot.staticImages, `chart ${plot.id} still shows its static image`).toBe(0);
      }
      expect(report.titles).toContain(ESCAPE_TITLE);
      expect(report.dialogs).toEqual([]);
      expect(report.pageErrors).toEqual([]);
      expect(report.consoleErrors).toEqual([]);
      expect(report.externalRequests).toEqual([]);
    });
  }
});
