/**
 * Small notebooks made by tests for the project kernel, and nbclient (`jupyter nbconvert --to notebook
 * --execute`) run on a notebook with the project kernelspec in reach.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { promisify } from 'node:util';
import { jupyterCommand } from '../src/machine';
import { projectJupyterPath } from '../src/paths';
import type { Cell, CodeCell, Notebook, Output } from '../src/runner/types';

/** The project kernel as a notebook's metadata names it. */
export const KERNELSPEC = { name: 'llm-price-lab', display_name: 'TypeScript (llm-price-lab)', language: 'typescript' } as const;

export interface CellSpec {
  readonly id: string;
  readonly source: string | string[];
  /** A markdown cell; otherwise code. */
  readonly markdown?: boolean;
  /** Code cells: default none (never run). */
  readonly executionCount?: number | null;
  /** Code cells: default none. */
  readonly outputs?: Output[];
}

/** A notebook (nbformat 4.5) for the project kernel with `cells`, and `metadata` beside its kernelspec. */
export function kernelNotebook(cells: readonly CellSpec[], metadata: Record<string, unknown> = {}): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { ...KERNELSPEC }, ...metadata },
    cells: cells.map((c): Cell =>
      c.markdown
        ? { id: c.id, cell_type: 'markdown', metadata: {}, source: c.source }
        : { id: c.id, cell_type: 'code', metadata: {}, source: c.source, outputs: c.outputs ?? [], execution_count: c.executionCount ?? null },
    ),
  };
}

/** Each output of `cell` as its sorted MIME types (its output type where it has no data). */
export function outputMimeTypes(cell: CodeCell): string[][] {
  return cell.outputs.map((o) => ('data' in o ? Object.keys(o.data).sort() : [o.output_type]));
}

/**
 * Executes `source` with nbclient, as `jupyter nbconvert --to notebook --execute` does for a user,
 * with the project's kernelspec on `JUPYTER_PATH`, in the notebook's folder; writes `executed` (an
 * absolute path) and returns what it holds.
 */
export async function executeWithNbclient(source: string, executed: string, options: { timeoutSeconds?: number; env?: Record<string, string> } = {}): Promise<Notebook> {
  const env = { ...process.env, ...options.env, JUPYTER_PATH: [projectJupyterPath(), process.env.JUPYTER_PATH].filter(Boolean).join(delimiter) };
  const args = ['nbconvert', '--to', 'notebook', '--execute', source, '--output', executed, `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? 120}`];
  await promisify(execFile)(jupyterCommand(), args, { env, cwd: dirname(source), maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(readFileSync(executed, 'utf8')) as Notebook;
}
