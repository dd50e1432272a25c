/**
 * Widgets where no widget manager runs: the headless runner saves a notebook whose interact cell shows
 * its controls as text and the figure for their starting values (with its static image), keeps the
 * widget state in the executed copy's metadata (valid against @jupyter-widgets/schema), and exports
 * a page that opens offline, fetching nothing, without errors; nbclient runs the same notebook with
 * no error output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotebooks } from '../../src/runner';
import type { CodeCell, Notebook } from '../../src/runner/types';
import { executeWithNbclient, kernelNotebook, outputMimeTypes } from '../notebook-fixtures';
import { launchChromium, watchPage } from '../plot/browser';
import { tempFolders } from '../temp-folders';

const schemas = require('@jupyter-widgets/schema') as { v2: { state: object } };
const validState = new Ajv({ strict: false }).compile(schemas.v2.state);

const folders = tempFolders('widgets-runner-');
let browser: Browser | undefined;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  folders.removeAll();
});

const NOTEBOOK = kernelNotebook([
  {
    id: 'controls',
    source: [
      "import { floatSlider, interact } from 'llm-price-lab/widgets';",
      "import { lineChart } from 'llm-price-lab/plot';",
      "const rent = floatSlider({ value: 2, min: 1, max: 4, description: 'GPU $/h' });",
      "await interact({ rent }, ({ rent }) => lineChart({ title: `Cost at ${rent} $/h`, x: { title: 'hours' }, y: { title: '$' }, series: [{ name: 'cost', x: [1, 10], y: [rent, rent * 10] }] }));",
    ].join('\n'),
  },
]);

describe('an interact cell where no widget manager runs', () => {
  it('is saved by the runner with its controls as text, the figure for the starting values, and the widget state', async () => {
    const dir = folders.make();
    const source = join(dir, 'calculator.ipynb');
    writeFileSync(source, JSON.stringify(NOTEBOOK));
    const report = await runNotebooks({ notebooks: [source], outputDir: join(dir, 'out'), jobs: 1 });
    const entry = report.notebooks[0]!;
    expect(entry.status).toBe('passed');
    const saved = JSON.parse(readFileSync(entry.outputNotebook!, 'utf8')) as Notebook;
    const cell = saved.cells[0] as CodeCell;
    expect(outputMimeTypes(cell)).toEqual([
      ['application/vnd.jupyter.widget-view+json', 'text/plain'],
      ['application/vnd.plotly.v1+json', 'image/png', 'text/html', 'text/plain'],
    ]);
    expect(cell.outputs[0]).toMatchObject({ data: { 'text/plain': 'GPU $/h: 2' } });
    expect(cell.outputs[1]).toMatchObject({ data: { 'text/plain': expect.stringContaining('Cost at 2 $/h') } });
    const state = (saved.metadata.widgets as Record<string, unknown>)['application/vnd.jupyter.widget-state+json'] as { state: Record<string, { model_name: string; state: Record<string, unknown> }> };
    expect(validState(state), JSON.stringify(validState.errors)).toBe(true);
    const models = Object.values(state.state);
    expect(models.find((m) => m.model_name === 'FloatSliderModel')?.state.value).toBe(2);
    const view = (cell.outputs[0] as { data: Record<string, { model_id: string }> }).data['application/vnd.jupyter.widget-view+json']!;
    expect(Object.keys(state.state)).toContain(view.model_id);
    // The page: no widget manager fetched from a CDN, nothing fetched at all, no error; the figure drawn.
    const html = readFileSync(entry.html!, 'utf8');
    expect(html).not.toMatch(/@jupyter-widgets\/html-manager|<script[^>]*src="https?:/);
    const page = await browser!.newPage();
    try {
      // Local files (the page, Debian's MathJax and RequireJS) are not the network.
      const watch = watchPage(page, ['file://']);
      await page.goto(`file://${entry.html}`, { waitUntil: 'load' });
      await page.waitForSelector('.js-plotly-plot', { timeout: 30_000 });
      expect(await page.textContent('body')).toContain('GPU $/h: 2');
      expect(watch.externalRequests).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.consoleErrors, watch.consoleErrors.join("\n")).toEqual([]);
    } finally {
      await page.close();
    }
  }, 240_000);

  it('runs under nbclient (jupyter nbconvert --execute) with no error output; nbclient keeps the figure in the output area', async () => {
    const dir = folders.make();
    const source = join(dir, 'calculator.ipynb');
    writeFileSync(source, JSON.stringify(NOTEBOOK));
    const executed = await executeWithNbclient(source, join(dir, 'executed.ipynb'));
    const cell = executed.cells[0] as CodeCell;
    expect(cell.outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))).toEqual([]);
    // nbclient follows the output area's capture as a widget manager does: the figure is the area's.
    expect(outputMimeTypes(cell)).toEqual([['application/vnd.jupyter.widget-view+json', 'text/plain']]);
    const state = (executed.metadata.widgets as Record<string, { state: Record<string, { model_name: string; state: { outputs?: Array<{ data: Record<string, unknown> }> } }> }>)['application/vnd.jupyter.widget-state+json']!;
    const area = Object.values(state.state).find((m) => m.model_name === 'OutputModel')!;
    expect(area.state.outputs?.map((o) => o.data['text/plain'])).toEqual([expect.stringContaining('Cost at 2 $/h')]);
  }, 240_000);
});
