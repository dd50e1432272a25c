import { createRandom, permutation } from './random';
import { ProjectError } from '../errors';

/**
 * Sizes of a split: counts of images (all whole numbers), or fractions of the set (all in [0, 1],
 * at least one strictly between, summing to at most 1).
 */
export interface SplitSizes {
  train: number;
  validation: number;
  test: number;
}

/** The article's split of the 10,000 digits: 8,000 train, 1,000 validation, 1,000 test. */
export const DEFAULT_SPLIT: SplitSizes = { train: 0.8, validation: 0.1, test: 0.1 };

export interface SplitIndices {
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

/** Split sizes that cannot be met. */
export class SplitError extends ProjectError<{ parameter: string; problem: string }> {
  constructor(
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(`${parameter}: ${problem}`, { parameter, problem });
  }
}

function toCounts(count: number, sizes: SplitSizes): [number, number, number] {
  const values = [sizes.train, sizes.validation, sizes.test];
  for (const [name, v] of [['train', sizes.train], ['validation', sizes.validation], ['test', sizes.test]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new SplitError(`split.${name}`, `${v} is not a non-negative size`);
  }
  const fractions = values.every((v) => v <= 1) && values.some((v) => v > 0 && v < 1);
  const counts = fractions ? values.map((v) => Math.round(v * count)) : values.map((v) => Math.floor(v));
  const total = counts[0]! + counts[1]! + counts[2]!;
  if (total > count) {
    throw new SplitError('split', `asks for ${total} images (${counts.join(' + ')}) but the set has ${count}`);
  }
  if (counts[0] === 0) throw new SplitError('split.train', 'the training split is empty');
  return counts as [number, number, number];
}

/**
 * A seeded, deterministic train / validation / test split of `count` items: a permutation from the
 * seed, cut in three. Same seed and count give the same split on any machine and backend.
 */
export function splitIndices(count: number, sizes: SplitSizes = DEFAULT_SPLIT, seed = 0): SplitIndices {
  const [nTrain, nVal, nTest] = toCounts(count, sizes);
  const order = permutation(count, createRandom(seed));
  return {
    train: order.slice(0, nTrain),
    validation: order.slice(nTrain, nTrain + nVal),
    test: order.slice(nTrain + nVal, nTrain + nVal + nTest),
  };
}
