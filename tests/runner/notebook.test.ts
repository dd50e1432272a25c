import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunnerInputError } from '../../src/runner/errors';
import { parseNotebook, readNotebook, validateNotebook, writeNotebook, withoutErrorNotes } from '../../src/runner/notebook';
import type { Notebook } from '../../src/runner/types';
import { tempFolders } from '../temp-folders';

const valid = (): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'llm-price-lab', display_name: 'TS' } },
  cells: [
    { id: 'a1', cell_type: 'code', metadata: {}, source: '1', outputs: [], execution_count: null },
    { id: 'b2', cell_type: 'markdown', metadata: {}, source: ['# x\n', 'y'] },
  ],
});

describe('validateNotebook (official nbformat 4.5 schema)', () => {
  it('accepts a valid notebook', () => {
    expect(validateNotebook(valid())).toEqual([]);
  });

  it('rejects a cell without id, a bad id, a wrong output and an unknown top-level key', () => {
    const noId = valid() as unknown as { cells: Array<Record<string, unknown>> };
    delete noId.cells[0].id;
    expect(validateNotebook(noId).join()).toMatch(/id/);
    const badId = valid();
    badId.cells[0].id = 'has space';
    expect(validateNotebook(badId)).not.toEqual([]);
    const badOutput = valid() as unknown as { cells: Array<{ outputs?: unknown[] }> };
    badOutput.cells[0].outputs = [{ output_type: 'stream', name: 'stdout' }];
    expect(validateNotebook(badOutput)).not.toEqual([]);
    expect(validateNotebook({ ...valid(), extra: 1 })).not.toEqual([]);
  });
});

describe('parseNotebook', () => {
  it('names the file and the problem in one line', () => {
    expect(() => parseNotebook('x.ipynb', '{not json')).toThrow(/^x\.ipynb: not JSON/);
    expect(() => parseNotebook('x.ipynb', '[]')).toThrow('x.ipynb: not a notebook (expected a JSON object)');
    expect(() => parseNotebook('x.ipynb', JSON.stringify({ ...valid(), nbformat: 3 }))).toThrow(/nbformat 3 is not supported/);
    const bad = valid() as unknown as { cells: Array<Record<string, unknown>> };
    bad.cells[0].source = 42;
    expect(() => parseNotebook('x.ipynb', JSON.stringify(bad))).toThrow(RunnerInputError);
    expect(() => parseNotebook('x.ipynb', JSON.stringify(bad))).toThrow(/^x\.ipynb: invalid nbformat 4\.5 notebook: \/cells\/0/);
    const noKernel = { ...valid(), metadata: {} };
    expect(() => parseNotebook('x.ipynb', JSON.stringify(noKernel))).toThrow(/kernelspec\.name is missing/);
  });

  it('upgrades nbformat 4.4 by giving cells ids', () => {
    const old = valid() as unknown as { nbformat_minor: number; cells: Array<Record<string, unknown>> };
    old.nbformat_minor = 4;
    for (const cell of old.cells) delete cell.id;
    const nb = parseNotebook('old.ipynb', JSON.stringify(old));
    expect(nb.nbformat_minor).toBe(5);
    expect(nb.cells.every((c) => /^[a-f0-9]{8}$/.test(c.id))).toBe(true);
  });

  it('reads a fixture notebook from disk and reports an unreadable path', () => {
    expect(readNotebook(join(__dirname, '../fixtures/runner/success.ipynb')).cells.length).toBeGreaterThan(2);
    expect(() => readNotebook('/nonexistent/n.ipynb')).toThrow(/^\/nonexistent\/n\.ipynb: cannot read/);
  });
});

describe('writeNotebook', () => {
  const folders = tempFolders('nb-write-');
  afterAll(() => folders.removeAll());

  it('writes atomically (no temporary file left) and round-trips', () => {
    const dir = folders.make();
    const path = join(dir, 'sub', 'out.ipynb');
    writeNotebook(path, valid());
    writeFileSync(join(dir, 'keep.txt'), 'x');
    writeNotebook(path, { ...valid(), cells: [] });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['out.ipynb']);
    expect(JSON.parse(readFileSync(path, 'utf8')).cells).toEqual([]);
  });

  it('removes error notes of an earlier run', () => {
    const nb = valid();
    nb.cells.unshift({ id: 'runner-error-note', cell_type: 'markdown', metadata: { tags: ['runner-error-note'] }, source: 'x' });
    expect(withoutErrorNotes(nb).cells.map((c) => c.id)).toEqual(['a1', 'b2']);
  });
});
