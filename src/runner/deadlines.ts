/**
 * Deadlines: a per-cell timeout (default 10 minutes; `metadata.timeout` in seconds on a cell wins
 * over `--cell-timeout`) and an optional per-notebook timeout. Pure functions of their inputs.
 */
import type { Cell } from './types';

export const DEFAULT_CELL_TIMEOUT_S = 600;
/** After an interrupt, how long a cell may take to stop before its kernel counts as still busy (and is shut down with the notebook). */
export const INTERRUPT_GRACE_MS = 5_000;

export interface DeadlineOptions {
  /** Seconds per cell when the cell does not say (default 600). */
  cellTimeout?: number;
  /** Seconds for all of a notebook's cells, counted from when its kernel is ready (default: none). */
  notebookTimeout?: number;
}

export interface CellDeadline {
  /** Milliseconds the cell may run. */
  ms: number;
  /** Which deadline this is, for the failure message. */
  which: 'cell' | 'notebook';
  /** The deadline's configured length in seconds. */
  seconds: number;
}

/** A cell's own timeout from `metadata.timeout` (seconds, positive number), if any. */
export function cellTimeoutFromMetadata(cell: Cell): number | undefined {
  const value = cell.metadata.timeout;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The deadline that applies to a cell starting `elapsedMs` after the notebook started. */
export function cellDeadline(cell: Cell, options: DeadlineOptions, elapsedMs: number): CellDeadline {
  const cellSeconds = cellTimeoutFromMetadata(cell) ?? options.cellTimeout ?? DEFAULT_CELL_TIMEOUT_S;
  const cellMs = cellSeconds * 1000;
  if (options.notebookTimeout !== undefined) {
    const left = Math.max(0, options.notebookTimeout * 1000 - elapsedMs);
    if (left < cellMs) return { ms: left, which: 'notebook', seconds: options.notebookTimeout };
  }
  return { ms: cellMs, which: 'cell', seconds: cellSeconds };
}

/** The message written into the notebook and the report when a deadline passes. */
export function deadlineMessage(which: 'cell' | 'notebook', seconds: number, stillBusy: boolean): string {
  const what = which === 'cell' ? 'cell timeout' : 'notebook timeout';
  return `${what} of ${seconds} s passed; the kernel was interrupted${stillBusy ? ' and, still busy, shut down' : ''}`;
}
