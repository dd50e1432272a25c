/** The charts fixture notebook and what executing it must produce. */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths';

export const FIXTURE_NOTEBOOK = join(projectRoot(), 'tests', 'fixtures', 'plot', 'charts.ipynb');

/** Seven charts: five `await showFigure`/`show()`, one awaited `render()` as the value, one plain value. */
export const FIXTURE_FIGURES = 7;
export const ESCAPE_TITLE = '</script><script>alert(1)</script>';

const PLOTLY = 'application/vnd.plotly.v1+json';
const WITH_IMAGE = [PLOTLY, 'image/png', 'text/html', 'text/plain'].sort();
const WITHOUT_IMAGE = [PLOTLY, 'text/html', 'text/plain'].sort();

/** What each code cell must output, in order: kinds of output and their MIME types. */
export const EXPECTED_OUTPUTS: ReadonlyArray<ReadonlyArray<{ output_type: string; mimeTypes: string[] }>> = [
  [], // imports
  [{ output_type: 'display_data', mimeTypes: WITH_IMAGE }],
  [{ output_type: 'display_data', mimeTypes: WITH_IMAGE }],
  [{ output_type: 'display_data', mimeTypes: WITH_IMAGE }],
  [{ output_type: 'display_data', mimeTypes: WITH_IMAGE }],
  [{ output_type: 'display_data', mimeTypes: WITH_IMAGE }],
  [{ output_type: 'execute_result', mimeTypes: WITH_IMAGE }],
  [{ output_type: 'execute_result', mimeTypes: WITHOUT_IMAGE }],
];

export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

/** The code cells' outputs summarised as in `EXPECTED_OUTPUTS`. */
export function summariseOutputs(cells: ReadonlyArray<{ cell_type: string; outputs?: NotebookOutput[] }>) {
  return cells
    .filter((cell) => cell.cell_type === 'code')
    .map((cell) =>
      (cell.outputs ?? []).map((output) =>
        output.data
          ? { output_type: output.output_type, mimeTypes: Object.keys(output.data).sort() }
          : { output_type: output.output_type, mimeTypes: [] as string[], text: [output.text ?? ''].flat().join('') },
      ),
    );
}

/** A fresh copy of the fixture in `dir` (so running it never changes the fixture). */
export function copyFixture(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, 'charts.ipynb');
  copyFileSync(FIXTURE_NOTEBOOK, copy);
  return copy;
}
