import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createCellRunner, type CellRunner } from '../../kernel/execution';

/**
 * A tslab cell runner for the enclosing `describe` block, in a fresh temporary folder (with a
 * package.json so module resolution stops there); closed and removed after the block.
 * Returns a getter, since the runner exists only once `beforeAll` has run.
 */
export function useCellRunner(prefix: string): () => CellRunner {
  let runner: CellRunner | undefined;
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    writeFileSync(join(dir, 'package.json'), '{}');
    runner = createCellRunner({ rootDir: dir, log: () => {} });
  });
  afterAll(() => {
    try {
      runner?.close();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
  return () => {
    if (!runner) throw new Error('useCellRunner: the runner is made in beforeAll; use it inside a test');
    return runner;
  };
}

/** Runs cells in order; each value is the cell's result, or `error: <evalue>` when it failed. */
export async function runCells(runner: CellRunner, cells: readonly string[]): Promise<unknown[]> {
  const values: unknown[] = [];
  for (const [index, code] of cells.entries()) {
    const outcome = await runner.run(code, `Cell In[${index + 1}]`);
    values.push(outcome.kind === 'ok' ? outcome.result?.value : `error: ${outcome.error.evalue}`);
  }
  return values;
}
