/**
 * Fault injection against a real Jupyter Server and the real project kernel, through the compiled
 * CLI as users run it. Every case asserts the exit code, that report.json and every notebook the
 * run reached are written and valid nbformat, that sources are untouched, that no temporary file
 * of a half-done write remains, and — from `ps`, by process tree, group and session, not by
 * trusting the runner — that no server or kernel process it started remains. Each run gets a temp
 * folder of its own (TMPDIR, inherited by the server and kernels): a case checks that the run left
 * nothing there, and the suite removes these folders, with what a killed run could not clean up.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setprivCommand } from '../../src/machine';
import { STREAM_HEAD_CHARS, STREAM_TAIL_CHARS } from '../../src/runner/outputs';
import type { CodeCell, RunReport } from '../../src/runner/types';
import {
  BIN,
  leftoverTempFiles,
  readReport,
  readValidNotebook,
  removeTmpFolders,
  snapshot,
  startCli,
  tmp,
  writeNotebook,
  type CliRun,
} from './helpers';

/** How long after the runner is gone its server and kernels may take to notice and exit. */
const GONE_WITHIN_MS = 20_000;

const SLEEP_CELL = "console.log('sleeping');\nawait new Promise<void>((resolve) => setTimeout(resolve, 120_000));";
const streamText = (cell: CodeCell) => cell.outputs.map((o) => (o.output_type === 'stream' ? o.text : '')).join('');
const cellOf = (path: string, id: string) => {
  const cell = readValidNotebook(path).cells.find((c) => c.id === id);
  if (cell?.cell_type !== 'code') throw new Error(`no code cell ${id} in ${path}`);
  return cell;
};

/** A CLI run and the temp folder (TMPDIR) it and everything it starts were given. */
type FaultRun = CliRun & { tmpDir: string };

const runs: FaultRun[] = [];
function cli(args: string[], options: Parameters<typeof startCli>[1] = {}): FaultRun {
  const tmpDir = tmp('tmpdir');
  const run = { ...startCli(args, { ...options, env: { ...options.env, TMPDIR: tmpDir } }), tmpDir };
  runs.push(run);
  return run;
}

/**
 * The common checks after a run: nothing it started is alive, no half-written file, sources as they
 * were, and nothing left in its temp folder but what `leftInTmp` allows (a run killed with SIGKILL
 * cannot remove its server's runtime folder).
 */
async function expectCleanEnd(
  run: FaultRun,
  out: string,
  sources: string,
  before: Map<string, string>,
  leftInTmp?: RegExp,
): Promise<void> {
  expect(await run.watch.gone(GONE_WITHIN_MS), 'processes left behind').toEqual([]);
  expect(existsSync(out) ? leftoverTempFiles(out) : []).toEqual([]);
  expect(snapshot(sources)).toEqual(before);
  expect(readdirSync(run.tmpDir).filter((name) => !leftInTmp?.test(name)), 'left in the temp folder').toEqual([]);
}

beforeAll(() => {
  expect(existsSync(BIN), `${BIN} missing: run npm run setup`).toBe(true);
});

afterAll(() => {
  // A failing case must not leave processes behind (cases may run concurrently: only at the end).
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    run.watch.stop();
    run.watch.killRemaining();
  }
  removeTmpFolders();
});

describe('the runner is stopped mid-cell', () => {
  it('SIGKILL: the server notices its parent is gone and exits with its kernels; nothing half-written', async () => {
    const sources = tmp('sigkill-src');
    writeNotebook(sources, 'first', ["console.log('first done');"]);
    writeNotebook(sources, 'sleeper', ["console.log('before');", SLEEP_CELL]);
    const before = snapshot(sources);
    const out = tmp('sigkill-out');
    const run = cli([sources, '-o', out, '-j', '1', '--no-html']);
    await run.waitFor(/sleeper cell 2\/2 running/);
    const started = [...run.watch.seen.values()];
    expect(started.some((args) => /jupyter.*server/.test(args))).toBe(true);
    expect(started.some((args) => /kernel/.test(args))).toBe(true);
    run.child.kill('SIGKILL');
    expect((await run.exit).signal).toBe('SIGKILL');
    // The server's runtime folder stays (removed with the suite's folders); nothing else.
    await expectCleanEnd(run, out, sources, before, /^llm-price-lab-jupyter-/);
    // The notebook finished before the kill is complete and valid; nothing else was written.
    readValidNotebook(join(out, 'notebooks', 'first.ipynb'));
    expect(existsSync(join(out, 'notebooks', 'sleeper.ipynb'))).toBe(false);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  }, 240_000);

  // The three are alike: they run side by side to keep the suite short.
  it.concurrent.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)('%s: kernels and server stopped, exit %i, the report and the interrupted notebook written', async (signal, code) => {
    const sources = tmp(`${signal}-src`);
    writeNotebook(sources, 'a-sleeper', ["console.log('before');", SLEEP_CELL, "console.log('never');"]);
    writeNotebook(sources, 'b-later', ["console.log('not reached');"]);
    const before = snapshot(sources);
    const out = tmp(`${signal}-out`);
    const run = cli([sources, '-o', out, '-j', '1', '--junit', join(out, 'junit.xml')]);
    await run.waitFor(/a-sleeper cell 2\/3 running/);
    run.child.kill(signal);
    expect((await run.exit).code).toBe(code);
    await expectCleanEnd(run, out, sources, before);
    const report = readReport(out);
    expect(report.interrupted).toBe(signal);
    expect(report.notebooks.map((n) => [n.name, n.status])).toEqual([
      ['a-sleeper', 'interrupted'],
      ['b-later', 'not-run'],
    ]);
    const nb = join(out, 'notebooks', 'a-sleeper.ipynb');
    expect(streamText(cellOf(nb, 'c1'))).toBe('before\n');
    expect(cellOf(nb, 'c2').outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RunInterrupted' });
    expect(cellOf(nb, 'c3').execution_count).toBeNull();
    expect(existsSync(join(out, 'notebooks', 'b-later.ipynb'))).toBe(false);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<skipped message="not run: the run was interrupted \(/);
    expect(run.stderr()).toContain(`${signal}: stopping kernels and the Jupyter server`);
  }, 240_000);
});

describe('the runner crashes', () => {
  it('an uncaught exception mid-cell: the exit hook kills the server and kernels at once', async () => {
    const sources = tmp('crash-src');
    const notebook = writeNotebook(sources, 'sleeper', [SLEEP_CELL]);
    const before = snapshot(sources);
    const out = tmp('crash-out');
    const runner = join(__dirname, '..', '..', 'dist', 'src', 'runner', 'index.js');
    // A bug outside any promise chain: nothing in the runner sees it, the process just dies.
    const script = `require(${JSON.stringify(runner)}).runNotebooks(
      { notebooks: [${JSON.stringify(notebook)}], outputDir: ${JSON.stringify(out)}, html: false },
      { onCellStart: () => setTimeout(() => { throw new Error('simulated crash'); }, 1000) });`;
    const run = cli([], { argv: [process.execPath, '-e', script] });
    const exit = await run.exit;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toContain('simulated crash');
    expect([...run.watch.seen.values()].some((args) => /kernel/.test(args))).toBe(true);
    await expectCleanEnd(run, out, sources, before);
  }, 240_000);
});

describe('large outputs', () => {
  it('one line of 1 MB and 50 MB in many lines: both finish, stored output bounded with a note, the notebook valid and exported', async () => {
    const sources = tmp('big-src');
    writeNotebook(sources, 'big', [
      "console.log('x'.repeat(1_000_000));",
      // 50 MB in 500,000 lines of 100 characters, printed in 50 writes of 1 MB.
      "const line = '.'.repeat(99) + '\\n';\nfor (let i = 0; i < 50; i += 1) process.stdout.write(line.repeat(10_000));\nconsole.log('end of output');",
      "console.log('after');",
    ]);
    const before = snapshot(sources);
    const out = tmp('big-out');
    const run = cli([sources, '-o', out]);
    expect((await run.exit).code).toBe(0);
    await expectCleanEnd(run, out, sources, before);
    const report = readReport(out);
    expect(report.notebooks[0].status).toBe('passed');
    const nb = join(out, 'notebooks', 'big.ipynb');
    const oneLine = streamText(cellOf(nb, 'c1'));
    const left1 = 1_000_001 - STREAM_HEAD_CHARS - STREAM_TAIL_CHARS;
    expect(oneLine).toContain(`[llm-price-lab: ${left1.toLocaleString('en-US')} characters of stdout left out here;`);
    const many = streamText(cellOf(nb, 'c2'));
    const left2 = 50 * 10_000 * 100 + 'end of output\n'.length - STREAM_HEAD_CHARS - STREAM_TAIL_CHARS;
    expect(many).toContain(`[llm-price-lab: ${left2.toLocaleString('en-US')} characters of stdout left out here;`);
    expect(many.endsWith('end of output\n')).toBe(true);
    expect(many.length).toBeLessThan(STREAM_HEAD_CHARS + STREAM_TAIL_CHARS + 400);
    expect(streamText(cellOf(nb, 'c3'))).toBe('after\n');
    expect(report.notebooks[0].html).toBe(join(out, 'html', 'big.html'));
    expect(readFileSync(join(out, 'html', 'big.html'), 'utf8')).toContain('characters of stdout left out here');
  }, 240_000);
});

describe('the server or a kernel dies', () => {
  it('the Jupyter server killed mid-run: the running notebook is marked, the rest infrastructure errors, exit 3', async () => {
    const sources = tmp('server-src');
    writeNotebook(sources, 'a-sleeper', ["console.log('before');", SLEEP_CELL]);
    writeNotebook(sources, 'b-later', ["console.log('later');"]);
    const before = snapshot(sources);
    const out = tmp('server-out');
    const run = cli([sources, '-o', out, '-j', '1', '--no-html']);
    await run.waitFor(/a-sleeper cell 2\/2 running/);
    const server = [...run.watch.seen].find(([, args]) => /jupyter.*server/.test(args) && !args.startsWith(setprivCommand() ?? 'setpriv'));
    expect(server).toBeDefined();
    process.kill(server?.[0] ?? 0, 'SIGKILL');
    expect((await run.exit).code).toBe(3);
    await expectCleanEnd(run, out, sources, before);
    const report = readReport(out);
    expect(report.notebooks.map((n) => [n.name, n.status])).toEqual([
      ['a-sleeper', 'kernel-died'],
      ['b-later', 'infrastructure-error'],
    ]);
    expect(cellOf(join(out, 'notebooks', 'a-sleeper.ipynb'), 'c2').outputs.at(-1)).toMatchObject({ ename: 'DeadKernelError' });
  }, 240_000);

  it('a kernel killed (SIGKILL) mid-cell and one exceeding its memory: both kernel-died, exit 1', async () => {
    const sources = tmp('kernel-src');
    const pidFile = join(sources, 'kernel.pid');
    writeNotebook(sources, 'killed', [
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
      SLEEP_CELL,
    ]);
    writeNotebook(sources, 'memory', [
      "const kept: number[][] = [];\nfor (;;) kept.push(new Array(1_000_000).fill(1.5));",
    ]);
    const out = tmp('kernel-out');
    // The kernel (a Node process) inherits the heap limit; the runner's tiny run fits in it too.
    const run = cli([join(sources, 'killed.ipynb'), join(sources, 'memory.ipynb'), '-o', out, '-j', '2', '--no-html'], {
      env: { NODE_OPTIONS: '--max-old-space-size=256' },
    });
    await run.waitFor(/killed cell 2\/2 running/);
    const before = snapshot(sources);
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    expect((await run.exit).code).toBe(1);
    await expectCleanEnd(run, out, sources, before);
    const report = readReport(out);
    expect(report.notebooks.map((n) => [n.name, n.status])).toEqual([
      ['killed', 'kernel-died'],
      ['memory', 'kernel-died'],
    ]);
    expect(report.notebooks[0].failingCell?.id).toBe('c2');
    expect(report.notebooks[1].failingCell?.id).toBe('c1');
  }, 240_000);
});

describe('cells that never end', () => {
  it('a cell that never yields (sync loop) and one that never resolves pass their deadline: timeout, exit 1', async () => {
    const sources = tmp('forever-src');
    writeNotebook(sources, 'loop', ["console.log('looping');", 'for (;;) {}', "console.log('never');"]);
    writeNotebook(sources, 'pending', ["console.log('waiting');", 'await new Promise(() => {});']);
    const before = snapshot(sources);
    const out = tmp('forever-out');
    // The first cell of a kernel also creates its compiler, seconds on a loaded machine: the deadline
    // must leave room for it, or the first cell times out instead of the endless one.
    const run = cli([sources, '-o', out, '-j', '2', '--no-html', '--cell-timeout', '10']);
    expect((await run.exit).code).toBe(1);
    await expectCleanEnd(run, out, sources, before);
    const report = readReport(out);
    expect(report.notebooks.map((n) => [n.name, n.status, n.failingCell?.id])).toEqual([
      ['loop', 'timeout', 'c2'],
      ['pending', 'timeout', 'c2'],
    ]);
    expect(cellOf(join(out, 'notebooks', 'loop.ipynb'), 'c2').outputs.at(-1)).toMatchObject({ ename: 'CellTimeoutError' });
  }, 240_000);
});

describe('the output folder', () => {
  it('read-only: a clear one-line error before anything runs, exit 2, nothing written', () => {
    const sources = tmp('ro-src');
    writeNotebook(sources, 'tiny', ["console.log('hi');"]);
    const out = tmp('ro-out');
    chmodSync(out, 0o555);
    // Root ignores file modes unless it gives up CAP_DAC_OVERRIDE (util-linux setpriv).
    const asRoot = process.getuid?.() === 0;
    const command = asRoot
      ? [setprivCommand() ?? 'setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search', '--']
      : [];
    let code = 0;
    let stderr = '';
    try {
      execFileSync(command[0] ?? process.execPath, [...command.slice(1), ...(command.length ? [process.execPath] : []), BIN, 'run', sources, '-o', join(out, 'build')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      });
    } catch (error) {
      const failed = error as { status: number; stderr: string };
      code = failed.status;
      stderr = failed.stderr;
    } finally {
      chmodSync(out, 0o755);
    }
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^llm-price-lab: cannot write to the output folder .*\/build: EACCES/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(out)).toEqual([]);
  }, 120_000);

  it('full (a file size limit stands in for a full disk): the notebook is not half-written, the report says so, exit 3', async () => {
    const sources = tmp('full-src');
    writeNotebook(sources, 'big', ["console.log('y'.repeat(400_000));"]);
    writeNotebook(sources, 'small', ["console.log('fits');"]);
    const before = snapshot(sources);
    const out = tmp('full-out');
    // RLIMIT_FSIZE: writing past 256 KB fails (EFBIG) as writing to a full disk fails (ENOSPC).
    const run = cli([sources, '-o', out, '-j', '1', '--no-html'], { command: ['prlimit', '--fsize=262144', '--'] });
    expect((await run.exit).code).toBe(3);
    await expectCleanEnd(run, out, sources, before);
    const report = readReport(out);
    expect(report.exitCode).toBe(3);
    expect(report.notebooks[0]).toMatchObject({ name: 'big', status: 'passed' });
    expect(report.notebooks[0].writeError).toMatch(/cannot write .*big\.ipynb: .*EFBIG/);
    expect(report.notebooks[0].outputNotebook).toBeUndefined();
    expect(existsSync(join(out, 'notebooks', 'big.ipynb'))).toBe(false);
    expect(report.notebooks[1].outputNotebook).toBe(join(out, 'notebooks', 'small.ipynb'));
    expect(run.stdout()).toMatch(/big\.ipynb: cannot write/);
  }, 240_000);

  it('two runs writing to the same folder at once: both finish, every file whole and valid', async () => {
    const sources = tmp('twice-src');
    for (const name of ['a', 'b', 'c']) writeNotebook(sources, name, [`console.log('${name}'.repeat(10_000));`]);
    const before = snapshot(sources);
    const out = tmp('twice-out');
    const first = cli([sources, '-o', out, '-j', '2', '--junit', join(out, 'junit.xml')]);
    const second = cli([sources, '-o', out, '-j', '2', '--junit', join(out, 'junit.xml')]);
    expect((await first.exit).code).toBe(0);
    expect((await second.exit).code).toBe(0);
    await expectCleanEnd(first, out, sources, before);
    await expectCleanEnd(second, out, sources, before);
    const report: RunReport = readReport(out);
    expect(report.notebooks.map((n) => n.status)).toEqual(['passed', 'passed', 'passed']);
    for (const name of ['a', 'b', 'c']) {
      expect(streamText(cellOf(join(out, 'notebooks', `${name}.ipynb`), 'c1'))).toBe(`${name.repeat(10_000)}\n`);
      expect(readFileSync(join(out, 'html', `${name}.html`), 'utf8')).toMatch(/<\/html>\s*$/);
    }
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<\/testsuites>\n$/);
  }, 240_000);
});
