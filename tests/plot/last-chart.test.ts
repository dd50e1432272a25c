/**
 * A chart drawn by a notebook's last cell keeps its image in every saved copy, although the kernel
 * ends a cell before the image is drawn for clients that follow display updates: the headless
 * runner waits for the kernel's pending output before its last request, and for nbclient (which
 * stops listening once a cell is idle, and does not allow input) the kernel delivers it within the cell.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNotebooks } from '../../src/runner';
import type { CodeCell, Notebook } from '../../src/runner/types';
import { executeWithNbclient, kernelNotebook, outputMimeTypes } from '../notebook-fixtures';
import { tempFolders } from '../temp-folders';

const folders = tempFolders('plot-last-chart-');
afterAll(() => folders.removeAll());

const NOTEBOOK = kernelNotebook([
  { id: 'import', source: "import { lineChart } from 'llm-price-lab/plot';" },
  { id: 'chart', source: "await lineChart({ title: 'Last', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1, 2], y: [2, 1] }] }).show();" },
]);

/** The MIME types of the last cell's outputs. */
function lastCellMimeTypes(path: string): string[][] {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as Notebook;
  return outputMimeTypes(nb.cells.at(-1) as CodeCell);
}

const WITH_IMAGE = ['application/vnd.plotly.v1+json', 'image/png', 'text/html', 'text/plain'];

describe('a chart in the last cell', () => {
  it("is saved with its image by the headless runner", async () => {
    const dir = folders.make();
    const source = join(dir, 'last-chart.ipynb');
    writeFileSync(source, JSON.stringify(NOTEBOOK));
    const report = await runNotebooks({ notebooks: [source], outputDir: join(dir, 'out'), html: false, jobs: 1 });
    expect(report.notebooks[0]?.status).toBe('passed');
    expect(lastCellMimeTypes(report.notebooks[0]!.outputNotebook!)).toEqual([WITH_IMAGE]);
  }, 180_000);

  it('is saved with its image by jupyter nbconvert --execute (nbclient)', async () => {
    const dir = folders.make();
    const source = join(dir, 'last-chart.ipynb');
    writeFileSync(source, JSON.stringify(NOTEBOOK));
    await executeWithNbclient(source, join(dir, 'executed.ipynb'));
    expect(lastCellMimeTypes(join(dir, 'executed.ipynb'))).toEqual([WITH_IMAGE]);
  }, 180_000);
});
