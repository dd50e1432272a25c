import * as tf from '@tensorflow/tfjs';
import { batchIndices, gatherBatch, type DigitSplit } from '../data/prepare';
import { createRandom, permutation } from '../data/random';
import { evaluate } from '../model/evaluate';
import { dpEpsilon } from './accountant';

/**
 * Differentially private SGD (taught in notebook 09, Abadi et al. 2016): each example's gradient
 * is clipped to L2 norm `clipNorm`, the clipped gradients are summed, Gaussian noise of standard
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

function crossEntropy(probabilities: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probabilities, 1e-7, 1)))).neg() as tf.Scalar;
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
  try {
    for (let epoch = 1; epoch <= epochs; epoch += 1) {
      let lossSum = 0;
      let clipped = 0;
      for (const indices of batchIndices(train.count, batchSize, permutation(train.count, random))) {
        const batch = gatherBatch(train, indices);
        const pixels = train.rows * train.cols;
        const sums: tf.Tensor[] = variables.map((v) => tf.zerosLike(v));
        try {
          for (let i = 0; i < indices.length; i += 1) {
            const { value, grads } = tf.tidy(() => {
              const x = tf.tensor4d(batch.images.subarray(i * pixels, (i + 1) * pixels), [1, train.rows, train.cols, 1]);
              const y = tf.tensor2d(batch.oneHot.subarray(i * train.classes, (i + 1) * train.classes), [1, train.classes]);
              return tf.variableGrads(() => crossEntropy(model.apply(x, { training: true }) as tf.Tensor, y), variables);
            });
            try {
              const gradients = variables.map((v) => grads[v.name]!);
              // The norm is read with await (the webgpu backend has no synchronous read).
              const squares = tf.tidy(() => gradients.map((g) => tf.sum(tf.square(g))));
              let squaredNorm = 0;
              try {
                for (const square of squares) squaredNorm += (await square.data())[0]!;
              } finally {
                tf.dispose(squares);
              }
              const norm = Math.sqrt(squaredNorm);
              const factor = Math.min(1, clipNorm / (norm + 1e-12));
              if (norm > clipNorm) clipped += 1;
              lossSum += (await value.data())[0]!;
              tf.tidy(() => {
                gradients.forEach((g, j) => {
                  const next = tf.keep(tf.add(sums[j]!, tf.mul(g, factor)));
                  sums[j]!.dispose();
                  sums[j] = next;
                });
              });
            } finally {
              value.dispose();
              tf.dispose(grads);
            }
          }
          const noisy = tf.tidy(() =>
            variables.map((v, j) => {
              const noise = tf.randomNormal(v.shape, 0, noiseMultiplier * clipNorm, 'float32', Math.floor(random() * 2 ** 31));
              return { name: v.name, tensor: tf.div(tf.add(sums[j]!, noise), indices.length) };
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
        await new Promise((resolve) => setImmediate(resolve));
      }
      const record: DpEpochRecord = {
        epoch,
        loss: lossSum / train.count,
        clippedFraction: clipped / train.count,
        epsilon: dpEpsilon({ sampleRate, noiseMultiplier, steps, delta }).epsilon,
        ...(validation && validation.count > 0 ? { valAccuracy: (await evaluate(model, validation)).accuracy } : {}),
      };
      history.push(record);
      options.onEpoch?.(record);
    }
  } finally {
    optimizer.dispose();
  }
  return { history, steps, sampleRate, epsilon: dpEpsilon({ sampleRate, noiseMultiplier, steps, delta }).epsilon, delta };
}
