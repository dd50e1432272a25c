/**
 * The closest this platform gets to a person pressing "Run All": the classic Notebook UI (Debian's
 * notebook 6.4) in Chromium, the charts fixture opened with the project kernel, Cell → Run All
 * clicked, and the outputs and charts checked as the page shows them.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDir } from '../../src/paths';
import { launchChromium, watchPage } from './browser';
import { copyFixture, ESCAPE_TITLE, EXPECTED_OUTPUTS, FIXTURE_FIGURES, summariseOutputs, type NotebookOutput } from './fixture';
import { startNotebookServer, type NotebookServer } from './notebook-server';

/** Kernel start, first Chromium launch inside the kernel and eight cells: well under this. */
const RUN_ALL_TIMEOUT_MS = 240_000;

interface UiCell {
  cell_type: string;
  prompt: string | number | null;
  outputs: NotebookOutput[];
}

async function uiCells(page: Page): Promise<UiCell[]> {
  return page.evaluate(() => {
    type Cell = { cell_type: string; input_prompt_number?: string | number | null; output_area?: { outputs: NotebookOutput[] } };
    const jupyter = (window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } }).Jupyter;
    return jupyter.notebook.get_cells().map((cell) => ({
      cell_type: cell.cell_type,
      prompt: cell.input_prompt_number ?? null,
      outputs: cell.output_area?.outputs ?? [],
    }));
  });
}

describe('classic Notebook UI, Run All with the project kernel', () => {
  let server: NotebookServer | undefined;
  let browser: Browser | undefined;
  const dir = join(buildDir(), 'test-notebooks', 'plot', 'classic-ui');

  beforeAll(async () => {
    copyFixture(join(dir, 'notebooks'));
    server = await startNotebookServer(join(dir, 'notebooks'), join(dir, 'state'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it(
    'runs every cell and shows every chart',
    async () => {
      if (!server || !browser) throw new Error('setup failed');
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      try {
        const watch = watchPage(page, [server.baseUrl]);
        await page.goto(server.notebookUrl('charts.ipynb'));
        // The kernel named in the notebook has started and is idle.
        await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: 60_000 });
        await page.click('#celllink');
        await page.click('#run_all_cells');
        await page
          .waitForFunction(
            () => {
              type Cell = { cell_type: string; input_prompt_number?: string | number | null };
              const jupyter = (window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } }).Jupyter;
              const code = jupyter.notebook.get_cells().filter((cell) => cell.cell_type === 'code');
              // Done when the kernel is idle, nothing is queued ("In [*]") and the run has started;
              // Run All stops at the first failing cell, which the checks below then name.
              const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon');
              const queued = code.some((cell) => cell.input_prompt_number === '*');
              return Boolean(idle) && !queued && typeof code[0]?.input_prompt_number === 'number';
            },
            undefined,
            { timeout: RUN_ALL_TIMEOUT_MS, polling: 500 },
          )
          .catch(() => undefined); // reported below, cell by cell
        await page
          .waitForFunction((count) => document.querySelectorAll('.llm-price-lab-plot svg.main-svg').length >= count, FIXTURE_FIGURES, {
            timeout: 20_000,
          })
          .catch(() => undefined);

        const cells = await uiCells(page);
        const code = cells.filter((cell) => cell.cell_type === 'code');
        expect(summariseOutputs(code), server.log()).toEqual(EXPECTED_OUTPUTS);
        expect(code.map((cell) => typeof cell.prompt)).toEqual(code.map(() => 'number'));

        const plots = await page.evaluate(() =>
          Array.from(document.querySelectorAll('.llm-price-lab-plot')).map((div) => ({
            svg: div.querySelectorAll('svg.main-svg').length,
            title: div.querySelector('.gtitle')?.textContent ?? '',
          })),
        );
        expect(plots).toHaveLength(FIXTURE_FIGURES);
        // Cells are highlighted as TypeScript: the page found CodeMirror's TypeScript mode by the
        // kernel's codemirror_mode ('typescript').
        const mode = await page.evaluate(() => {
          type Cell = { cell_type: string; code_mirror: { getOption(name: string): unknown } };
          const jupyter = (window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } }).Jupyter;
          return jupyter.notebook.get_cells().find((cell) => cell.cell_type === 'code')?.code_mirror.getOption('mode');
        });
        expect(mode).toBe('application/typescript');
        for (const plot of plots) expect(plot.svg, plot.title).toBeGreaterThan(0);
        expect(plots.map((plot) => plot.title)).toContain(ESCAPE_TITLE);
        // The notebook scrolls inside the page: make the window as tall as the notebook to see it all.
        const height = await page.evaluate(() => document.getElementById('notebook')?.scrollHeight ?? 900);
        await page.setViewportSize({ width: 1200, height: Math.min(height + 150, 10_000) });
        const screenshot = join(buildDir(), 'screenshots', 'plot-classic-notebook-ui.png');
        await page.screenshot({ path: screenshot });
        console.log(`classic Notebook UI, Run All: ${plots.length} charts drawn; screenshot ${screenshot}`);

        expect(watch.dialogs).toEqual([]);
        expect(watch.pageErrors).toEqual([]);
        expect(watch.externalRequests).toEqual([]);
      } finally {
        await page.close();
      }
    },
    RUN_ALL_TIMEOUT_MS + 60_000,
  );
});
