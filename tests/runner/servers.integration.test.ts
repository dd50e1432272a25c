/**
 * `--server` against plain Jupyter Servers started apart from the run: the session path resolved
 * against each server's root through the contents API, several servers sharing one run, a
 * notebook outside a server's root refused; and notebooks that declare what they wait for.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerInputError, runNotebooks } from '../../src/runner';
import { startServer, type RunningServer } from '../../src/runner/server';
import { candidatePaths } from '../../src/runner/server-path';
import { writeNotebook } from '../faults/helpers';
import { tempFolders } from '../temp-folders';
import { cellById, fixture, readValidNotebook, streamText, withoutTiming } from './helpers';

const folders = tempFolders('runner-servers-');
const tmp = folders.make;
afterAll(() => folders.removeAll());

describe('candidatePaths', () => {
  it('lists the trailing parts of an absolute path, longest first', () => {
    expect(candidatePaths('/home/ada/lab/nb.ipynb')).toEqual(['home/ada/lab/nb.ipynb', 'ada/lab/nb.ipynb', 'lab/nb.ipynb', 'nb.ipynb']);
  });
});

describe('--server, once or several times', () => {
  // The servers' root is one folder above the notebooks, as on a JupyterHub whose user folder holds the project.
  const root = tmp();
  const notebooks = join(root, 'project', 'notebooks');
  const names = ['success', 'display', 'tags', 'where'];
  let servers: RunningServer[] = [];

  beforeAll(async () => {
    mkdirSync(notebooks, { recursive: true });
    for (const name of ['success', 'display', 'tags']) copyFileSync(fixture(name), join(notebooks, `${name}.ipynb`));
    writeNotebook(notebooks, 'where', ['console.log(process.cwd());']);
    servers = await Promise.all([startServer({ rootDir: root }), startServer({ rootDir: root })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  const paths = () => names.map((name) => join(notebooks, `${name}.ipynb`));
  const endpoint = (s: RunningServer) => ({ baseUrl: s.baseUrl, token: s.token });

  it('two servers give the same notebooks as one, each kernel in its notebook folder under the root', async () => {
    const single = tmp();
    const spread = tmp();
    const one = await runNotebooks({ notebooks: paths(), outputDir: single, html: false, jobs: 2, server: endpoint(servers[0]) });
    const two = await runNotebooks({ notebooks: paths(), outputDir: spread, html: false, jobs: 2, server: servers.map(endpoint) });
    expect(one.exitCode).toBe(0);
    expect(two.exitCode).toBe(0);
    // Both servers took part.
    expect(new Set(two.notebooks.map((n) => n.server))).toEqual(new Set(servers.map((s) => s.baseUrl)));
    for (const name of names) {
      const a = readValidNotebook(join(single, 'notebooks', `${name}.ipynb`));
      const b = readValidNotebook(join(spread, 'notebooks', `${name}.ipynb`));
      expect(withoutTiming(b)).toEqual(withoutTiming(a));
    }
    // Before, the path was taken relative to the current folder and fell back to the base name:
    // the kernel then ran in the server's root, not the notebook's folder.
    expect(streamText(cellById(readValidNotebook(join(spread, 'notebooks', 'where.ipynb')), 'c1'))).toBe(`${notebooks}\n`);
  }, 180_000);

  it('a notebook outside the server root is refused with a one-line error before anything runs', async () => {
    const elsewhere = tmp();
    writeNotebook(elsewhere, 'outside', ["console.log('never');"]);
    const out = join(tmp(), 'out');
    const run = runNotebooks({ notebooks: [join(elsewhere, 'outside.ipynb')], outputDir: out, server: endpoint(servers[0]) });
    await expect(run).rejects.toThrow(RunnerInputError);
    await expect(run).rejects.toThrow(/outside\.ipynb: not under the root folder of the server at http:\/\/127\.0\.0\.1:\d+\/ /);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('notebooks that use what another writes', () => {
  it('start only after it finished, also with -j 2 (the order never depends on -j)', async () => {
    const dir = tmp();
    const file = join(dir, 'model.txt');
    // The writer takes its time; a reader started beside it would find nothing.
    writeNotebook(dir, 'a-writer', [
      `await new Promise((resolve) => setTimeout(resolve, 2_000));\nrequire('node:fs').writeFileSync(${JSON.stringify(file)}, 'trained');`,
    ]);
    writeNotebook(dir, 'b-reader', [`console.log(require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'));`], {
      'llm-price-lab': { after: ['a-writer'] },
    });
    const out = tmp();
    const report = await runNotebooks({ notebooks: [dir], outputDir: out, html: false, jobs: 2 });
    expect(report.notebooks.map((n) => [n.name, n.status])).toEqual([
      ['a-writer', 'passed'],
      ['b-reader', 'passed'],
    ]);
    expect(report.notebooks[1].after).toEqual(['a-writer']);
    expect(streamText(cellById(readValidNotebook(join(out, 'notebooks', 'b-reader.ipynb')), 'c1'))).toBe('trained\n');
  }, 120_000);

  it('the project notebooks that load 05-project-practice\'s model declare it', () => {
    const project = join(dirname(fixture('success')), '..', '..', '..', 'notebooks');
    for (const name of ['06-applications', '08-trends', '09-faq']) {
      const nb = JSON.parse(readFileSync(join(project, `${name}.ipynb`), 'utf8')) as { metadata: Record<string, unknown> };
      expect(nb.metadata['llm-price-lab'], name).toEqual({ after: ['05-project-practice'] });
    }
  });
});
