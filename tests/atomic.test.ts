import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicWriteError, folderBeingReplaced, publishFolder, writeFileAtomic } from '../src/atomic';
import { projectRoot } from '../src/paths';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atomic-'));
});
afterEach(() => {
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

  it('leaves the previous file intact, and no temporary file, when the disk fills half-way', () => {
    const path = join(dir, 'notebook.ipynb');
    writeFileSync(path, 'previous content');
    // A file size limit (RLIMIT_FSIZE) stands in for a full disk: write() stops short at 256 KiB,
    // then fails with EFBIG. A writer that ignored the short count would rename a truncated file in.
    const atomic = join(projectRoot(), 'dist', 'src', 'atomic.js');
    const script = `try { require(${JSON.stringify(atomic)}).writeFileAtomic(${JSON.stringify(path)}, 'y'.repeat(400000)); console.log('written'); } catch (e) { console.log(e.code); }`;
    const child = spawnSync('prlimit', ['--fsize=262144', '--', process.execPath, '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('EFBIG');
    expect(readFileSync(path, 'utf8')).toBe('previous content');
    expect(readdirSync(dir)).toEqual(['notebook.ipynb']);
  });

  it('leaves the previous file intact when the data cannot be written at all', () => {
    const path = join(dir, 'report.json');
    writeFileSync(path, '{}');
    expect(() => writeFileAtomic(path, 42 as unknown as string)).toThrow(/must be of type string/);
    expect(readFileSync(path, 'utf8')).toBe('{}');
    expect(readdirSync(dir)).toEqual(['report.json']);
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
