import * as tf from '@tensorflow/tfjs';
import type { DigitSplit, ShiftAugmentation } from '../data/prepare';
import { createRandom } from '../data/random';
import { ARTICLE_CNN } from './cnn';
import { runEpochs, type EpochOutcome } from './epochs';
import { gradientUnsupportedReason } from './gradients';
import { trainingCores } from './threads';
import { createTrainingPool, type TrainingPool } from './pool';
import { createFusedTrainer } from './fused-trainer';

/** Progress of training, reported after each batch and each epoch. */
export type TrainProgress =
  | {
      kind: 'batch';
      epoch: number;
      epochs: number;
      batch: number;
      batchesPerEpoch: number;
      loss: number;
      accuracy: number;
      /** Training samples per second so far in this epoch. */
      samplesPerSecond: number;
    }
  | ({ kind: 'epoch'; epochs: number } & EpochRecord);

/** An epoch of `trainCnn`: the shared loop's outcome, with its training speed. */
export interface EpochRecord extends Omit<EpochOutcome, 'examples'> {
  readonly samplesPerSecond: number;
}

export interface TrainHistory {
  readonly epochs: readonly EpochRecord[];
  /** Keras-style series: one value per epoch. */
  readonly history: { loss: number[]; acc: number[]; val_loss: number[]; val_acc: number[] };
  /** Training samples over training seconds, all epochs. */
  readonly samplesPerSecond: number;
  readonly samples: number;
  /** Threads that computed gradients (1: this thread only; more: the data-parallel pool). */
  readonly threads: number;
  /**
   * How gradients were computed: 'fused' by the article network's hand-written pass
   * (`fused-gradients.ts`), 'tfjs' by tfjs' automatic differentiation.
   */
  readonly gradient: 'fused' | 'tfjs';
}

export interface TrainOptions {
  /** Article: 10. */
  epochs?: number;
  /** Article: 64. */
  batchSize?: number;
  /** Seed of the shuffling (and augmentation): same seed, same batches. Default 0. */
  seed?: number;
  /** Augment by random shifts of up to `maxShift` pixels (default: no augmentation). */
  augment?: { maxShift: number };
  /** Called after every batch and every epoch; the notebooks show it in place. */
  onProgress?: (progress: TrainProgress) => void;
  /** Stops between batches when aborted. */
  signal?: AbortSignal;
  /**
   * Threads computing each batch's gradients, averaged into one optimizer step (see `pool.ts`).
   * Default: every core this kernel may use (`trainingCores()`: its share from the runner, else
   * `os.availableParallelism()`) when the model trains on wasm and the run has at least
   * `PARALLEL_MIN_BATCHES` batches; 1 trains on this thread only.
   */
  threads?: number;
}

/** Below this many batches in a run, starting threads (about a second each) does not pay off. */
export const PARALLEL_MIN_BATCHES = 50;

/** Whether `model` can train on worker threads here: wasm, more than one core, gradients apart from the step. */
export function canTrainOnThreads(model: tf.LayersModel, cores: number = trainingCores()): boolean {
  return tf.getBackend() === 'wasm' && cores >= 2 && gradientUnsupportedReason(model) === '';
}

/** The threads `trainCnn` uses for a run of `batches` batches when `threads` is not given. */
export function defaultTrainingThreads(model: tf.LayersModel, batches: number, batchSize: number, cores: number = trainingCores()): number {
  if (batches < PARALLEL_MIN_BATCHES || !canTrainOnThreads(model, cores)) return 1;
  return Math.max(1, Math.min(cores, batchSize));
}

export interface TrainData {
  train: DigitSplit;
  validation?: DigitSplit;
}

/**
 * Trains a compiled model (e.g. `createCnn()`) with seeded shuffling, reporting progress through
 * `onProgress` (never printing), and returns the per-epoch history.
 */
export async function trainCnn(model: tf.LayersModel, data: TrainData, options: TrainOptions = {}): Promise<TrainHistory> {
  const epochs = options.epochs ?? ARTICLE_CNN.epochs;
  const batchSize = options.batchSize ?? ARTICLE_CNN.batchSize;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`trainCnn: epochs = ${epochs} is not a positive integer`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`trainCnn: batchSize = ${batchSize} is not a positive integer`);
  const { train } = data;
  const random = createRandom(options.seed ?? 0);
  const shift = options.augment && options.augment.maxShift > 0 ? { maxShift: options.augment.maxShift, fill: minimumPixel(train) } : undefined;
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const threads = options.threads ?? defaultTrainingThreads(model, epochs * batchesPerEpoch, batchSize);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`trainCnn: threads = ${threads} is not a positive integer`);
  const pool = threads > 1 ? await createTrainingPool(model, { threads, ...(options.signal ? { signal: options.signal } : {}) }) : undefined;
  const fused = pool ? undefined : await createFusedTrainer(model);
  const stepper: Stepper | undefined = pool ?? fused;
  const gradient = (pool ? pool.fused : fused !== undefined) ? 'fused' : 'tfjs';
  try {
    return await trainLoop(model, data, options, { epochs, batchSize, random, shift, stepper, threads: pool?.threads ?? 1, gradient });
  } finally {
    try {
      // Also after an abort: the model keeps what was trained.
      await stepper?.syncModel();
    } finally {
      await pool?.close();
    }
  }
}

interface LoopSettings {
  epochs: number;
  batchSize: number;
  random: ReturnType<typeof createRandom>;
  shift: ShiftAugmentation | undefined;
  /** Steps taken apart from the model (threads, or the fused pass), or undefined for `trainOnBatch`. */
  stepper: Stepper | undefined;
  threads: number;
  gradient: TrainHistory['gradient'];
}

/** Training steps that hold the weights apart from the model until `syncModel`. */
type Stepper = Pick<TrainingPool, 'trainStep' | 'syncModel'>;

async function trainLoop(model: tf.LayersModel, data: TrainData, options: TrainOptions, settings: LoopSettings): Promise<TrainHistory> {
  const { epochs, batchSize, random, shift, stepper, threads, gradient } = settings;
  const { train, validation } = data;
  const records: EpochRecord[] = [];
  await runEpochs({
    train,
    ...(validation ? { validation } : {}),
    model,
    epochs,
    batchSize,
    random,
    ...(shift ? { shift } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    step: async (batch) => {
      const [loss, accuracy] = stepper
        ? await stepApart(stepper, batch.images, batch.oneHot, batch.indices.length)
        : await stepHere(model, batch.images, batch.oneHot, [batch.indices.length, train.rows, train.cols, 1], train.classes);
      return { loss, accuracy };
    },
    endOfEpoch: async () => {
      await stepper?.syncModel();
    },
    onBatch: (e) => options.onProgress?.({ kind: 'batch', epoch: e.epoch, epochs, batch: e.batch, batchesPerEpoch: e.batchesPerEpoch, loss: e.loss, accuracy: e.accuracy, samplesPerSecond: e.seen / e.seconds }),
    onEpoch: (outcome) => {
      const { examples, ...rest } = outcome;
      const record: EpochRecord = { ...rest, samplesPerSecond: examples / outcome.trainSeconds };
      records.push(record);
      options.onProgress?.({ kind: 'epoch', epochs, ...record });
    },
  });
  const samples = epochs * train.count;
  const totalSeconds = records.reduce((sum, r) => sum + r.trainSeconds, 0);
  return {
    epochs: records,
    history: {
      loss: records.map((r) => r.loss),
      acc: records.map((r) => r.accuracy),
      val_loss: records.map((r) => r.valLoss ?? NaN),
      val_acc: records.map((r) => r.valAccuracy ?? NaN),
    },
    samplesPerSecond: samples / totalSeconds,
    samples,
    threads,
    gradient,
  };
}

async function stepHere(model: tf.LayersModel, images: Float32Array, oneHot: Float32Array, shape: [number, number, number, number], classes: number): Promise<[number, number]> {
  const xs = tf.tensor4d(images, shape);
  const ys = tf.tensor2d(oneHot, [shape[0], classes]);
  try {
    const result = await model.trainOnBatch(xs, ys);
    return Array.isArray(result) ? [result[0]!, result[1] ?? NaN] : [result, NaN];
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

async function stepApart(stepper: Stepper, images: Float32Array, targets: Float32Array, count: number): Promise<[number, number]> {
  const result = await stepper.trainStep({ images, targets, count });
  return [result.loss, result.metric];
}

function minimumPixel(split: DigitSplit): number {
  let min = Infinity;
  for (let i = 0; i < split.images.length; i += 1) if (split.images[i]! < min) min = split.images[i]!;
  return Number.isFinite(min) ? min : 0;
}
