/**
 * Shared pieces of the fault-injection suite: tiny generated notebooks, the compiled CLI run as a
 * child process in its own process group, and a `ps`-based check that nothing it started remains.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { validateNotebook } from '../../src/runner/notebook';
import type { Notebook, RunReport } from '../../src/runner/types';
import { tempFolders } from '../temp-folders';
import { kernelNotebook } from '../notebook-fixtures';

export const BIN = join(__dirname, '..', '..', 'dist', 'src', 'runner', 'bin.js');

const folders = tempFolders('faults-');

/** A new folder `<tmpdir>/faults-<label>-XXXXXX`, removed by `removeTmpFolders()`. */
export const tmp = (label: string): string => folders.make(label);

/** Removes every folder `tmp()` made (call it in `afterAll`). */
export const removeTmpFolders = (): void => folders.removeAll();

/** A notebook for the project kernel whose code cells are `sources` (ids c1, c2, …). */
export function writeNotebook(dir: string, name: string, sources: string[], metadata: Record<string, unknown> = {}): string {
  const notebook = kernelNotebook(sources.map((source, i) => ({ id: `c${i + 1}`, source })), { language_info: { name: 'typescript' }, ...metadata });
  const path = join(dir, `${name}.ipynb`);
  writeFileSync(path, `${JSON.stringify(notebook, null, 1)}\n`);
  return path;
}

/** Every file under `dir` with its content, to prove sources untouched. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(path, readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Reads a written notebook and checks it against the official nbformat 4.5 schema. */
export function readValidNotebook(path: string): Notebook {
  const value = readJson<unknown>(path);
  expect(validateNotebook(value), `${path} is not valid nbformat 4.5`).toEqual([]);
  return value as Notebook;
}

/** The report, and every notebook it says was written is valid nbformat. */
export function readReport(outDir: string): RunReport {
  const report = readJson<RunReport>(join(outDir, 'report.json'));
  for (const n of report.notebooks) if (n.outputNotebook) readValidNotebook(n.outputNotebook);
  return report;
}

/** Files a crashed atomic write would leave (`<name>.<pid>.<hex>.tmp`) anywhere under `dir`. */
export function leftoverTempFiles(dir: string): string[] {
  return [...snapshot(dir).keys()].filter((path) => path.endsWith('.tmp'));
}

interface PsRow {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  args: string;
}

/** Every live process (zombies excluded: they have exited, only their parent's wait is pending). */
export function processTable(): PsRow[] {
  const rows: PsRow[] = [];
  for (const line of execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,sid=,stat=,args='], { encoding: 'utf8' }).split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (m && !m[5].startsWith('Z')) rows.push({ pid: +m[1], ppid: +m[2], pgid: +m[3], sid: +m[4], args: m[6] });
  }
  return rows;
}

/** All descendants of `root` (pids), from the process table. */
export function descendants(root: number): PsRow[] {
  const table = processTable();
  const found: PsRow[] = [];
  const visit = (pid: number) => {
    for (const row of table) {
      if (row.ppid === pid && !found.includes(row)) {
        found.push(row);
        visit(row.pid);
      }
    }
  };
  visit(root);
  return found;
}

/**
 * The processes a run started (server, kernels, setpriv, nbconvert): every descendant seen while
 * it ran, plus every process in their process groups and sessions (kernels run in sessions of their
 * own and are re-parented when the server dies). Call while the run is still going.
 */
export class ProcessWatch {
  readonly seen = new Map<number, string>();
  private readonly groups = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly root: number) {
    // The CLI runs in a process group of its own (see startCli): its direct children are in it.
    this.groups.add(root);
  }

  /** Records the current descendants; `start()` does it every 200 ms. */
  sample(): void {
    for (const row of descendants(this.root)) {
      this.seen.set(row.pid, row.args);
      // Only groups and sessions a descendant leads (the server, kernels), never the test's own.
      if (row.pgid === row.pid) this.groups.add(row.pgid);
      if (row.sid === row.pid) this.groups.add(row.sid);
    }
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Processes seen (or in groups/sessions seen) that are still alive. */
  alive(): string[] {
    return processTable()
      .filter((row) => row.pid !== this.root && (this.seen.has(row.pid) || this.groups.has(row.pgid) || this.groups.has(row.sid)))
      .map((row) => `${row.pid} ${row.args}`);
  }

  /** Waits until none of them is alive, up to `ms`; returns what is still alive then. */
  async gone(ms: number): Promise<string[]> {
    const end = Date.now() + ms;
    for (;;) {
      const alive = this.alive();
      if (alive.length === 0 || Date.now() > end) return alive;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Kills whatever remains (so a failing case does not leak into the next ones). */
  killRemaining(): void {
    for (const line of this.alive()) {
      try {
        process.kill(Number(line.split(' ')[0]), 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
}

export interface CliRun {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (progress lines) matches `pattern`; rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  watch: ProcessWatch;
}

/**
 * Starts the compiled CLI (`run … --progress lines`) as a child process and watches what it
 * starts. `command` goes before it (e.g. prlimit); `argv` runs something else instead of the CLI.
 */
export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; command?: string[]; argv?: string[] } = {},
): CliRun {
  const command = options.argv ?? [...(options.command ?? []), process.execPath, BIN, 'run', ...args, '--progress', 'lines'];
  const child = spawn(command[0], command.slice(1), {
    // A process group of its own, as a terminal gives a command: the checks can follow it by group.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let out = '';
  let err = '';
  const listeners: Array<() => void> = [];
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const listener of listeners) listener();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const watch = new ProcessWatch(child.pid ?? 0).start();
  void exit.then(() => watch.stop());
  return {
    child,
    exit,
    stdout: () => out,
    stderr: () => err,
    watch,
    waitFor: (pattern, ms = 150_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(err)) {
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms / 1000} s; stderr:\n${err}`)), ms);
        listeners.push(check);
        check();
        void exit.then(() => {
          if (!pattern.test(err)) {
            clearTimeout(timer);
            reject(new Error(`exited before ${pattern}; stderr:\n${err}`));
          }
        });
      }),
  };
}
