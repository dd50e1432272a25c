/**
 * What the calculator cells of notebooks 01, 02 and 09 (src/show/calculators.ts) leave in a notebook
 * executed where no widget manager runs, and what their exported page does in a browser: shared by
 * the notebook tests (the headless runner) and the nbclient test.
 */
import Ajv from 'ajv';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import type { CodeCell, Notebook } from '../../src/runner/types';
import { outputMimeTypes } from '../notebook-fixtures';
import { inspectPage } from '../plot/notebook-page';

const VIEW = 'application/vnd.jupyter.widget-view+json';
const STATE = 'application/vnd.jupyter.widget-state+json';
const PLOTLY = 'application/vnd.plotly.v1+json';

/** How the chart title of each notebook's calculator starts (the rest is computed). */
export const CALCULATOR_TITLES = {
  '01-background': 'Breaks even at ',
  '02-core-concepts': 'Margin ',
  '09-faq': ' GPUs train it in ',
} as const;
export type CalculatorNotebook = keyof typeof CALCULATOR_TITLES;

const schemas = require('@jupyter-widgets/schema') as { v2: { state: object } };
const validState = new Ajv({ strict: false }).compile(schemas.v2.state);

type SavedState = { state: Record<string, { model_name: string; state: Record<string, unknown> }> };

/** The one code cell showing a widget, and the notebook's saved widget state (checked against the schema). */
function calculator(notebook: Notebook, name: CalculatorNotebook): { cell: CodeCell; state: SavedState } {
  const cells = notebook.cells.filter((c): c is CodeCell => c.cell_type === 'code' && c.outputs.some((o) => 'data' in o && VIEW in o.data));
  expect(cells, `${name}: one cell shows widgets`).toHaveLength(1);
  const state = (notebook.metadata.widgets as Record<string, unknown> | undefined)?.[STATE] as SavedState | undefined;
  expect(state, `${name}: the widget state is saved in the notebook's metadata`).toBeDefined();
  expect(validState(state), JSON.stringify(validState.errors)).toBe(true);
  const view = (cells[0]!.outputs[0] as { data: Record<string, { model_id: string }> }).data[VIEW]!;
  expect(Object.keys(state!.state), `${name}: the view's model is in the saved state`).toContain(view.model_id);
  return { cell: cells[0]!, state: state! };
}

function titled(text: unknown, name: CalculatorNotebook): void {
  const start = CALCULATOR_TITLES[name];
  expect(String(text), name).toMatch(new RegExp(`^Figure: ${start.startsWith(' ') ? '[\\d,]+' : ''}${start.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')}`));
}

/**
 * The headless runner's copy: the controls as text (each `description: value`), the chart for the
 * starting values with its static image as the cell's own output, then the sources line.
 */
export function expectCalculatorSavedHeadless(notebook: Notebook, name: CalculatorNotebook): void {
  const { cell, state } = calculator(notebook, name);
  expect(outputMimeTypes(cell), name).toEqual([
    [VIEW, 'text/plain'],
    [PLOTLY, 'image/png', 'text/html', 'text/plain'],
    ['text/markdown', 'text/plain'],
  ]);
  const [controls, figure, sources] = cell.outputs as Array<{ data: Record<string, unknown> }>;
  expect(String(controls!.data['text/plain']).split('\n').every((line) => /^[^:]+: \S/.test(line)), name).toBe(true);
  titled(figure!.data['text/plain'], name);
  expect(String(sources!.data['text/plain']), name).toMatch(/^Sources: \[1\] https:\/\//);
  // The saved sliders hold the values the cell states (the ones the chart was computed for).
  const lines = String(controls!.data['text/plain']).split('\n');
  const sliders = Object.values(state.state).filter((m) => m.model_name === 'FloatSliderModel' || m.model_name === 'IntSliderModel');
  expect(sliders.length, name).toBeGreaterThanOrEqual(2);
  for (const slider of sliders) expect(lines, name).toContain(`${String(slider.state.description)}: ${String(slider.state.value)}`);
}

/**
 * nbclient's copy: nbclient follows the output area's capture as a widget manager does, so the cell
 * keeps the controls' text and the sources, and the chart is in the output area's saved state.
 */
export function expectCalculatorSavedByNbclient(notebook: Notebook, name: CalculatorNotebook): void {
  const { cell, state } = calculator(notebook, name);
  expect(outputMimeTypes(cell), name).toEqual([
    [VIEW, 'text/plain'],
    ['text/markdown', 'text/plain'],
  ]);
  const area = Object.values(state.state).find((m) => m.model_name === 'OutputModel');
  const outputs = (area?.state.outputs ?? []) as Array<{ data: Record<string, unknown> }>;
  expect(outputs, name).toHaveLength(1);
  expect(Object.keys(outputs[0]!.data), name).toEqual(expect.arrayContaining([PLOTLY, 'text/plain']));
  titled(outputs[0]!.data['text/plain'], name);
}

/** Opens an exported page offline: every chart drawn, nothing fetched, nothing logged as an error. */
export async function expectPageOffline(browser: Browser, html: string, screenshot: string): Promise<void> {
  const report = await inspectPage(browser, html, screenshot);
  expect(report.plots.length, html).toBeGreaterThan(0);
  for (const plot of report.plots) expect(plot.svg, `${html}: chart ${plot.id}`).toBeGreaterThan(0);
  expect(report.externalRequests, html).toEqual([]);
  expect(report.pageErrors, html).toEqual([]);
  expect(report.consoleErrors, html).toEqual([]);
  expect(report.dialogs, html).toEqual([]);
}
