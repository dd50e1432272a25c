/**
 * The cache on disk: a stored result is found again and restored; a damaged entry, one made under
 * other inputs (another kernel), and one whose recorded data or library module changed are never used.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyInputs } from '../../../src/runner/cache/key';
import { cacheKey } from '../../../src/runner/cache/key';
import { consultCache, dependencyOrder, type CacheItem } from '../../../src/runner/cache/plan';
import { ENTRIES_PER_NOTEBOOK, NOTHING_CACHED, openCache, type Produced } from '../../../src/runner/cache/store';
import type { Notebook } from '../../../src/runner/types';
import { tempFolders } from '../../temp-folders';

const temps = tempFolders('cache-store-');
afterAll(() => temps.removeAll());

const inputs = (kernel = 'k1'): KeyInputs => ({
  run: { format: 1, kernel, runner: 'r', versions: {}, lockfile: 'l', environment: {}, threadBudget: true, server: 'private' },
  notebook: { path: 'notebooks/a.ipynb', content: 'c', parameters: {}, profile: 'default', after: {} },
});

/** A project folder with a data file, a library module and a published folder, and a cache in it. */
function setup() {
  const root = temps.make();
  const files = {
    notebook: join(root, 'out', 'a.ipynb'),
    html: join(root, 'out', 'a.html'),
    data: join(root, 'notebooks', 'data', 'prices.csv'),
    module: join(root, 'dist', 'src', 'model', 'train.js'),
    published: join(root, 'build', 'models', 'cnn'),
  };
  mkdirSync(join(root, 'out'));
  mkdirSync(join(root, 'notebooks', 'data'), { recursive: true });
  mkdirSync(join(root, 'dist', 'src', 'model'), { recursive: true });
  mkdirSync(files.published, { recursive: true });
  writeFileSync(files.notebook, '{"cells":[]}\n');
  writeFileSync(files.html, '<html>a</html>');
  writeFileSync(files.data, 'model,price\nx,1\n');
  writeFileSync(files.module, 'exports.x = 1;\n');
  writeFileSync(join(files.published, 'model.json'), '{}');
  writeFileSync(join(files.published, 'weights.bin'), 'weights');
  const cache = openCache(join(root, 'build', 'cache'), root);
  const produced = (key: string, given: KeyInputs = inputs(), producedAt = '2026-12-05T04:00:00.000Z'): Produced => ({
    name: 'a',
    key,
    inputs: given,
    producedAt,
    seconds: 12.5,
    cellsRun: 3,
    codeCells: 3,
    notebookFile: files.notebook,
    htmlFile: files.html,
    reads: [files.data],
    modules: [files.module],
    writes: [files.published],
  });
  return { root, files, cache, produced };
}

describe('the execution cache on disk', () => {
  it('finds a stored result and restores its copy, page and published folder', async () => {
    const { root, files, cache, produced } = setup();
    const key = cacheKey(inputs());
    await cache.store(produced(key));
    const found = cache.lookup('a', key, inputs());
    expect(found.kind).toBe('hit');
    if (found.kind !== 'hit') return;
    expect(found.entry).toMatchObject({ producedAt: '2026-12-05T04:00:00.000Z', seconds: 12.5, cellsRun: 3 });
    expect(found.entry.reads.map((r) => r.path)).toEqual(['notebooks/data/prices.csv']);
    rmSync(files.published, { recursive: true });
    const target = join(root, 'restored', 'a.ipynb');
    const restored = await cache.restore(found, { notebook: target, html: join(root, 'restored', 'a.html') });
    expect(restored.html).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('{"cells":[]}\n');
    expect(readFileSync(join(root, 'restored', 'a.html'), 'utf8')).toBe('<html>a</html>');
    expect(readFileSync(join(files.published, 'weights.bin'), 'utf8')).toBe('weights');
  });

  it('says nothing is cached, then names what changed since the newest entry', async () => {
    const { cache, produced } = setup();
    expect(cache.lookup('a', 'nokey', inputs())).toEqual({ kind: 'miss', reason: NOTHING_CACHED });
    await cache.store(produced(cacheKey(inputs())));
    const other = inputs('k2');
    const found = cache.lookup('a', cacheKey(other), other);
    expect(found).toEqual({ kind: 'miss', reason: 'the kernel changed' });
  });

  it('never uses an entry made by another kernel version, even under the same key', async () => {
    const { root, cache, produced } = setup();
    const key = cacheKey(inputs());
    await cache.store(produced(key, inputs('another kernel')));
    const found = cache.lookup('a', key, inputs());
    expect(found.kind).toBe('miss');
    if (found.kind === 'miss') expect(found.reason).toMatch(/damaged \(its recorded inputs do not match its key\)/);
    expect(existsSync(join(root, 'build', 'cache', 'a', key))).toBe(false);
  });

  const damages: Array<[string, (folder: string) => void, RegExp]> = [
    ['a truncated entry.json', (folder) => truncateSync(join(folder, 'entry.json'), 40), /entry\.json/],
    ['an entry.json of another format', (folder) => writeFileSync(join(folder, 'entry.json'), '{"format":0}'), /not a format-1 entry/],
    ['a truncated notebook copy', (folder) => truncateSync(join(folder, 'notebook.ipynb'), 3), /notebook\.ipynb/],
    ['a changed page', (folder) => writeFileSync(join(folder, 'page.html'), 'x'), /page\.html/],
    ['a truncated published file', (folder) => truncateSync(join(folder, 'writes', '0', 'weights.bin'), 2), /build\/models\/cnn/],
  ];
  for (const [what, damage, reason] of damages) {
    it(`removes ${what} and runs the notebook again`, async () => {
      const { root, cache, produced } = setup();
      const key = cacheKey(inputs());
      await cache.store(produced(key));
      const folder = join(root, 'build', 'cache', 'a', key);
      damage(folder);
      const found = cache.lookup('a', key, inputs());
      expect(found.kind).toBe('miss');
      if (found.kind === 'miss') expect(found.reason).toMatch(reason);
      expect(existsSync(folder)).toBe(false);
    });
  }

  it('misses when a data file it read changed, and names it', async () => {
    const { files, cache, produced } = setup();
    const key = cacheKey(inputs());
    await cache.store(produced(key));
    writeFileSync(files.data, 'model,price\nx,2\n');
    expect(cache.lookup('a', key, inputs())).toEqual({ kind: 'miss', reason: 'notebooks/data/prices.csv, which it read, changed' });
  });

  it('misses when a library module it ran changed, and names it', async () => {
    const { files, cache, produced } = setup();
    const key = cacheKey(inputs());
    await cache.store(produced(key));
    writeFileSync(files.module, 'exports.x = 2;\n');
    expect(cache.lookup('a', key, inputs())).toEqual({ kind: 'miss', reason: 'dist/src/model/train.js, which it ran, changed' });
  });

  it('does not hold a folder it published itself against it', async () => {
    const { files, cache, produced } = setup();
    const key = cacheKey(inputs());
    await cache.store({ ...produced(key), reads: [files.data, files.published] });
    writeFileSync(join(files.published, 'weights.bin'), 'other weights');
    expect(cache.lookup('a', key, inputs()).kind).toBe('hit');
  });

  it(`keeps the newest ${ENTRIES_PER_NOTEBOOK} entries of a notebook`, async () => {
    const { root, cache, produced } = setup();
    for (let i = 0; i < ENTRIES_PER_NOTEBOOK + 2; i += 1) {
      const given = inputs(`k${i}`);
      await cache.store(produced(cacheKey(given), given, `2026-12-05T0${i}:00:00.000Z`));
    }
    const kept = readdirSync(join(root, 'build', 'cache', 'a'));
    expect(kept).toHaveLength(ENTRIES_PER_NOTEBOOK);
    expect(cache.lookup('a', cacheKey(inputs('k0')), inputs('k0')).kind).toBe('miss');
    expect(cache.lookup('a', cacheKey(inputs('k4')), inputs('k4')).kind).toBe('hit');
  });
});

describe('which notebooks of a run the cache answers', () => {
  const nb = (source: string): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'x', cell_type: 'markdown', metadata: {}, source }] });
  const item = (name: string, after: string[] = [], source = name): CacheItem => ({ name, path: `/p/notebooks/${name}.ipynb`, notebook: nb(source), parameters: {}, profile: 'default', after });
  const run = inputs().run;

  it('orders notebooks after those they run after', () => {
    const order = dependencyOrder([item('c', ['b']), item('b', ['a']), item('a'), item('d')]).map((i) => i.name);
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c'));
  });

  it("keys a notebook on the key of the one it runs after, and runs it again when that one runs again", async () => {
    const { root, cache, produced } = setup();
    const items = [item('a'), item('b', ['a'])];
    const first = consultCache(cache, items, run, '/p', true);
    const a = first.get('a')!;
    const b = first.get('b')!;
    expect(b.inputs.notebook.after).toEqual({ a: a.key });
    // Both stored: both answered.
    await cache.store({ ...produced(a.key, a.inputs), name: 'a' });
    await cache.store({ ...produced(b.key, b.inputs), name: 'b' });
    const second = consultCache(cache, items, run, '/p', true);
    expect([second.get('a')!.kind, second.get('b')!.kind]).toEqual(['hit', 'hit']);
    // a's source changes: a runs, and so does b, whose key changes with a's.
    const edited = [item('a', [], 'a, edited'), item('b', ['a'])];
    const third = consultCache(cache, edited, run, '/p', true);
    expect(third.get('a')).toMatchObject({ kind: 'miss', reason: 'its cells or metadata changed' });
    expect(third.get('b')).toMatchObject({ kind: 'miss', reason: 'it runs after a, which runs again' });
    expect(third.get('b')!.key).not.toBe(b.key);
    // Without lookup nothing is answered.
    const fourth = consultCache(cache, items, run, '/p', false);
    expect([fourth.get('a')!.kind, fourth.get('b')!.kind]).toEqual(['miss', 'miss']);
    expect(root).toBeTruthy();
  });
});
