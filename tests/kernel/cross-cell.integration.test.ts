/**
 * tests/fixtures/kernel/cross-cell.ipynb executed by the runner with the project kernel and injected
 * parameters: every cell that uses names of earlier cells (shorthand properties, destructuring
 * assignments, functions, classes, imports, template literals, arrows, top-level await, a `let`
 * assigned after the functions that read it) shows the injected values.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDir, projectRoot } from '../../src/paths';
import { runNotebooks, type NotebookReport } from '../../src/runner';

interface Cell {
  id: string;
  cell_type: string;
  outputs?: Array<{ output_type: string; data?: Record<string, string | string[]> }>;
}

/** Kernel start and seven short cells. */
const RUN_TIMEOUT_MS = 180_000;

describe('names of earlier cells, through the runner and the project kernel', () => {
  const dir = join(buildDir(), 'test-notebooks', 'kernel', 'cross-cell');
  let run: NotebookReport | undefined;
  let cells: Cell[] = [];

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'source'), { recursive: true });
    const source = join(dir, 'source', 'cross-cell.ipynb');
    copyFileSync(join(projectRoot(), 'tests', 'fixtures', 'kernel', 'cross-cell.ipynb'), source);
    const result = await runNotebooks({
      notebooks: [source],
      outputDir: join(dir, 'run'),
      jobs: 1,
      html: false,
      parameters: { minMmlu: 70, threshold: 0.25 },
    });
    run = result.notebooks[0];
    if (run?.outputNotebook) cells = (JSON.parse(readFileSync(run.outputNotebook, 'utf8')) as { cells: Cell[] }).cells;
  }, RUN_TIMEOUT_MS);

  const result = (id: string): string | undefined => {
    const output = cells.find((cell) => cell.id === id)?.outputs?.find((o) => o.output_type === 'execute_result');
    const text = output?.data?.['text/plain'];
    return Array.isArray(text) ? text.join('') : text;
  };

  it('runs every cell without an error', () => {
    expect(run?.status, JSON.stringify(run?.failingCell ?? run, null, 2)).toBe('passed');
    expect(cells.map((cell) => cell.id)).toContain('injected-parameters');
  });

  it('shows the injected values and earlier cells’ names in each result', () => {
    expect(result('shorthand')).toBe("{ minMmlu: 70, threshold: 0.25, file: 'models.csv' }");
    expect(result('destructure')).toBe('[ 1.5, 0.9 ]');
    expect(result('closures')).toBe("[ 'MMLU >= 70', true, false ]");
    expect(result('await')).toBe('{ minMmlu: 70, best: 1.5 }');
    // a function of the cell declaring `let best` sees the later assignment
    expect(result('live-let')).toBe('8');
  });
});
