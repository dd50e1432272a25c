/**
 * The facts lock in a run: a notebook's summary (the last `application/json` object with a
 * `title` among its outputs) is compared with `<notebook>.facts.json` for the run's profile, and
 * every figure that moved beyond its tolerance is reported; with `refreshFacts` the lock takes the
 * run's values instead (after review). A moved figure does not fail the run: it is listed in the
 * console, report.json and the HTML index for a person to look at.
 */
import { existsSync, readFileSync } from 'node:fs';
import { compareFacts, FactsLockError, lockPathFor, readLock, refreshLock, writeLock } from '../facts';
import { SUMMARY_MIME } from '../show/summary';
import type { Notebook, NotebookFacts } from './types';

/** The values of the notebook's summary output, if it has one. */
export function summaryValues(notebook: Notebook): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  for (const cell of notebook.cells) {
    if (cell.cell_type !== 'code') continue;
    for (const output of cell.outputs) {
      if (output.output_type !== 'display_data' && output.output_type !== 'execute_result') continue;
      const data = output.data[SUMMARY_MIME];
      if (typeof data === 'object' && data !== null && !Array.isArray(data) && typeof (data as { title?: unknown }).title === 'string') {
        const { title: _title, ...values } = data as Record<string, unknown>;
        found = values;
      }
    }
  }
  return found;
}

/** Compares (or refreshes) the lock of the notebook at `sourcePath` with its executed copy; undefined when it has no summary or no lock file. */
export function checkFacts(sourcePath: string, executed: Notebook, profile: string, refresh: boolean): NotebookFacts | undefined {
  const values = summaryValues(executed);
  if (values === undefined) return undefined;
  const lockFile = lockPathFor(sourcePath);
  // A notebook without a lock file is not locked (yet): nothing to compare, unless asked to make one.
  if (!refresh && !existsSync(lockFile)) return undefined;
  try {
    const lock = readLock(lockFile);
    if (refresh) {
      writeLock(lockFile, { ...lock, [profile]: refreshLock(values, lock[profile]) });
      return { profile, lockFile, movements: [], refreshed: true };
    }
    const locked = lock[profile];
    if (locked === undefined) return { profile, lockFile, movements: [], refreshed: false, error: `no "${profile}" profile in the lock: refresh it with --refresh-facts after review` };
    return { profile, lockFile, movements: compareFacts(values, locked), refreshed: false };
  } catch (error) {
    if (!(error instanceof FactsLockError)) throw error;
    return { profile, lockFile, movements: [], refreshed: false, error: error.message };
  }
}

/** `checkFacts` on the executed copy written at `executedPath`. */
export function checkFactsOfFile(sourcePath: string, executedPath: string, profile: string, refresh: boolean): NotebookFacts | undefined {
  return checkFacts(sourcePath, JSON.parse(readFileSync(executedPath, 'utf8')) as Notebook, profile, refresh);
}
