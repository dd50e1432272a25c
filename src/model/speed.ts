import type * as tf from '@tensorflow/tfjs';
import { takeSplit, type DigitSplit } from '../data/prepare';
import { predict } from './evaluate';
import { median } from '../stats/summary';

/** Inference speed of a model on this machine (taught in notebook 06). */
export interface InferenceSpeed {
  /** Median milliseconds to classify one image (a request with one digit). */
  readonly singleImageMs: number;
  readonly batchSize: number;
  /** Images per second when classified in batches of `batchSize`. */
  readonly batchedSamplesPerSecond: number;
  readonly singleRuns: number;
  readonly batchedImages: number;
}

export interface SpeedOptions {
  /** Single-image predictions timed (default 50, after 5 untimed warm-up runs). */
  singleRuns?: number;
  batchSize?: number;
  /** Milliseconds clock (tests pass a fake). */
  now?: () => number;
}

const WARM_UP_RUNS = 5;

/** Times single-image latency (each time includes reading the probabilities back) and batched throughput of `model` on the images of `split`. */
export async function measureInference(model: tf.LayersModel, split: DigitSplit, options: SpeedOptions = {}): Promise<InferenceSpeed> {
  const now = options.now ?? (() => performance.now());
  const singleRuns = options.singleRuns ?? 50;
  const batchSize = options.batchSize ?? 256;
  if (split.count === 0) throw new RangeError('measureInference: the split has no images');
  const pixels = split.rows * split.cols;
  const one = (i: number) => ({ images: split.images.subarray((i % split.count) * pixels, ((i % split.count) + 1) * pixels), count: 1, rows: split.rows, cols: split.cols });
  for (let i = 0; i < WARM_UP_RUNS; i += 1) await predict(model, one(i));
  const times: number[] = [];
  for (let i = 0; i < singleRuns; i += 1) {
    const started = now();
    await predict(model, one(i));
    times.push(now() - started);
  }
  await predict(model, takeSplit(split, Math.min(batchSize, split.count)), batchSize);
  const started = now();
  await predict(model, split, batchSize);
  const seconds = (now() - started) / 1000;
  return { singleImageMs: median(times), batchSize, batchedSamplesPerSecond: split.count / seconds, singleRuns, batchedImages: split.count };
}
