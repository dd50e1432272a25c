import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jupyterCommand, projectRoot } from '../../src/paths';
import { isolatedJupyterEnv } from './jupyter-env';

interface CellOutput {
  output_type: string;
  execution_count?: number;
  data?: Record<string, unknown>;
  ename?: string;
  traceback?: string[];
}
interface Notebook {
  cells: Array<{ execution_count: number | null; outputs: CellOutput[] }>;
}

/** `jupyter nbconvert --execute` on tests/fixtures/kernel/outputs.ipynb, run from its own folder. */
describe('nbconvert --execute with the kernel', () => {
  const jupyter = isolatedJupyterEnv();
  const out = mkdtempSync(join(tmpdir(), 'kernel-nbconvert-'));
  afterAll(() => {
    jupyter.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  it('numbers cells, shows Out[n] results, displays and errors with tracebacks', () => {
    const fixture = join(projectRoot(), 'tests', 'fixtures', 'kernel', 'outputs.ipynb');
    const run = spawnSync(
      jupyterCommand(),
      ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--output-dir', out, fixture],
      { env: jupyter.env, encoding: 'utf8', timeout: 180_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const notebook = JSON.parse(readFileSync(join(out, 'outputs.ipynb'), 'utf8')) as Notebook;
    const cells = notebook.cells;
    // nbformat stores multi-line strings as lists of lines; join them back.
    for (const output of cells.flatMap((c) => c.outputs)) {
      for (const [mime, value] of Object.entries(output.data ?? {})) {
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) output.data![mime] = value.join('');
      }
    }
    expect(cells.map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(cells[1]!.outputs).toEqual([{ output_type: 'execute_result', execution_count: 2, data: { 'text/plain': '3' }, metadata: {} }]);
    expect(cells[2]!.outputs[0]).toMatchObject({ output_type: 'display_data', data: { 'text/plain': 'hello', 'text/html': '<b>hello</b>' } });
    expect(cells[3]!.outputs[0]).toMatchObject({ output_type: 'execute_result', execution_count: 4, data: { 'text/html': '<div>prices</div>', 'application/json': { points: 3 } } });
    const compile = cells[4]!.outputs[0]!;
    expect(compile).toMatchObject({ output_type: 'error', ename: 'TSError' });
    expect(compile.traceback?.[0]).toMatch(/^Cell In\[5\], line 1, column 7: error TS2322/);
    const thrown = cells[5]!.outputs[0]!;
    expect(thrown).toMatchObject({ output_type: 'error', ename: 'Error', evalue: 'cell failed on purpose' });
    expect(thrown.traceback).toContain('    at fail (Cell In[6], line 2)');
    expect(thrown.traceback).toContain('    at Cell In[6], line 4');
    // The update replaced the display in place.
    expect(cells[6]!.outputs).toEqual([expect.objectContaining({ output_type: 'display_data', data: { 'text/plain': 'step 2' } })]);
  }, 200_000);
});
