import { describe, expect, it } from 'vitest';
import type { DigitSet } from '../../src/data/digits';
import { loadMnistPackage } from '../../src/data/load';
import { computeNormalization, normalizeImages } from '../../src/data/normalize';
import { batchIndices, gatherBatch, oneHot, prepareDigits, shiftImage } from '../../src/data/prepare';
import { createRandom } from '../../src/data/random';
import { splitIndices, SplitError } from '../../src/data/split';

function tinySet(count: number): DigitSet {
  const images = Float32Array.from({ length: count * 4 }, (_, i) => (i % 7) / 7);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, rows: 2, cols: 2, classes: 10, source: 'tiny' };
}

describe('normalisation', () => {
  it('computes mean and std over the given images only', () => {
    const images = Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 10, 10, 10, 10]);
    const stats = computeNormalization(images, 4, [0, 1]);
    expect(stats.mean).toBeCloseTo(0.5, 12);
    expect(stats.std).toBeCloseTo(0.5, 12);
    const out = normalizeImages(images, 4, [2, 0], stats);
    expect(Array.from(out.slice(0, 1))).toEqual([19]);
    expect(out[4]).toBeCloseTo(-1, 12);
  });

  it('prepareDigits uses the training split statistics for every split', () => {
    const set = tinySet(50);
    const prepared = prepareDigits(set, { split: { train: 30, validation: 10, test: 10 }, seed: 3 });
    const expected = computeNormalization(set.images, 4, prepared.indices.train);
    expect(prepared.stats).toEqual(expected);
    let mean = 0;
    prepared.train.images.forEach((v) => (mean += v));
    expect(mean / prepared.train.images.length).toBeCloseTo(0, 5);
    const i = prepared.indices.test[0]!;
    expect(prepared.test.images[0]).toBeCloseTo((set.images[i * 4]! - expected.mean) / expected.std, 5);
    expect(prepared.test.labels[0]).toBe(set.labels[i]);
  });
});

describe('split', () => {
  it('is deterministic for a seed, disjoint, and of the asked sizes', () => {
    const a = splitIndices(10_000, undefined, 7);
    const b = splitIndices(10_000, undefined, 7);
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([8000, 1000, 1000]);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    const all = new Set([...a.train, ...a.validation, ...a.test]);
    expect(all.size).toBe(10_000);
    const c = splitIndices(10_000, undefined, 8);
    expect(Array.from(c.test)).not.toEqual(Array.from(a.test));
  });

  it('accepts counts and refuses sizes beyond the set', () => {
    expect(splitIndices(100, { train: 50, validation: 20, test: 5 }, 1).validation.length).toBe(20);
    expect(() => splitIndices(100, { train: 90, validation: 20, test: 0 })).toThrow(SplitError);
    expect(() => splitIndices(100, { train: 90, validation: 20, test: 0 })).toThrow(/asks for 110 images/);
    expect(() => splitIndices(100, { train: -1, validation: 0, test: 0 })).toThrow(/split\.train/);
  });
});

describe('labels, batches and augmentation', () => {
  it('one-hot encodes and refuses labels out of range', () => {
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHot([3], 3)).toThrow(/label 3 at index 0/);
  });

  it('batches cover every index once, the last batch smaller', () => {
    const batches = batchIndices(10, 4);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => Array.from(b))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('shifts an image and fills the uncovered pixels', () => {
    const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = new Float32Array(9);
    shiftImage(src, 0, 3, 3, 1, -1, 0, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 0, 2, 3, 0, 5, 6, 0]);
  });

  it('augmented batches are seeded: same seed, same shifts', () => {
    const prepared = prepareDigits(tinySet(20), { split: { train: 20, validation: 0, test: 0 } });
    const take = (seed: number) =>
      gatherBatch(prepared.train, Int32Array.from([0, 1, 2]), { shift: { maxShift: 1, fill: -9 }, random: createRandom(seed) }).images;
    expect(Array.from(take(5))).toEqual(Array.from(take(5)));
    const plain = gatherBatch(prepared.train, Int32Array.from([0, 1, 2])).images;
    expect(Array.from(take(5))).not.toEqual(Array.from(plain));
  });
});

describe('mnist package', () => {
  it('loads the 10,000 real digits with about 1,000 per class', async () => {
    const set = await loadMnistPackage();
    expect(set.count).toBe(10_000);
    expect([set.rows, set.cols]).toEqual([28, 28]);
    const perClass = new Array<number>(10).fill(0);
    set.labels.forEach((l) => (perClass[l]! += 1));
    for (const n of perClass) expect(n).toBeGreaterThan(800);
    let max = 0;
    let nonZero = 0;
    set.images.forEach((v) => {
      max = Math.max(max, v);
      if (v > 0) nonZero += 1;
    });
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    expect(nonZero / set.images.length).toBeGreaterThan(0.1);
  });
});
