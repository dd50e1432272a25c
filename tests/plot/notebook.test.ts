/**
 * The charts fixture executed by the project kernel, exported by nbconvert (lab and classic
 * templates) and opened in Chromium: every chart drawn, nothing logged, nothing fetched, screenshots
 * under build/screenshots for the CI log.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDir, jupyterCommand, projectJupyterPath } from '../../src/paths';
import { launchChromium } from './browser';
import { copyFixture, ESCAPE_TITLE, EXPECTED_OUTPUTS, FIXTURE_FIGURES, summariseOutputs, type NotebookOutput } from './fixture';
import { exportHtml, inspectPage, type NbconvertTemplate } from './notebook-page';

/** Kernel start plus a first Chromium launch inside the kernel and eight short cells. */
const EXECUTE_TIMEOUT_MS = 240_000;
const PLOTLY_BANNER = 'plotly.js v4.1.2';

/** Runs the notebook in place with the project kernel (nbclient through nbconvert). */
function executeNotebook(notebook: string): void {
  const result = spawnSync(
    jupyterCommand(),
    ['nbconvert', '--to', 'notebook', '--execute', '--inplace', '--ExecutePreprocessor.timeout=180', notebook],
    { encoding: 'utf8', timeout: EXECUTE_TIMEOUT_MS, env: { ...process.env, JUPYTER_PATH: projectJupyterPath() } },
  );
  if (result.status !== 0) throw new Error(`executing ${notebook} failed (${result.status ?? result.signal}):\n${result.stderr}`);
}

describe('charts fixture executed by the project kernel and exported to HTML', () => {
  const dir = join(buildDir(), 'test-notebooks', 'plot', 'executed');
  let notebook = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    notebook = copyFixture(dir);
    executeNotebook(notebook);
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

  for (const template of ['lab', 'classic'] as NbconvertTemplate[]) {
    it(`draws every chart offline in nbconvert's ${template} template`, async () => {
      if (!browser) throw new Error('setup failed');
      const html = exportHtml(notebook, template, dir);
      const report = await inspectPage(browser, html, join(buildDir(), 'screenshots', `plot-notebook-${template}.png`));
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
