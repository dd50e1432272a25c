/**
 * The runner against a real Jupyter Server (private, started per run) and the project kernel from
 * the project-local kernelspec.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerInputError, consoleSummary, runNotebooks, type CellResult, type RunReport } from '../../src/runner';
import { startServer } from '../../src/runner/server';
import { tempFolders } from '../temp-folders';
import { cellById, fixture, readValidNotebook, streamText, withoutTiming } from './helpers';

const folders = tempFolders('runner-it-');
const tmp = folders.make;
afterAll(() => folders.removeAll());

describe('a mixed run: success (smoke profile), a throwing cell, tags', () => {
  const out = tmp();
  const junit = join(out, 'junit.xml');
  const cells: Array<{ name: string; result: CellResult }> = [];
  let report: RunReport;

  beforeAll(async () => {
    report = await runNotebooks(
      { notebooks: [fixture('success'), fixture('throws'), fixture('tags')], profile: 'smoke', outputDir: out, html: true, jobs: 2, junit },
      { onCellDone: ({ name, result }) => cells.push({ name, result }) },
    );
  });

  it('reports each notebook and exits 1 because one failed', () => {
    expect(report.exitCode).toBe(1);
    expect(report.notebooks.map((n) => [n.name, n.status])).toEqual([
      ['success', 'passed'],
      ['throws', 'failed'],
      ['tags', 'passed'],
    ]);
    const written = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(written.notebooks.map((n) => n.status)).toEqual(['passed', 'failed', 'passed']);
    expect(written.notebooks[0].parameters).toEqual({ epochs: 2, label: 'smoke' });
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites tests="3" failures="1" errors="0"/);
    expect(cells.filter((c) => c.name === 'success').map((c) => c.result.kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('success: smoke parameters injected after the parameters cell, outputs recorded as Jupyter does', () => {
    const nb = readValidNotebook(join(out, 'notebooks', 'success.ipynb'));
    expect(nb.cells.map((c) => c.id)).toEqual(['title', 'params', 'injected-parameters', 'print', 'progress', 'value']);
    expect(cellById(nb, 'injected-parameters').metadata.tags).toEqual(['injected-parameters']);
    expect(streamText(cellById(nb, 'print'))).toBe('epochs=2 rate=0.5 label=smoke sizes=1,2,3\nsecond line\n');
    const progress = cellById(nb, 'progress');
    expect(progress.outputs.map((o) => o.output_type === 'stream' && o.name)).toEqual(['stdout', 'stderr', 'stdout']);
    expect(streamText(progress)).toBe('step 3/3\nafter warning\n');
    expect(streamText(progress, 'stderr')).toBe('a warning\n');
    const counts = nb.cells.filter((c) => c.cell_type === 'code').map((c) => (c.cell_type === 'code' ? c.execution_count : -1));
    expect(counts).toEqual([1, 2, 3, 4, 5]);
    const timing = cellById(nb, 'print').metadata.execution as Record<string, string>;
    expect(Date.parse(timing['iopub.status.idle'])).toBeGreaterThanOrEqual(Date.parse(timing['iopub.status.busy']));
  });

  it('throws: partial notebook written with an error note at the top pointing to the failing cell', () => {
    const failed = report.notebooks[1];
    expect(failed.failingCell).toMatchObject({ id: 'boom', codeCellNumber: 2, failure: { kind: 'error' } });
    expect(failed.failingCell?.failure).toMatchObject({ kind: 'error', ename: 'Error', evalue: 'boom at cell two' });
    expect(consoleSummary(report)).toContain("  line 2: throw new Error('boom at cell two');");
    expect(failed.cellsRun).toBe(2);
    const nb = readValidNotebook(join(out, 'notebooks', 'throws.ipynb'));
    expect(nb.cells[0].cell_type).toBe('markdown');
    expect(nb.cells[0].source).toMatch(/Execution failed.*code cell 2.*<pre class="runner-error-text">Error: boom at cell two<\/pre>/s);
    expect(nb.cells.map((c) => c.id)).toEqual(['runner-error-note', 'ok', 'runner-error-cell', 'boom', 'after']);
    expect(streamText(cellById(nb, 'ok'))).toBe('cell one ran\n');
    expect(cellById(nb, 'after').outputs).toEqual([]);
    expect(cellById(nb, 'after').execution_count).toBeNull();
    const html = readFileSync(join(out, 'html', 'throws.html'), 'utf8');
    expect(html).toContain('Execution failed');
    expect(html).toContain('boom at cell two');
  });

  it('tags: skip-execution is not run, raises-exception lets the run go on', () => {
    const nb = readValidNotebook(join(out, 'notebooks', 'tags.ipynb'));
    expect(cellById(nb, 'skipped').outputs).toEqual([]);
    expect(cellById(nb, 'skipped').execution_count).toBeNull();
    expect(cellById(nb, 'raises').outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RangeError', evalue: 'expected failure' });
    expect(streamText(cellById(nb, 'after'))).toBe('ran after the expected error\n');
    const tagCells = cells.filter((c) => c.name === 'tags').map((c) => c.result.kind);
    expect(tagCells).toEqual(['skipped', 'expected-error', 'ok']);
  });

  it('HTML pages from nbconvert and an index listing status and time', () => {
    const page = readFileSync(join(out, 'html', 'success.html'), 'utf8');
    expect(page).toContain('jp-Notebook');
    expect(page).toContain('epochs=2 rate=0.5 label=smoke');
    const index = readFileSync(join(out, 'html', 'index.html'), 'utf8');
    expect(index).toMatch(/<a href="success\.html">success<\/a><\/td><td>passed<\/td>/);
    expect(index).toMatch(/throws\.html">throws<\/a><\/td><td>failed \(cell 2\)/);
  });
});

describe('parameters', () => {
  it('-p values override the defaults, over a -f file', async () => {
    const out = tmp();
    const file = join(out, 'p.json');
    writeFileSync(file, JSON.stringify({ epochs: 5, label: 'file' }));
    const report = await runNotebooks({ notebooks: [fixture('success')], outputDir: out, html: false, parameterFiles: [file], parameters: { label: 'cli', sizes: [9] } });
    expect(report.exitCode).toBe(0);
    const nb = readValidNotebook(join(out, 'notebooks', 'success.ipynb'));
    expect(streamText(cellById(nb, 'print'))).toContain('epochs=5 rate=0.5 label=cli sizes=9');
    expect(streamText(cellById(nb, 'value'))).toBe('total 10\n');
    expect(existsSync(join(out, 'html'))).toBe(false);
  });

  it('an unknown name or a wrong type is rejected before anything runs or is written', async () => {
    const out = join(tmp(), 'never');
    await expect(runNotebooks({ notebooks: [fixture('success')], outputDir: out, parameters: { epoch: 3 } })).rejects.toThrow(
      /success\.ipynb: unknown parameter 'epoch'/,
    );
    await expect(runNotebooks({ notebooks: [fixture('success')], outputDir: out, parameters: { rate: 'fast' } })).rejects.toThrow(
      RunnerInputError,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('bad input', () => {
  it('an invalid notebook stops the run before anything is written, even with valid ones', async () => {
    const out = join(tmp(), 'never');
    await expect(runNotebooks({ notebooks: [fixture('success'), fixture('invalid')], outputDir: out })).rejects.toThrow(
      /invalid\.ipynb: invalid nbformat 4\.5 notebook: \/cells\/1/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown kernel is a RunnerInputError naming the notebook and kernel', async () => {
    const dir = tmp();
    const nb = JSON.parse(readFileSync(fixture('throws'), 'utf8'));
    nb.metadata.kernelspec.name = 'no-such-kernel';
    writeFileSync(join(dir, 'other.ipynb'), JSON.stringify(nb));
    await expect(runNotebooks({ notebooks: [join(dir, 'other.ipynb')], outputDir: join(dir, 'out') })).rejects.toThrow(
      /other\.ipynb: unknown kernel 'no-such-kernel'/,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('deadlines and kernel deaths', () => {
  const out = tmp();
  let report: RunReport;
  beforeAll(async () => {
    report = await runNotebooks({
      notebooks: [fixture('timeout-loop'), fixture('timeout-await'), fixture('kernel-exit'), fixture('success'), fixture('timeout-blocked')],
      outputDir: out,
      html: false,
      jobs: 2,
    });
  }, 120_000);

  it('a synchronous endless loop passes its cell deadline: interrupted, marked, the notebook stops', () => {
    const loop = report.notebooks[0];
    expect(loop.status).toBe('timeout');
    expect(loop.failingCell).toMatchObject({ id: 'loop', failure: { kind: 'timeout', deadline: 'cell', limitSeconds: 3, stillBusy: false } });
    const nb = readValidNotebook(join(out, 'notebooks', 'timeout-loop.ipynb'));
    // The kernel's own interrupt error, then the runner's note of which deadline passed.
    const outputs = cellById(nb, 'loop').outputs;
    expect(outputs.filter((o) => o.output_type === 'error').map((o) => o.output_type === 'error' && o.ename)).toEqual([
      'InterruptError',
      'CellTimeoutError',
    ]);
    const error = outputs.at(-1);
    expect(error?.output_type === 'error' && error.evalue).toMatch(/^cell timeout of 3 s passed/);
    expect(cellById(nb, 'after').execution_count).toBeNull();
  });

  it('a never-resolving await passes its cell deadline the same way', () => {
    const wait = report.notebooks[1];
    expect(wait.status).toBe('timeout');
    expect(wait.failingCell?.id).toBe('wait');
    expect(streamText(cellById(readValidNotebook(join(out, 'notebooks', 'timeout-await.ipynb')), 'before'))).toBe('before the await\n');
  });

  it('a kernel that exits mid-cell is reported with notebook, cell and the server message; others go on', () => {
    const died = report.notebooks[2];
    expect(died.status).toBe('kernel-died');
    expect(died.failingCell).toMatchObject({ id: 'exit', codeCellNumber: 2, failure: { kind: 'kernel-died' } });
    expect(died.message).toMatch(/autorestarting|dead|closed/);
    const nb = readValidNotebook(join(out, 'notebooks', 'kernel-exit.ipynb'));
    expect(streamText(cellById(nb, 'before'))).toBe('before exit\n');
    expect(cellById(nb, 'exit').outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'DeadKernelError' });
    expect(report.notebooks[3].status).toBe('passed');
    expect(report.exitCode).toBe(1);
  });

  it('a kernel still busy after the interrupt is shut down with its notebook, not restarted, and the cell says so', () => {
    const blocked = report.notebooks[4];
    expect(blocked.status).toBe('timeout');
    expect(blocked.failingCell?.failure).toEqual({ kind: 'timeout', deadline: 'cell', limitSeconds: 3, stillBusy: true });
    const nb = readValidNotebook(join(out, 'notebooks', 'timeout-blocked.ipynb'));
    const error = cellById(nb, 'block').outputs.at(-1);
    expect(error?.output_type === 'error' && error.evalue).toMatch(/interrupted and, still busy, shut down$/);
  });

  it('a notebook deadline is named as such', async () => {
    const r = await runNotebooks({ notebooks: [fixture('slow')], outputDir: tmp(), html: false, notebookTimeout: 2 });
    expect(r.notebooks[0].failingCell?.failure).toMatchObject({ kind: 'timeout', deadline: 'notebook', limitSeconds: 2 });
  });
});

describe('display ids, clear_output, execute_result; -j 2 equals -j 1', () => {
  const outSerial = tmp();
  const outParallel = tmp();
  const notebooks = [fixture('display'), fixture('success'), fixture('tags')];
  beforeAll(async () => {
    await runNotebooks({ notebooks, outputDir: outSerial, html: false, jobs: 1 });
    await runNotebooks({ notebooks, outputDir: outParallel, html: false, jobs: 2 });
  }, 120_000);

  it('updates reach outputs with that display id in earlier cells; clear_output (wait) as Jupyter does', () => {
    const nb = readValidNotebook(join(outSerial, 'notebooks', 'display.ipynb'));
    const shown = cellById(nb, 'show').outputs;
    expect(shown[0]).toEqual({ output_type: 'display_data', data: { 'text/plain': 'progress 100%' }, metadata: {} });
    expect(streamText(cellById(nb, 'show'))).toBe('shown\n');
    expect(cellById(nb, 'again').outputs).toEqual([{ output_type: 'display_data', data: { 'text/plain': 'progress 100%' }, metadata: {} }]);
    expect(streamText(cellById(nb, 'update'))).toBe('updated from a later cell\n');
    expect(cellById(nb, 'final').outputs).toEqual([]);
    expect(cellById(nb, 'clear-wait').outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'frame 2\n' }]);
    expect(cellById(nb, 'clear-now').outputs).toEqual([]);
    expect(cellById(nb, 'clear-pending').outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'kept\n' }]);
    const result = cellById(nb, 'result');
    expect(result.outputs).toEqual([
      { output_type: 'execute_result', execution_count: result.execution_count, data: { 'text/plain': '42' }, metadata: {} },
    ]);
  });

  it('parallel runs write the same notebooks as serial runs', () => {
    for (const name of ['display', 'success', 'tags']) {
      const serial = readValidNotebook(join(outSerial, 'notebooks', `${name}.ipynb`));
      const parallel = readValidNotebook(join(outParallel, 'notebooks', `${name}.ipynb`));
      expect(withoutTiming(parallel)).toEqual(withoutTiming(serial));
    }
  });
});

describe('where kernels run and where notebooks are written', () => {
  it('--server: an existing Jupyter Server is used and left running', async () => {
    const dir = tmp();
    copyFileSync(fixture('success'), join(dir, 'success.ipynb'));
    const server = await startServer({ rootDir: dir });
    try {
      const report = await runNotebooks({
        notebooks: [join(dir, 'success.ipynb')],
        outputDir: join(dir, 'out'),
        html: false,
        server: { baseUrl: server.baseUrl, token: server.token },
      });
      expect(report.server).toBe('external');
      expect(report.notebooks[0].status).toBe('passed');
      const status = await fetch(`${server.baseUrl}api/status`, { headers: { Authorization: `token ${server.token}` } });
      expect(status.ok).toBe(true);
      const sessions = (await (await fetch(`${server.baseUrl}api/sessions`, { headers: { Authorization: `token ${server.token}` } })).json()) as unknown[];
      expect(sessions).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('--allow-errors runs past a failing cell and counts the allowed error', async () => {
    const out = tmp();
    const report = await runNotebooks({ notebooks: [fixture('throws')], outputDir: out, html: false, allowErrors: true });
    expect(report.exitCode).toBe(0);
    expect(report.notebooks[0]).toMatchObject({ status: 'passed', cellsRun: 3, allowedErrors: 1 });
    const nb = readValidNotebook(join(out, 'notebooks', 'throws.ipynb'));
    expect(cellById(nb, 'boom').outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'Error' });
    expect(streamText(cellById(nb, 'after'))).toBe('unreachable\n');
    expect(nb.cells.some((c) => c.id === 'runner-error-note')).toBe(false);
  });

  it('--inplace writes the executed notebook over its source', async () => {
    const dir = tmp();
    const path = join(dir, 'throws.ipynb');
    copyFileSync(fixture('throws'), path);
    const report = await runNotebooks({ notebooks: [path], outputDir: join(dir, 'out'), html: false, inplace: true });
    expect(report.notebooks[0].outputNotebook).toBe(path);
    const nb = readValidNotebook(path);
    expect(streamText(cellById(nb, 'ok'))).toBe('cell one ran\n');
    expect(nb.cells.filter((c) => c.id === 'runner-error-note')).toHaveLength(1);
    expect(existsSync(join(dir, 'out', 'notebooks'))).toBe(false);
    // A second run replaces the earlier error note instead of adding another.
    await runNotebooks({ notebooks: [path], outputDir: join(dir, 'out'), html: false, inplace: true });
    expect(readValidNotebook(path).cells.filter((c) => c.id === 'runner-error-note')).toHaveLength(1);
  });
});

describe('one budget of training threads', () => {
  const shares = (r: RunReport, out: string) =>
    r.notebooks.map((n) => {
      const nb = readValidNotebook(join(out, 'notebooks', `${n.name}.ipynb`));
      const cell = cellById(nb, 'share');
      // Told silently: the cell is still the kernel's first execution, with its one output.
      expect(cell.cell_type === 'code' && cell.execution_count).toBe(1);
      expect(cell.outputs).toHaveLength(1);
      return streamText(cell).trim();
    });

  it('notebooks running at once are told shares of the cores that add up to them; one alone is told nothing (every core)', async () => {
    const cores = availableParallelism();
    const together = tmp();
    const both = await runNotebooks({ notebooks: [fixture('threads-a'), fixture('threads-b')], outputDir: together, html: false, jobs: 2 });
    expect(both.exitCode).toBe(0);
    const told = shares(both, together);
    if (cores >= 2) {
      expect(told.map((t) => Number(t.replace('share=', ''))).reduce((a, b) => a + b, 0)).toBe(cores);
    } else {
      expect(told).toEqual(['share=undefined', 'share=undefined']);
    }
    const alone = tmp();
    const one = await runNotebooks({ notebooks: [fixture('threads-a')], outputDir: alone, html: false, jobs: 2 });
    expect(shares(one, alone)).toEqual(['share=undefined']);
  });

  it('--no-thread-budget tells no kernel anything', async () => {
    const out = tmp();
    const r = await runNotebooks({ notebooks: [fixture('threads-a'), fixture('threads-b')], outputDir: out, html: false, jobs: 2, threadBudget: false });
    expect(shares(r, out)).toEqual(['share=undefined', 'share=undefined']);
  });
});
