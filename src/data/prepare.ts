import * as tf from '@tensorflow/tfjs';
import type { DigitSet } from './digits';
import { computeNormalization, normalizeImages, type NormalizationStats } from './normalize';
import { randomInt, type Random } from './random';
import { DEFAULT_SPLIT, splitIndices, type SplitIndices, type SplitSizes } from './split';

/**
 * One split, kept on the CPU; `toTensors` turns it into model input. Its fields are a `DigitSet`'s
 * but for `source`, and its `images` are normalised ((x − mean) / std), no longer in [0, 1].
 */
export type DigitSplit = Omit<DigitSet, 'source'>;

export interface PreparedDigits {
  readonly train: DigitSplit;
  readonly validation: DigitSplit;
  readonly test: DigitSplit;
  /** Computed on the training split only, applied to all three. */
  readonly stats: NormalizationStats;
  /** Positions of each split's images in the source set. */
  readonly indices: SplitIndices;
  readonly source: string;
}

export interface PrepareOptions {
  /** Split sizes (counts or fractions); default 80 / 10 / 10 %. */
  split?: SplitSizes;
  /** Seed of the split; same seed, same split. Default 0. */
  seed?: number;
}

function gatherSplit(set: DigitSet, indices: Int32Array, stats: NormalizationStats): DigitSplit {
  const pixels = set.rows * set.cols;
  const labels = new Uint8Array(indices.length);
  indices.forEach((i, k) => (labels[k] = set.labels[i]!));
  return {
    images: normalizeImages(set.images, pixels, indices, stats),
    labels,
    count: indices.length,
    rows: set.rows,
    cols: set.cols,
    classes: set.classes,
  };
}

/**
 * The article's preprocessing: a seeded train / validation / test split, then (x − mean) / std with
 * the training split's statistics applied to every split.
 */
export function prepareDigits(set: DigitSet, options: PrepareOptions = {}): PreparedDigits {
  const indices = splitIndices(set.count, options.split ?? DEFAULT_SPLIT, options.seed ?? 0);
  const stats = computeNormalization(set.images, set.rows * set.cols, indices.train);
  return {
    train: gatherSplit(set, indices.train, stats),
    validation: gatherSplit(set, indices.validation, stats),
    test: gatherSplit(set, indices.test, stats),
    stats,
    indices,
    source: set.source,
  };
}

/** One-hot rows: `labels.length × classes`, 1 at each label. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`oneHot: label ${label} at index ${i} is not in 0..${classes - 1}`);
    }
    out[i * classes + label] = 1;
  }
  return out;
}

/** Splits 0..count-1 (or the given order, e.g. a seeded permutation) into batches; the last may be smaller. */
export function batchIndices(count: number, batchSize: number, order?: Int32Array): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize: ${batchSize} is not a positive integer`);
  const all = order ?? Int32Array.from({ length: count }, (_, i) => i);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) batches.push(all.slice(start, Math.min(count, start + batchSize)));
  return batches;
}

/**
 * Copies one image shifted by (dy, dx) pixels into `out`, filling uncovered pixels with `fill`
 * (the normalised background).
 */
export function shiftImage(
  src: Float32Array,
  srcOffset: number,
  rows: number,
  cols: number,
  dy: number,
  dx: number,
  fill: number,
  out: Float32Array,
  outOffset: number,
): void {
  for (let r = 0; r < rows; r += 1) {
    const sr = r - dy;
    for (let c = 0; c < cols; c += 1) {
      const sc = c - dx;
      out[outOffset + r * cols + c] = sr >= 0 && sr < rows && sc >= 0 && sc < cols ? src[srcOffset + sr * cols + sc]! : fill;
    }
  }
}

/** Augmentation by small random shifts: each image moves by up to `maxShift` pixels each way. */
export interface ShiftAugmentation {
  maxShift: number;
  /** Value of the pixels uncovered by a shift: the normalised background (−mean / std). */
  fill: number;
}

/** Gathers a batch of images (optionally shifted at random) and their one-hot labels. */
export function gatherBatch(
  split: DigitSplit,
  indices: Int32Array,
  augment?: { shift: ShiftAugmentation; random: Random },
): { images: Float32Array; oneHot: Float32Array; labels: Uint8Array } {
  const pixels = split.rows * split.cols;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  indices.forEach((i, k) => {
    labels[k] = split.labels[i]!;
    if (augment === undefined || augment.shift.maxShift === 0) {
      images.set(split.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    } else {
      const span = 2 * augment.shift.maxShift + 1;
      const dy = randomInt(augment.random, span) - augment.shift.maxShift;
      const dx = randomInt(augment.random, span) - augment.shift.maxShift;
      shiftImage(split.images, i * pixels, split.rows, split.cols, dy, dx, augment.shift.fill, images, k * pixels);
    }
  });
  return { images, oneHot: oneHot(labels, split.classes), labels };
}

/** A split as model input: images `[count, rows, cols, 1]` and one-hot labels `[count, classes]`. */
export function toTensors(split: DigitSplit): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return {
    xs: tf.tensor4d(split.images, [split.count, split.rows, split.cols, 1]),
    ys: tf.tensor2d(oneHot(split.labels, split.classes), [split.count, split.classes]),
  };
}

/** A subset of a split (e.g. the first n images for a smoke run). */
export function takeSplit(split: DigitSplit, count: number): DigitSplit {
  const n = Math.min(count, split.count);
  const pixels = split.rows * split.cols;
  return { ...split, images: split.images.slice(0, n * pixels), labels: split.labels.slice(0, n), count: n };
}
