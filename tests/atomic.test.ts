import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AtomicWriteError, folderBeingReplaced, publishFolder, writeFileAtomic } from '../src/atomic';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atomic-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates the folder, writes text and bytes, and replaces a previous file', () => {
    const path = join(dir, 'a', 'b', 'report.json');
    writeFileAtomic(path, '{"first":1}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"first":1}\n');
    writeFileAtomic(path, new Uint8Array([0x6f, 0x6b]));
    expect(readFileSync(path, 'utf8')).toBe('ok');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['report.json']);
  });

  it('leaves the previous file intact, and no temporary file, when the write fails half-way', () => {
    const path = join(dir, 'notebook.ipynb');
    writeFileSync(path, 'previous content');
    const realWrite = fs.writeSync;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: string) => {
      realWrite(fd, data.slice(0, 3));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as unknown as typeof fs.writeSync);
    expect(() => writeFileAtomic(path, 'new content that does not fit')).toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('previous content');
    expect(readdirSync(dir)).toEqual(['notebook.ipynb']);
  });
});

describe('publishFolder', () => {
  it('creates the folder with exactly the given files, and replaces it whole', async () => {
    const target = join(dir, 'parent', 'model');
    await publishFolder(target, { 'model.json': '{}', 'weights.bin': new Uint8Array([1, 2, 3]), 'old.txt': 'x' });
    expect(readdirSync(target).sort()).toEqual(['model.json', 'old.txt', 'weights.bin']);
    expect([...readFileSync(join(target, 'weights.bin'))]).toEqual([1, 2, 3]);
    await publishFolder(target, { 'model.json': '{"v":2}' });
    expect(readdirSync(target)).toEqual(['model.json']);
    expect(readFileSync(join(target, 'model.json'), 'utf8')).toBe('{"v":2}');
    expect(readdirSync(join(dir, 'parent'))).toEqual(['model']);
    expect(await folderBeingReplaced(target)).toBe(false);
  });

  it('leaves the previous folder intact, and nothing beside it, when a file cannot be written', async () => {
    const target = join(dir, 'model');
    await publishFolder(target, { 'model.json': 'v1', 'weights.bin': 'w1' });
    const unwritable = 42 as unknown as string; // fs.writeFile rejects a number
    await expect(publishFolder(target, { 'model.json': 'v2', 'weights.bin': unwritable })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['model']);
    expect(readFileSync(join(target, 'model.json'), 'utf8')).toBe('v1');
    expect(readFileSync(join(target, 'weights.bin'), 'utf8')).toBe('w1');
  });

  it('refuses a name that is not a plain file name, naming it', async () => {
    await expect(publishFolder(join(dir, 'm'), { '../escape.txt': 'x' })).rejects.toThrow(AtomicWriteError);
    await expect(publishFolder(join(dir, 'm'), { 'sub/x.txt': 'x' })).rejects.toThrow(/m\/sub\/x\.txt: is not a plain file name/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('tells a reader that a folder is being replaced while its predecessor is set aside', async () => {
    const target = join(dir, 'model');
    expect(await folderBeingReplaced(target)).toBe(false);
    writeFileSync(join(dir, 'model.old-123-abcd'), '');
    expect(await folderBeingReplaced(target)).toBe(true);
  });
});
