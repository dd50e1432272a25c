/**
 * The machine's processes as Linux's /proc shows them, read in one place: finding the kernels a
 * server left behind, and (in the tests) what a run or a hub started. Elsewhere than Linux the table
 * is empty, so callers fall back to what they can do without it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  readonly pid: number;
  /** The command line, its arguments separated by spaces. */
  readonly command: string;
  /** One-letter state from /proc/PID/stat (`R`, `S`, `Z` for exited and not yet reaped, …). */
  readonly state: string;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended while we looked, or is not ours to read
  }
}

/** Every process still running (exited ones waiting to be reaped are left out), this one excepted. */
export function listProcesses(): ProcessEntry[] {
  if (!existsSync('/proc')) return [];
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = readOrUndefined(`/proc/${name}/cmdline`);
    const stat = readOrUndefined(`/proc/${name}/stat`);
    if (cmdline === undefined || stat === undefined) continue;
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') continue;
    entries.push({ pid: Number(name), command: cmdline.split('\0').join(' ').trim(), state });
  }
  return entries;
}

/** The environment a process started with (`NAME=value` entries), or undefined when it cannot be read. */
export function environmentOf(pid: number): string[] | undefined {
  return readOrUndefined(`/proc/${pid}/environ`)?.split('\0');
}
