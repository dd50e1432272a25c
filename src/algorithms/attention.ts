/**
 * Scaled dot-product attention, softmax(Q·Kᵀ / √d)·V, on tensors, returning the attention weights
 * so they can be drawn as a heatmap. Taught in notebook 03.
 */
import * as tf from '@tensorflow/tfjs';
import { AlgorithmInputError, matrixShape } from './errors';
import { createRandom } from '../data/random';
import { randomMatrix } from './matrix';

export interface AttentionResult {
  /** weights[i][j]: how much query i draws on key j; each row sums to 1. */
  readonly weights: number[][];
  /** One output row per query: the weighted mean of the value rows. */
  readonly output: number[][];
}

export interface AttentionOptions {
  /** Hide keys after each query (a decoder's causal mask). */
  readonly causal?: boolean;
}

/** softmax(Q·Kᵀ / √d_k [+ mask])·V for Q [n × d], K [m × d], V [m × d_v]. */
export function scaledDotProductAttention(q: number[][], k: number[][], v: number[][], options: AttentionOptions = {}): AttentionResult {
  const [n, d] = matrixShape('q', q);
  const [m, dk] = matrixShape('k', k);
  const [mv] = matrixShape('v', v);
  if (dk !== d) throw new AlgorithmInputError('k', `has ${dk} columns, q has ${d}`);
  if (mv !== m) throw new AlgorithmInputError('v', `has ${mv} rows, k has ${m}`);
  if (options.causal && n !== m) throw new AlgorithmInputError('causal', `needs as many queries as keys (${n} vs ${m})`);
  return tf.tidy(() => {
    let scores = tf.div(tf.matMul(tf.tensor2d(q), tf.tensor2d(k), false, true), Math.sqrt(d));
    if (options.causal) {
      const above = tf.sub(1, tf.linalg.bandPart(tf.ones([n, m]), -1, 0));
      scores = tf.add(scores, tf.mul(above, -1e9));
    }
    const weights = tf.softmax(scores);
    const output = tf.matMul(weights, tf.tensor2d(v));
    return { weights: weights.arraySync() as number[][], output: output.arraySync() as number[][] };
  });
}

export interface SelfAttentionExample extends AttentionResult {
  readonly tokens: readonly string[];
  readonly dModel: number;
}

/**
 * Self-attention over `tokens` with seeded random embeddings and random query/key/value
 * projections (d_model columns): a small, reproducible example to look at, not a trained model.
 */
export function selfAttentionExample(tokens: readonly string[], dModel: number, seed: number, options: AttentionOptions = {}): SelfAttentionExample {
  if (tokens.length === 0) throw new AlgorithmInputError('tokens', 'is empty');
  if (!Number.isInteger(dModel) || dModel < 1) throw new AlgorithmInputError('dModel', `must be a positive integer, got ${dModel}`);
  const random = createRandom(seed);
  const x = randomMatrix(tokens.length, dModel, random);
  const [wq, wk, wv] = [0, 1, 2].map(() => randomMatrix(dModel, dModel, random, 1 / Math.sqrt(dModel))) as [number[][], number[][], number[][]];
  const project = (w: number[][]): number[][] => tf.tidy(() => tf.matMul(tf.tensor2d(x), tf.tensor2d(w)).arraySync() as number[][]);
  return { tokens, dModel, ...scaledDotProductAttention(project(wq), project(wk), project(wv), options) };
}
