import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxFormatError, maybeGunzip, parseIdx } from '../../src/data/idx';
import { findIdxFile, loadIdxDirectory } from '../../src/data/load';

function images(count: number, rows = 2, cols = 3): Uint8Array {
  return encodeIdx([count, rows, cols], Uint8Array.from({ length: count * rows * cols }, (_, i) => (i * 37) % 256));
}
function labels(values: number[]): Uint8Array {
  return encodeIdx([values.length], Uint8Array.from(values));
}

describe('parseIdx', () => {
  it('reads the magic number, dimensions and data of a valid file', () => {
    const bytes = images(4);
    expect(new DataView(bytes.buffer).getUint32(0)).toBe(IDX_IMAGES_MAGIC);
    const parsed = parseIdx(bytes, 'x-images-idx3-ubyte', IDX_IMAGES_MAGIC);
    expect(parsed.dims).toEqual([4, 2, 3]);
    expect(parsed.data.length).toBe(24);
    expect(parsed.data[5]).toBe((5 * 37) % 256);
    expect(parseIdx(labels([3, 1, 4]), 'l', IDX_LABELS_MAGIC).data).toEqual(Uint8Array.from([3, 1, 4]));
  });

  it('reads gzip-compressed files the same as plain ones', () => {
    const plain = images(3);
    const gz = new Uint8Array(gzipSync(plain));
    expect(gz[0]).toBe(0x1f);
    expect(parseIdx(maybeGunzip(gz, 'a.gz'), 'a.gz').data).toEqual(parseIdx(plain, 'a').data);
  });

  it('names the file when the gzip stream is corrupt', () => {
    const gz = new Uint8Array(gzipSync(images(3)));
    const broken = gz.slice(0, gz.length - 12);
    expect(() => maybeGunzip(broken, 'broken.gz')).toThrow(IdxFormatError);
    expect(() => maybeGunzip(broken, 'broken.gz')).toThrow(/broken\.gz: corrupt gzip/);
  });

  it('refuses a truncated file, naming it and the missing bytes', () => {
    const bytes = images(4).slice(0, -5);
    expect(() => parseIdx(bytes, 'train-images-idx3-ubyte')).toThrow(
      /train-images-idx3-ubyte: truncated: header \[4, 2, 3\] announces 24 bytes of data, file has 19/,
    );
    expect(() => parseIdx(images(4).slice(0, 10), 'h')).toThrow(/truncated header/);
    expect(() => parseIdx(new Uint8Array(2), 'tiny')).toThrow(/shorter than an IDX header/);
  });

  it('refuses trailing bytes', () => {
    const bytes = new Uint8Array([...images(1), 9, 9]);
    expect(() => parseIdx(bytes, 'f')).toThrow(/2 unexpected bytes/);
  });

  it('refuses a wrong magic number with both numbers in the message', () => {
    const err = (() => {
      try {
        parseIdx(labels([1, 2]), 'swapped', IDX_IMAGES_MAGIC);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(IdxFormatError);
    expect((err as IdxFormatError).fileName).toBe('swapped');
    expect((err as Error).message).toBe('swapped: wrong magic number 0x00000801, expected 0x00000803');
    const notIdx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
    expect(() => parseIdx(notIdx, 'zip')).toThrow(/not an IDX file/);
    const floats = images(1);
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 'floats')).toThrow(/element type 0xd is not supported/);
  });
});

describe('loadIdxDirectory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the standard file names with and without prefixes and .gz', () => {
    const entries = ['README', 'kmnist-train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte.gz'];
    expect(findIdxFile(entries, 'train', 'images')).toBe('kmnist-train-images-idx3-ubyte.gz');
    expect(findIdxFile(entries, 'train', 'labels')).toBe('train-labels-idx1-ubyte');
    expect(findIdxFile(entries, 't10k', 'labels')).toBeUndefined();
  });

  it('loads train and test files (plain and gzip), scaling pixels to [0, 1]', async () => {
    const sub = join(dir, 'ok');
    await rm(sub, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    await writeFile(join(sub, 'train-images-idx3-ubyte.gz'), gzipSync(images(3)));
    await writeFile(join(sub, 'train-labels-idx1-ubyte'), labels([0, 9, 5]));
    await writeFile(join(sub, 't10k-images-idx3-ubyte'), images(2));
    await writeFile(join(sub, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels([7, 1])));
    const all = await loadIdxDirectory(sub);
    expect(all.count).toBe(5);
    expect([all.rows, all.cols]).toEqual([2, 3]);
    expect(Array.from(all.labels)).toEqual([0, 9, 5, 7, 1]);
    expect(all.images[1]).toBeCloseTo(37 / 255, 6);
    expect((await loadIdxDirectory(sub, 'test')).count).toBe(2);
  });

  it('refuses mismatched image and label counts, naming the labels file', async () => {
    const sub = join(dir, 'mismatch');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    await writeFile(join(sub, 'train-images-idx3-ubyte'), images(3));
    await writeFile(join(sub, 'train-labels-idx1-ubyte'), labels([1, 2]));
    await expect(loadIdxDirectory(sub, 'train')).rejects.toThrow(/train-labels-idx1-ubyte: 2 labels but .*train-images-idx3-ubyte holds 3 images/);
  });

  it('refuses labels outside 0..9 and missing files', async () => {
    const sub = join(dir, 'badlabel');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    await writeFile(join(sub, 'train-images-idx3-ubyte'), images(2));
    await writeFile(join(sub, 'train-labels-idx1-ubyte'), labels([1, 12]));
    await expect(loadIdxDirectory(sub, 'train')).rejects.toThrow(/label 12 at index 1/);
    await expect(loadIdxDirectory(sub, 'test')).rejects.toThrow(/no t10k-images-idx3-ubyte\[\.gz\] in this directory/);
  });

  it('refuses a truncated file on disk, naming its path', async () => {
    const sub = join(dir, 'trunc');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    await writeFile(join(sub, 'train-images-idx3-ubyte'), images(3).slice(0, -1));
    await writeFile(join(sub, 'train-labels-idx1-ubyte'), labels([1, 2, 3]));
    await expect(loadIdxDirectory(sub, 'train')).rejects.toThrow(new RegExp(`${sub.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/train-images-idx3-ubyte: truncated`));
  });
});
