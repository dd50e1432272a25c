/**
 * The cache key: every input the issue names changes it; outputs, execution counts and timing do
 * not. Each test below fails if its input is left out of the key.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, notebookContent, runKeyInputs, type KeyInputs, type RunKeyInputs } from '../../../src/runner/cache/key';
import { LIBRARY_ENVIRONMENT } from '../../../src/provenance';
import { RENDER_SERVICE_ENV } from '../../../src/plot/render-service';
import { projectRoot } from '../../../src/paths';
import type { Notebook } from '../../../src/runner/types';
import { tempFolders } from '../../temp-folders';
import { kernelNotebook } from '../../notebook-fixtures';

const temps = tempFolders('cache-key-');
afterAll(() => temps.removeAll());

function notebook(): Notebook {
  return kernelNotebook([
    { id: 'a', source: 'An intro', markdown: true },
    { id: 'b', source: 'console.log(1)' },
  ]);
}

const run: RunKeyInputs = {
  format: 1,
  kernel: 'k',
  runner: 'r',
  versions: { node: 'v22', tslab: '1.0.22' },
  lockfile: 'l',
  environment: { TFJS_BACKEND: null },
  threadBudget: true,
  server: 'private',
};

function inputs(): KeyInputs {
  return { run: structuredClone(run), notebook: { path: 'notebooks/x.ipynb', content: notebookContent(notebook()), parameters: { epochs: 2 }, profile: 'default', after: {} } };
}

describe('the key of a cached result', () => {
  const base = cacheKey(inputs());

  it('does not change with outputs, execution counts, cell ids or timing metadata', () => {
    const ran = notebook();
    const code = ran.cells[1]!;
    if (code.cell_type !== 'code') throw new Error('fixture');
    code.outputs = [{ output_type: 'stream', name: 'stdout', text: '1\n' }];
    code.execution_count = 7;
    code.metadata = { execution: { 'iopub.status.busy': '2026-12-05T00:00:00Z' }, collapsed: true, scrolled: false };
    ran.cells[0]!.id = 'other';
    ran.metadata.widgets = { 'application/vnd.jupyter.widget-state+json': {} };
    expect(notebookContent(ran)).toBe(notebookContent(notebook()));
  });

  it('changes with a markdown cell, a code cell, cell metadata and notebook metadata', () => {
    const edits: Array<(nb: Notebook) => void> = [
      (nb) => (nb.cells[0]!.source = 'An introduction'),
      (nb) => (nb.cells[1]!.source = 'console.log(2)'),
      (nb) => (nb.cells[1]!.metadata = { tags: ['raises-exception'] }),
      (nb) => (nb.metadata.kernelspec = { name: 'tslab' }),
      (nb) => (nb.metadata['llm-price-lab'] = { after: ['05-project-practice'] }),
    ];
    for (const edit of edits) {
      const nb = notebook();
      edit(nb);
      expect(notebookContent(nb)).not.toBe(notebookContent(notebook()));
    }
  });

  const changes: Array<[string, (i: KeyInputs) => void]> = [
    ['the notebook content', (i) => (i.notebook.content = 'other')],
    ['a parameter', (i) => (i.notebook.parameters = { epochs: 3 })],
    ['the profile', (i) => (i.notebook.profile = 'smoke')],
    ['the path', (i) => (i.notebook.path = 'elsewhere/x.ipynb')],
    ["a dependency's key", (i) => (i.notebook.after = { '05-project-practice': 'abc' })],
    ['the kernel', (i) => (i.run.kernel = 'k2')],
    ['the runner', (i) => (i.run.runner = 'r2')],
    ["the kernel's TypeScript compiler version", (i) => (i.run.versions = { ...i.run.versions, tslab: '1.0.23' })],
    ['the lockfile', (i) => (i.run.lockfile = 'l2')],
    ['an environment variable the library reads', (i) => (i.run.environment = { TFJS_BACKEND: 'wasm' })],
    ['the thread budget', (i) => (i.run.threadBudget = false)],
    ['the server', (i) => (i.run.server = 'http://127.0.0.1:8888/')],
  ];
  for (const [what, change] of changes) {
    it(`changes with ${what}`, () => {
      const changed = inputs();
      change(changed);
      expect(cacheKey(changed)).not.toBe(base);
    });
  }

  it('does not depend on the order keys were written in', () => {
    const a = inputs();
    const b: KeyInputs = { notebook: { after: {}, profile: 'default', parameters: { epochs: 2 }, content: a.notebook.content, path: a.notebook.path }, run: a.run };
    expect(cacheKey(b)).toBe(cacheKey(a));
  });
});

describe('the inputs a run reads from the project', () => {
  /** A minimal project tree with the files runKeyInputs reads. */
  function project(): string {
    const root = temps.make();
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'llm-price-lab', version: '0.1.0' }));
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    mkdirSync(join(root, 'dist', 'kernel'), { recursive: true });
    writeFileSync(join(root, 'dist', 'kernel', 'main.js'), 'module.exports = 1;\n');
    mkdirSync(join(root, 'build', 'jupyter', 'kernels', 'llm-price-lab'), { recursive: true });
    writeFileSync(join(root, 'build', 'jupyter', 'kernels', 'llm-price-lab', 'kernel.json'), '{"argv":["node"]}');
    mkdirSync(join(root, 'runner'), { recursive: true });
    writeFileSync(join(root, 'runner', 'index.js'), '// runner\n');
    for (const name of ['tslab', 'typescript']) {
      mkdirSync(join(root, 'node_modules', name), { recursive: true });
      writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ version: '1.0.0' }));
    }
    return root;
  }
  const read = (root: string, env: NodeJS.ProcessEnv = {}) =>
    cacheKey({ run: runKeyInputs({ root, runnerDir: join(root, 'runner'), threadBudget: true, server: 'private', env }), notebook: inputs().notebook });

  const edits: Array<[string, (root: string) => void]> = [
    ['a compiled kernel file', (root) => writeFileSync(join(root, 'dist', 'kernel', 'main.js'), 'module.exports = 2;\n')],
    ['the kernelspec', (root) => writeFileSync(join(root, 'build', 'jupyter', 'kernels', 'llm-price-lab', 'kernel.json'), '{"argv":["node","--x"]}')],
    ["the runner's code", (root) => writeFileSync(join(root, 'runner', 'index.js'), '// runner 2\n')],
    ['package-lock.json', (root) => writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3,"x":1}')],
    ["tslab's version", (root) => writeFileSync(join(root, 'node_modules', 'tslab', 'package.json'), JSON.stringify({ version: '1.0.1' }))],
    ["TypeScript's version", (root) => writeFileSync(join(root, 'node_modules', 'typescript', 'package.json'), JSON.stringify({ version: '5.1.0' }))],
    ["the project's version", (root) => writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'llm-price-lab', version: '0.2.0' }))],
  ];
  for (const [what, edit] of edits) {
    it(`change when ${what} changes`, () => {
      const root = project();
      const before = read(root);
      expect(read(root)).toBe(before);
      edit(root);
      expect(read(root)).not.toBe(before);
    });
  }

  it('change with each environment variable the library reads, and not with others', () => {
    const root = project();
    const before = read(root, { HOME: '/a' });
    expect(read(root, { HOME: '/b' })).toBe(before);
    // The run's shared browser has a new address each run and draws what a kernel's own would.
    expect(read(root, { [RENDER_SERVICE_ENV]: 'ws://127.0.0.1:1/a' })).toBe(before);
    for (const name of LIBRARY_ENVIRONMENT) expect(read(root, { [name]: 'x' }), name).not.toBe(before);
  });
});

describe('the list of environment variables the library reads', () => {
  /** Read by the runner, the lab command and the Jupyter process helpers, not by a kernel's library code. */
  const OUTSIDE_KERNELS = ['CI', 'JUPYTER_BASE_URL', 'JUPYTER_BIN', 'JUPYTER_PATH', 'JUPYTER_TOKEN', 'LAB_PYTHON', 'LLM_PRICE_LAB_DEBUG', 'NBFORMAT_SCHEMA'];
  /** Read by kernels, but new with every run and without effect on what they compute (see render-service.ts). */
  const PER_RUN = [RENDER_SERVICE_ENV];
  const NOT_IN_KEY = new Set([...OUTSIDE_KERNELS, ...PER_RUN]);

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
    });
  }

  it('names every variable read anywhere in src/ (the key would miss a change to one left out)', () => {
    const read = new Set<string>();
    for (const file of sources(join(projectRoot(), 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g)) read.add(match[1]!);
      for (const match of text.matchAll(/\b[A-Z_]+_ENV = '([A-Z][A-Z0-9_]+)'/g)) read.add(match[1]!);
    }
    expect(read.size).toBeGreaterThan(5);
    const unlisted = [...read].filter((name) => !NOT_IN_KEY.has(name) && !(LIBRARY_ENVIRONMENT as readonly string[]).includes(name));
    expect(unlisted).toEqual([]);
  });
});
