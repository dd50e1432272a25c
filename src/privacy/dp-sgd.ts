import * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from '../data/prepare';
import { createRandom } from '../data/random';
import { runEpochs } from '../model/epochs';
import { dpEpsilon } from './accountant';
import { clippedGradientSum } from './per-example';

/**
 * Differentially private SGD (taught in notebook 09, Abadi et al. 2016): each example's gradient
 * is clipped to L2 norm `clipNorm`, the clipped gradients are summed (per-example.ts: in one batched
 * pass for the article's CNN), Gaussian noise of standard
 * deviation `noiseMultiplier · clipNorm` is added, and the sum is divided by the batch size before
 * the optimizer step (Adam by default: post-processing keeps the guarantee).
 */
export interface DpSgdOptions {
  /** σ: noise standard deviation over the clipping norm (default 1.1). */
  noiseMultiplier?: number;
  /** C: largest L2 norm an example's gradient may have (default 1.0). */
  clipNorm?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  optimizer?: 'adam' | 'sgd';
  /** δ of the reported (ε, δ); default 1e-5. */
  delta?: number;
  seed?: number;
  onEpoch?: (record: DpEpochRecord) => void;
}

export interface DpEpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly valAccuracy?: number;
  /** Fraction of examples whose gradient norm exceeded the clipping norm. */
  readonly clippedFraction: number;
  /** ε spent so far (at the options' δ). */
  readonly epsilon: number;
}

export interface DpSgdResult {
  readonly history: readonly DpEpochRecord[];
  readonly steps: number;
  readonly sampleRate: number;
  readonly epsilon: number;
  readonly delta: number;
}

/** Trains a compiled model with DP-SGD on the training split; returns the history and the ε spent. */
export async function trainDpSgd(model: tf.LayersModel, data: { train: DigitSplit; validation?: DigitSplit }, options: DpSgdOptions = {}): Promise<DpSgdResult> {
  const noiseMultiplier = options.noiseMultiplier ?? 1.1;
  const clipNorm = options.clipNorm ?? 1.0;
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 64;
  const delta = options.delta ?? 1e-5;
  if (!(noiseMultiplier >= 0)) throw new RangeError(`trainDpSgd: noiseMultiplier = ${noiseMultiplier} is not ≥ 0`);
  if (!(clipNorm > 0)) throw new RangeError(`trainDpSgd: clipNorm = ${clipNorm} is not positive`);
  const { train, validation } = data;
  const random = createRandom(options.seed ?? 0);
  const optimizer = options.optimizer === 'sgd' ? tf.train.sgd(options.learningRate ?? 0.05) : tf.train.adam(options.learningRate ?? 0.001);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sampleRate = Math.min(1, batchSize / train.count);
  const history: DpEpochRecord[] = [];
  let steps = 0;
  let clipped = 0;
  try {
    await runEpochs({
      train,
      ...(validation ? { validation } : {}),
      model,
      epochs,
      batchSize,
      random,
      step: async (batch) => {
        const count = batch.indices.length;
        const { sums, lossSum, clipped: batchClipped } = await clippedGradientSum(
          model,
          { images: batch.images, oneHot: batch.oneHot, count, rows: train.rows, cols: train.cols, classes: train.classes },
          clipNorm,
        );
        clipped += batchClipped;
        try {
          const noisy = tf.tidy(() =>
            variables.map((v, j) => {
              const noise = tf.randomNormal(v.shape, 0, noiseMultiplier * clipNorm, 'float32', Math.floor(random() * 2 ** 31));
              return { name: v.name, tensor: tf.div(tf.add(sums[j]!, noise), count) };
            }),
          );
          try {
            optimizer.applyGradients(noisy);
          } finally {
            tf.dispose(noisy.map((n) => n.tensor));
          }
        } finally {
          tf.dispose(sums);
        }
        steps += 1;
        return { loss: lossSum / count, accuracy: NaN };
      },
      onEpoch: (outcome) => {
        const record: DpEpochRecord = {
          epoch: outcome.epoch,
          loss: outcome.loss,
          clippedFraction: clipped / outcome.examples,
          epsilon: dpEpsilon({ sampleRate, noiseMultiplier, steps, delta }).epsilon,
          ...(outcome.valAccuracy !== undefined ? { valAccuracy: outcome.valAccuracy } : {}),
        };
        clipped = 0;
        history.push(record);
        options.onEpoch?.(record);
      },
    });
  } finally {
    optimizer.dispose();
  }
  return { history, steps, sampleRate, epsilon: dpEpsilon({ sampleRate, noiseMultiplier, steps, delta }).epsilon, delta };
}
