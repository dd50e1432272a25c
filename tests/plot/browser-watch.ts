/**
 * A browser test's Chromium under watch: its process tree found in /proc, each process's resident
 * memory sampled once a second (`performance.memory` sees only the JS heap; a tab's images, layers
 * and DOM live outside it), the page's console kept, and every step bounded. A step that misses its
 * budget, or fails, leaves its evidence in a folder (console log, screenshot, memory over time,
 * whatever the test adds: server logs, the outputs in the page) and the browser is killed at once,
 * so a hung page neither keeps its CPU nor slows the rest of the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs } from '../../src/plot/static-image';
import { CHROMIUM } from './browser';

/** How often the process tree's memory is read. */
const SAMPLE_INTERVAL_MS = 1_000;
/** Collecting evidence from a page that may be hung: each piece gets this long, then is skipped. */
const EVIDENCE_STEP_MS = 10_000;
/** Console messages kept (the last ones). */
const CONSOLE_KEPT = 2_000;
/** Of those, the first ones are always kept: a loop of errors must not push out what started it. */
const CONSOLE_FIRST_KEPT = 300;
/** Console errors whose argument's stack is read from the page (the first ones; reading costs a round trip). */
const ERROR_STACKS_READ = 20;

/**
 * A page's console as evidence: the first lines and the last ones, a line repeated back to back
 * counted instead of kept again, each error with where it was logged.
 */
function createConsoleLog() {
  const first: string[] = [];
  const last: string[] = [];
  let dropped = 0;
  let previous: { text: string; repeats: number } | undefined;
  const flushRepeats = (): void => {
    if (previous && previous.repeats > 0) push(`  (the line above repeated ${previous.repeats} more times)`);
  };
  const push = (line: string): void => {
    if (first.length < CONSOLE_FIRST_KEPT) first.push(line);
    else {
      last.push(line);
      if (last.length > CONSOLE_KEPT - CONSOLE_FIRST_KEPT) {
        last.shift();
        dropped += 1;
      }
    }
  };
  return {
    add(time: string, text: string): void {
      if (previous?.text === text) {
        previous.repeats += 1;
        return;
      }
      flushRepeats();
      previous = { text, repeats: 0 };
      push(`${time} ${text}`);
    },
    lines(): string[] {
      flushRepeats();
      if (previous) previous.repeats = 0;
      return [...first, ...(dropped ? [`… ${dropped} lines left out …`] : []), ...last];
    },
  };
}

export interface ProcessMemory {
  pid: number;
  /** Chromium's process type: `browser`, `renderer`, `gpu-process`, `zygote`, `utility`… */
  type: string;
  rssBytes: number;
}

export interface MemorySample {
  /** Milliseconds since the browser was launched. */
  t: number;
  processes: ProcessMemory[];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended while it was read
  }
}

/** Parent pid of every live process, from /proc/PID/stat (the field after the command's parenthesis). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    map.set(Number(entry), ppid);
  }
  return map;
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident memory of one process (VmRSS), or undefined once it has ended. */
export function residentBytes(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readText(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : undefined;
}

function processType(pid: number): string {
  const cmdline = readText(`/proc/${pid}/cmdline`) ?? '';
  return /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
}

/** The main process of the Chromium whose command line carries `tag`. */
function findBrowserPid(tag: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readText(`/proc/${entry}/cmdline`) ?? '';
    if (cmdline.includes(tag) && !cmdline.includes('--type=')) return Number(entry);
  }
  return undefined;
}

export class BrowserStepError extends Error {
  override readonly name = 'BrowserStepError';
}

export interface WatchedBrowser {
  browser: Browser;
  /** The browser's main process. */
  pid: number;
  /** Every memory sample so far. */
  samples(): MemorySample[];
  /** The largest resident memory any renderer process had, from `sinceMs` (default: launch). */
  peakRendererBytes(sinceMs?: number): number;
  /** The memory samples as text, one line a second: each process's type, pid and resident MB. */
  memoryReport(): string;
  /** Milliseconds since launch (to mark the start of a step for `peakRendererBytes`). */
  now(): number;
  /** Keeps the page's console and errors for the evidence. */
  watch(page: Page): void;
  /** The console lines kept so far (`<seconds> [<type>] <text>`, repeats folded). */
  consoleLines(): string[];
  /**
   * Runs `step` within `budgetMs`. When it fails or misses the budget: writes the evidence to
   * `<evidenceDir>/<name>/`, kills the browser, and throws naming the folder. Later steps fail at once.
   */
  step<T>(name: string, budgetMs: number, step: () => Promise<T>): Promise<T>;
  /** Kills every process of the browser (SIGKILL) and stops sampling. Safe to call twice. */
  kill(): void;
  /** Closes the browser, or kills it if closing hangs. */
  close(): Promise<void>;
}

export interface WatchOptions {
  /** Where each failed step's evidence goes, in a folder named after the step. */
  evidenceDir: string;
  /** More evidence for a failed step: file name → contents (server and kernel logs, outputs). */
  extraEvidence?: (page: Page | undefined) => Promise<Record<string, string>>;
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([promise.catch(() => undefined), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);

const MB = 1024 * 1024;

/** Launches Debian's Chromium, finds its processes, and starts sampling their memory. */
export async function launchWatchedChromium(options: WatchOptions): Promise<WatchedBrowser> {
  const tag = `--llm-price-lab-watch=${randomBytes(6).toString('hex')}`;
  const launched = Date.now();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...chromiumArgs(), tag], handleSIGINT: false });
  const pid = findBrowserPid(tag);
  if (pid === undefined) {
    await browser.close();
    throw new Error(`the Chromium just launched (${tag}) is not in /proc`);
  }
  const samples: MemorySample[] = [];
  const consoleLog = createConsoleLog();
  const pages: Page[] = [];
  let killed: string | undefined;

  const sample = () => {
    const processes = processTree(pid).flatMap((p) => {
      const rssBytes = residentBytes(p);
      return rssBytes === undefined ? [] : [{ pid: p, type: processType(p), rssBytes }];
    });
    samples.push({ t: Date.now() - launched, processes });
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS);
  sampler.unref();

  const kill = () => {
    clearInterval(sampler);
    for (const p of processTree(pid).reverse()) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  const memoryReport = () =>
    samples
      .map((s) => {
        const byType = new Map<string, number>();
        for (const p of s.processes) byType.set(`${p.type}:${p.pid}`, p.rssBytes);
        return `${(s.t / 1000).toFixed(0).padStart(5)} s  ${[...byType].map(([k, v]) => `${k}=${(v / MB).toFixed(0)}MB`).join(' ')}`;
      })
      .join('\n');

  async function keepEvidence(name: string, reason: string): Promise<string> {
    const dir = join(options.evidenceDir, name.replace(/[^\w.-]+/g, '-').slice(0, 80));
    mkdirSync(dir, { recursive: true });
    const page = pages.at(-1);
    const files: Record<string, string> = {
      'reason.txt': `${reason}\n`,
      'memory.txt': `${memoryReport()}\n`,
      'console.txt': `${consoleLog.lines().join('\n')}\n`,
    };
    if (page) {
      await within(page.screenshot({ path: join(dir, 'page.png'), timeout: EVIDENCE_STEP_MS }), EVIDENCE_STEP_MS);
    }
    const extra = options.extraEvidence ? await within(options.extraEvidence(page), 3 * EVIDENCE_STEP_MS) : undefined;
    Object.assign(files, extra ?? { 'extra.txt': 'the extra evidence could not be collected in time\n' });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  }

  const watched: WatchedBrowser = {
    browser,
    pid,
    samples: () => samples,
    memoryReport,
    now: () => Date.now() - launched,
    peakRendererBytes(sinceMs = 0) {
      let peak = 0;
      for (const s of samples) {
        if (s.t < sinceMs) continue;
        for (const p of s.processes) if (p.type === 'renderer') peak = Math.max(peak, p.rssBytes);
      }
      return peak;
    },
    consoleLines: () => consoleLog.lines(),
    watch(page) {
      pages.push(page);
      const started = Date.now();
      const time = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
      const keep = (line: string) => consoleLog.add(time(), line);
      let stacksRead = 0;
      page.on('console', (message) => {
        const where = message.type() === 'error' ? ` (logged at ${message.location().url}:${message.location().lineNumber}:${message.location().columnNumber})` : '';
        keep(`[${message.type()}] ${message.text().slice(0, 2_000)}${where}`);
        if (message.type() !== 'error' || stacksRead >= ERROR_STACKS_READ) return;
        stacksRead += 1;
        const at = time();
        void Promise.all(message.args().map((arg) => arg.evaluate((value) => (value instanceof Error ? (value.stack ?? '') : '')).catch(() => '')))
          .then((stacks) => stacks.filter(Boolean).forEach((stack) => consoleLog.add(at, `[error stack] ${stack.slice(0, 4_000)}`)))
          .catch(() => undefined);
      });
      page.on('pageerror', (error) => keep(`[pageerror] ${error.stack ?? error.message}`));
      page.on('crash', () => keep('[crash] the page crashed'));
    },
    async step(name, budgetMs, step) {
      if (killed) throw new BrowserStepError(`not run: the browser was killed after "${killed}" failed`);
      let timer: NodeJS.Timeout | undefined;
      const overdue = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BrowserStepError(`missed its budget of ${(budgetMs / 1000).toFixed(0)} s`)), budgetMs);
      });
      try {
        return await Promise.race([step(), overdue]);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const peak = watched.peakRendererBytes();
        const dir = await keepEvidence(name, reason);
        killed = name;
        kill();
        throw new BrowserStepError(`${name}: ${reason.split('\n')[0]} (largest renderer ${(peak / MB).toFixed(0)} MB; evidence in ${dir})`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },
    kill,
    async close() {
      clearInterval(sampler);
      const closed = await within(browser.close().then(() => true), EVIDENCE_STEP_MS);
      if (!closed) kill();
    },
  };
  return watched;
}
