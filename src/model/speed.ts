import type * as tf from '@tensorflow/tfjs';
import { takeSplit, type DigitSplit } from '../data/prepare';
import { predict } from './evaluate';
import { measure, rateOf } from '../stats/measure';

/**
 * Inference speed of a model on this machine (taught in notebook 06), as measurements: medians with
 * their ranges, after warm-up runs, never one pass.
 */
export interface InferenceSpeed {
  /** Milliseconds to classify one image (a request with one digit): median of `singleRuns`, and range. */
  readonly singleImageMs: number;
  readonly singleImageMsLow: number;
  readonly singleImageMsHigh: number;
  readonly batchSize: number;
  /** Images per second when the whole split is classified in batches of `batchSize`: median of `batchedRuns` passes, and range. */
  readonly batchedSamplesPerSecond: number;
  readonly batchedSamplesPerSecondLow: number;
  readonly batchedSamplesPerSecondHigh: number;
  readonly singleRuns: number;
  readonly batchedRuns: number;
  readonly batchedImages: number;
}

export interface SpeedOptions {
  /** Single-image predictions timed (default 50, at least 5), after 5 untimed warm-up runs. */
  singleRuns?: number;
  /** Batched passes over the split timed (default 5, at least 5), after one untimed pass. */
  batchedRuns?: number;
  batchSize?: number;
  /** Milliseconds clock (tests pass a fake). */
  now?: () => number;
}

const WARM_UP_RUNS = 5;

/** Times single-image latency (each time includes reading the probabilities back) and batched throughput of `model` on the images of `split`. */
export async function measureInference(model: tf.LayersModel, split: DigitSplit, options: SpeedOptions = {}): Promise<InferenceSpeed> {
  const singleRuns = options.singleRuns ?? 50;
  const batchedRuns = options.batchedRuns ?? 5;
  const batchSize = options.batchSize ?? 256;
  if (split.count === 0) throw new RangeError('measureInference: the split has no images');
  const pixels = split.rows * split.cols;
  const one = (i: number) => ({ images: split.images.subarray((i % split.count) * pixels, ((i % split.count) + 1) * pixels), count: 1, rows: split.rows, cols: split.cols });
  let next = 0;
  const single = await measure(() => predict(model, one(next++)), { warmup: WARM_UP_RUNS, repetitions: singleRuns, now: options.now });
  await predict(model, takeSplit(split, Math.min(batchSize, split.count)), batchSize);
  const batched = rateOf(await measure(() => predict(model, split, batchSize), { warmup: 1, repetitions: batchedRuns, now: options.now }), split.count);
  return {
    singleImageMs: single.median * 1000,
    singleImageMsLow: single.low * 1000,
    singleImageMsHigh: single.high * 1000,
    batchSize,
    batchedSamplesPerSecond: batched.median,
    batchedSamplesPerSecondLow: batched.low,
    batchedSamplesPerSecondHigh: batched.high,
    singleRuns,
    batchedRuns,
    batchedImages: split.count,
  };
}
