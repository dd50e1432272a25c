/**
 * The execution cache through the runner, with a real server and the project kernel: a second run
 * executes nothing and restores everything (a published model folder included); editing one
 * notebook's markdown re-runs that notebook only; changing a library module re-runs exactly the
 * notebooks that loaded it and those that run after them; a changed data file re-runs its reader;
 * a failed notebook is never stored. The command line's --no-cache (`lookup: false`) is tested below.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/atomic';
import { projectRoot } from '../../src/paths';
import { runNotebooks, type RunReport } from '../../src/runner';
import { main } from '../../src/runner/cli';
import { PassThrough } from 'node:stream';
import { referenceDataDir } from '../../src/cost/reference';
import type { Notebook } from '../../src/runner/types';
import { tempFolders } from '../temp-folders';
import { readValidNotebook, withoutTiming } from './helpers';
import { kernelNotebook } from '../notebook-fixtures';

const folders = tempFolders('runner-cache-');
afterAll(() => folders.removeAll());

function notebook(cells: Array<[type: 'markdown' | 'code', source: string]>, after?: string[]): Notebook {
  return kernelNotebook(
    cells.map(([type, source], i) => ({ id: `c${i}`, source, markdown: type === 'markdown' })),
    after ? { 'llm-price-lab': { after } } : {},
  );
}

const write = (path: string, nb: Notebook) => writeFileSync(path, `${JSON.stringify(nb, null, 1)}\n`);

/** The compiled module b loads and a does not: what "editing a file of src/model" changes after a build. */
const MODEL_MODULE = join(projectRoot(), 'dist', 'src', 'model', 'persist.js');

describe('the execution cache through the runner', () => {
  const dir = folders.make('notebooks-');
  const data = folders.make('data-');
  const modelDir = join(folders.make('models-'), 'tiny');
  const out = folders.make('out-');
  const cacheDir = join(out, 'cache');
  const statuses = (report: RunReport) => Object.fromEntries(report.notebooks.map((n) => [n.name, n.status]));
  const run = () => runNotebooks({ notebooks: [dir], outputDir: out, html: true, jobs: 2, junit: join(out, 'junit.xml'), cache: { dir: cacheDir } });
  let first: RunReport;
  let second: RunReport;

  beforeAll(async () => {
    copyFileSync(join(referenceDataDir(), 'article_figures.csv'), join(data, 'article_figures.csv'));
    write(
      join(dir, 'a.ipynb'),
      notebook([
        ['markdown', '# a reads a data file through the library'],
        ['code', `import { loadArticleFigures } from 'llm-price-lab/cost';\nimport { median } from 'llm-price-lab/stats';\nconsole.log(loadArticleFigures(${JSON.stringify(data)}).length, median([1, 2, 3]));`],
      ]),
    );
    write(
      join(dir, 'b.ipynb'),
      notebook([
        ['markdown', '# b saves a model for c'],
        ['code', `import * as tf from '@tensorflow/tfjs';\nimport { saveModel } from 'llm-price-lab/model';\nconst m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });\nconst saved = await saveModel(m, ${JSON.stringify(modelDir)});\nconsole.log(saved.weightBytes);`],
      ]),
    );
    write(join(dir, 'c.ipynb'), notebook([['code', "console.log('c runs after b');"]], ['b']));
    write(join(dir, 'd.ipynb'), notebook([['code', "throw new Error('d fails');"]]));
    first = await run();
    rmSync(modelDir, { recursive: true });
    second = await run();
  }, 240_000);

  it('runs every notebook the first time and stores those that passed', () => {
    expect(statuses(first)).toEqual({ a: 'passed', b: 'passed', c: 'passed', d: 'failed' });
    expect(first.notebooks.map((n) => n.cacheMiss)).toEqual(['no cached result', 'no cached result', 'no cached result', 'no cached result']);
    expect(first.notebooks.filter((n) => n.cacheError)).toEqual([]);
    expect(existsSync(join(cacheDir, 'd'))).toBe(false);
  });

  it('executes nothing the second time but the failed notebook, and restores copies, pages and published folders', () => {
    expect(statuses(second)).toEqual({ a: 'cached', b: 'cached', c: 'cached', d: 'failed' });
    expect(second.exitCode).toBe(1);
    const b = second.notebooks.find((n) => n.name === 'b')!;
    expect(b.cached?.producedAt).toBe(first.startedAt);
    expect(b.outputNotebook).toBe(join(out, 'notebooks', 'b.ipynb'));
    expect(withoutTiming(readValidNotebook(b.outputNotebook!))).toEqual(withoutTiming(readValidNotebook(join(cacheDir, 'b', readdir1(join(cacheDir, 'b')), 'notebook.ipynb'))));
    expect(existsSync(join(modelDir, 'model.json'))).toBe(true);
    expect(existsSync(join(out, 'html', 'b.html'))).toBe(true);
    const saved = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(saved.notebooks.map((n) => n.status)).toEqual(['cached', 'cached', 'cached', 'failed']);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/name="b"[^>]*>\s*<properties>\s*<property name="cached" value="true"\/>/);
    expect(readFileSync(join(out, 'html', 'index.html'), 'utf8')).toMatch(/cached \(run of \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });

  it("re-runs only the notebook whose markdown changed", async () => {
    const path = join(dir, 'a.ipynb');
    const nb = JSON.parse(readFileSync(path, 'utf8')) as Notebook;
    nb.cells[0]!.source = '# a reads a data file through the library (edited)';
    write(path, nb);
    const report = await run();
    expect(statuses(report)).toEqual({ a: 'passed', b: 'cached', c: 'cached', d: 'failed' });
    expect(report.notebooks[0]!.cacheMiss).toBe('its cells or metadata changed');
  }, 120_000);

  it('re-runs the notebook whose data file changed', async () => {
    const file = join(data, 'article_figures.csv');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    const report = await run();
    expect(statuses(report)).toMatchObject({ a: 'passed', b: 'cached', c: 'cached' });
    expect(report.notebooks[0]!.cacheMiss).toBe(`${file}, which it read, changed`);
  }, 120_000);

  it('re-runs exactly the notebooks that loaded a changed library module, and those that run after them', async () => {
    const original = readFileSync(MODEL_MODULE);
    let report: RunReport;
    try {
      // A comment changes the file's content and nothing of what it does.
      writeFileAtomic(MODEL_MODULE, Buffer.concat([original, Buffer.from('\n// changed by the cache test\n')]));
      report = await run();
    } finally {
      writeFileAtomic(MODEL_MODULE, original);
    }
    expect(statuses(report)).toEqual({ a: 'cached', b: 'passed', c: 'passed', d: 'failed' });
    expect(report.notebooks[1]!.cacheMiss).toBe('dist/src/model/persist.js, which it ran, changed');
    expect(report.notebooks[2]!.cacheMiss).toBe('it runs after b, which runs again');
  }, 120_000);
});

describe('the command line: the cache by default, --cache-dir, --no-cache', () => {
  function io() {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.resume();
    return { io: { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, env: {} }, out: () => out };
  }
  const dir = folders.make('cli-');
  const nb = join(dir, 'e.ipynb');
  const out = join(dir, 'out');
  const chosen = join(dir, 'chosen-cache');

  it('caches under <output-dir>/cache, or where --cache-dir says, and runs everything with --no-cache', async () => {
    write(nb, notebook([['code', "console.log('e');"]]));
    const runs: string[] = [];
    for (const extra of [[], [], ['--cache-dir', chosen], ['--cache-dir', chosen], ['--no-cache']]) {
      const t = io();
      expect(await main(['node', 'cli', 'run', nb, '-o', out, '--no-html', '--progress', 'none', ...extra], t.io)).toBe(0);
      runs.push(/cached \(run of/.test(t.out()) ? 'cached' : 'ran');
    }
    expect(runs).toEqual(['ran', 'cached', 'ran', 'cached', 'ran']);
    expect(readdirSync(join(out, 'cache'))).toEqual(['e']);
    expect(readdirSync(chosen)).toEqual(['e']);
  }, 120_000);
});

/** The one entry folder stored for a notebook. */
function readdir1(folder: string): string {
  return readdirSync(folder).filter((name) => !name.startsWith('.'))[0]!;
}
