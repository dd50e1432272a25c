/**
 * The headless browser's lifetime, seen from outside a real process using the compiled library:
 * in a kernel it stays open for the session and is gone when the process exits; in a plain script it
 * closes once idle so the script ends by itself. Each process gets a temp folder of its own (TMPDIR):
 * ended by exit or by itself it leaves nothing there; what a SIGTERM leaves goes with the folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { tempFolders } from '../temp-folders';

/** The compiled parts the scripts use: charts, and the display sink a kernel installs. */
const PLOT = join(projectRoot(), 'dist', 'src', 'plot', 'index.js');
const DISPLAY = join(projectRoot(), 'dist', 'src', 'display.js');

function childPids(pid: number): number[] {
  const result = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

/** Still running: exists and is not a zombie (an exited child of a parent that is gone, waiting for init to reap it). */
function running(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // no such process
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** How long a browser whose parent is gone may take to notice it and exit. */
const BROWSER_EXIT_BUDGET_MS = 15_000;

const folders = tempFolders('plot-lifecycle-');
afterAll(() => folders.removeAll());

describe('static image browser lifetime', () => {
  for (const ending of ['exit', 'SIGTERM'] as const) {
    it(`in a kernel session the browser stays open and is gone once the process ends (${ending})`, async () => {
      // A display sink on globalThis is what the kernel installs while a cell runs.
      const script = `
        const lib = require(${JSON.stringify(PLOT)});
        globalThis[require(${JSON.stringify(DISPLAY)}).DISPLAY_SINK] = { display() {}, update() {}, clear() {} };
        const fig = () => lib.lineChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1], y: [1] }] });
        (async () => {
          await fig().render();
          await new Promise((r) => setTimeout(r, 1500)); // longer than a script's idle close
          const second = await fig().render();
          console.log('rendered ' + second.image.kind);
          process.stdin.once('data', () => process.exit(0));
        })();`;
      const tmp = folders.make();
      const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: tmp } });
      const exited = exitOf(child);
      try {
        const lines = createInterface({ input: child.stdout! });
        const first = await new Promise<string>((resolve) => lines.once('line', resolve));
        expect(first).toBe('rendered ok');
        const browsers = childPids(child.pid!);
        expect(browsers).toHaveLength(1); // one browser for both images
        expect(browsers.filter(running)).toEqual(browsers);
        if (ending === 'exit') child.stdin!.write('exit\n');
        else child.kill('SIGTERM'); // how Jupyter stops a kernel that ignores shutdown_request
        const code = await exited;
        if (ending === 'exit') expect(code).toBe(0);
        // Without its parent a browser notices its closed pipe and exits: how soon depends on the
        // machine's load, so wait for that (bounded) rather than for a fixed time.
        for (let waited = 0; browsers.some(running) && waited < BROWSER_EXIT_BUDGET_MS; waited += 100) await new Promise((r) => setTimeout(r, 100));
        expect(browsers.filter(running)).toEqual([]);
        // The browser was killed at exit, yet its temp files went with its own temp folder.
        if (ending === 'exit') expect(readdirSync(tmp)).toEqual([]);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }

  it('in a plain script the browser closes when idle and the script ends by itself', async () => {
    const script = `
      const lib = require(${JSON.stringify(PLOT)});
      lib.lineChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1], y: [1] }] })
        .render().then((fig) => console.log('rendered ' + fig.image.kind));`;
    const tmp = folders.make();
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: tmp } });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    try {
      const code = await exitOf(child);
      expect(output.trim()).toBe('rendered ok');
      expect(code).toBe(0); // not killed: it ended on its own
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      clearTimeout(timer);
    }
  });
});
