/**
 * A guard: no synchronous tensor read (`dataSync()`, `arraySync()`, `bufferSync()`) in the library or
 * in the notebooks' code cells. On the `webgpu` backend (chosen automatically on a GPU) Dawn's Node
 * binding cannot read synchronously, so such a read fails there only, far from any test run on cpu or
 * wasm. A read on a tensor guaranteed to be on the cpu backend may be listed below, with its reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/paths';

/** `path` (from the project root) → why its synchronous reads are safe. None at present. */
const ALLOWED: Readonly<Record<string, string>> = {};

const SYNC_READ = /\.\s*(dataSync|arraySync|bufferSync)\s*\(/;

interface Hit {
  readonly where: string;
  readonly line: string;
}

/** Lines of `text` that read a tensor synchronously, named `where:line`. */
function syncReads(where: string, text: string): Hit[] {
  return text.split('\n').flatMap((line, i) => (SYNC_READ.test(line) ? [{ where: `${where}:${i + 1}`, line: line.trim() }] : []));
}

function libraryFiles(root: string): string[] {
  return readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|mts|js|mjs)$/.test(name))
    .map((name) => join(root, 'src', name));
}

function notebookFiles(root: string): string[] {
  return readdirSync(join(root, 'notebooks'), { encoding: 'utf8' })
    .filter((name) => name.endsWith('.ipynb'))
    .map((name) => join(root, 'notebooks', name));
}

function notebookHits(path: string, root: string): Hit[] {
  const notebook = JSON.parse(readFileSync(path, 'utf8')) as { cells: Array<{ cell_type: string; id?: string; source: string | string[] }> };
  return notebook.cells.flatMap((cell, i) => {
    if (cell.cell_type !== 'code') return [];
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    return syncReads(`${relative(root, path)} cell ${cell.id ?? i + 1}`, source);
  });
}

describe('synchronous tensor reads', () => {
  const root = projectRoot();

  it('the pattern finds each kind of synchronous read and passes over the asynchronous ones', () => {
    const sample = ['const a = t.dataSync();', 'const b = t\n  .arraySync()', 'const c = t.bufferSync();', 'const d = await t.data();', 'const e = await t.array();', '// dataSync'].join('\n');
    expect(syncReads('sample', sample).map((h) => h.where)).toEqual(['sample:1', 'sample:3', 'sample:4']);
  });

  it('none in src/ outside the allow-list', () => {
    const files = libraryFiles(root);
    expect(files.length, 'library files found').toBeGreaterThan(20);
    const hits = files
      .filter((path) => ALLOWED[relative(root, path)] === undefined)
      .flatMap((path) => syncReads(relative(root, path), readFileSync(path, 'utf8')));
    expect(hits.map((h) => `${h.where}: ${h.line}`), 'read with await tensor.data() / tensor.array() instead').toEqual([]);
  });

  it("none in the notebooks' code cells", () => {
    const notebooks = notebookFiles(root);
    expect(notebooks.length, 'notebooks found').toBeGreaterThan(0);
    const hits = notebooks.flatMap((path) => notebookHits(path, root));
    expect(hits.map((h) => `${h.where}: ${h.line}`), 'read with await tensor.data() / tensor.array() instead').toEqual([]);
  });

  it('every allow-listed file still exists and still reads synchronously', () => {
    const files = new Set(libraryFiles(root).map((path) => relative(root, path)));
    for (const [path, reason] of Object.entries(ALLOWED)) {
      expect(files.has(path), `${path} (allowed: ${reason}) no longer exists`).toBe(true);
      expect(syncReads(path, readFileSync(join(root, path), 'utf8')).length, `${path} no longer needs its allow-list entry`).toBeGreaterThan(0);
    }
  });
});
