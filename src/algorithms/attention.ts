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
export async function scaledDotProductAttention(q: number[][], k: number[][], v: number[][], options: AttentionOptions = {}): Promise<AttentionResult> {
  const [n, d] = matrixShape('q', q);
  const [m, dk] = matrixShape('k', k);
  const [mv] = matrixShape('v', v);
  if (dk !== d) throw new AlgorithmInputError('k', `has ${dk} columns, q has ${d}`);
  if (mv !== m) throw new AlgorithmInputError('v', `has ${mv} rows, k has ${m}`);
  if (options.causal && n !== m) throw new AlgorithmInputError('causal', `needs as many queries as keys (${n} vs ${m})`);
  const [weights, output] = tf.tidy(() => {
    let scores = tf.div(tf.matMul(tf.tensor2d(q), tf.tensor2d(k), false, true), Math.sqrt(d));
    if (options.causal) {
      const above = tf.sub(1, tf.linalg.bandPart(tf.ones([n, m]), -1, 0));
      scores = tf.add(scores, tf.mul(above, -1e9));
    }
    const weights = tf.softmax(scores);
    return [weights, tf.matMul(weights, tf.tensor2d(v))];
  });
  try {
    return { weights: (await weights.array()) as number[][], output: (await output.array()) as number[][] };
  } finally {
    tf.dispose([weights, output]);
  }
}

export interface SelfAttentionExample extends AttentionResult {
  readonly tokens: readonly string[];
  readonly dModel: number;
}

/**
 * Self-attention over `tokens` with seeded random embeddings and random query/key/value
 * projections (d_model columns): a small, reproducible example to look at, not a trained model.
 */
export async function selfAttentionExample(tokens: readonly string[], dModel: number, seed: number, options: AttentionOptions = {}): Promise<SelfAttentionExample> {
  if (tokens.length === 0) throw new AlgorithmInputError('tokens', 'is empty');
  if (!Number.isInteger(dModel) || dModel < 1) throw new AlgorithmInputError('dModel', `must be a positive integer, got ${dModel}`);
  const random = createRandom(seed);
  const x = randomMatrix(tokens.length, dModel, random);
  const [wq, wk, wv] = [0, 1, 2].map(() => randomMatrix(dModel, dModel, random, 1 / Math.sqrt(dModel))) as [number[][], number[][], number[][]];
  const project = async (w: number[][]): Promise<number[][]> => {
    const product = tf.tidy(() => tf.matMul(tf.tensor2d(x), tf.tensor2d(w)));
    try {
      return (await product.array()) as number[][];
    } finally {
      product.dispose();
    }
  };
  return { tokens, dModel, ...(await scaledDotProductAttention(await project(wq), await project(wk), await project(wv), options)) };
}

export interface ConstructedAttentionExample extends AttentionResult {
  readonly tokens: readonly string[];
  readonly featureNames: readonly string[];
  readonly queries: number[][];
  readonly keys: number[][];
  /** For each token that asks a question, the token it should attend to (its subject). */
  readonly expected: ReadonlyArray<{ readonly query: string; readonly key: string }>;
}

/**
 * A hand-built self-attention example whose weights mean something (notebook 03): each token's key
 * says whether it is a subject and which clause it sits in; the verbs and the adjective ask, through
 * their queries, for the subject of their own clause; the other tokens ask nothing (a zero query,
 * so their weights are uniform). Values are one-hot, so each output row is that token's weights.
 * `sharpness` scales the queries: larger, more peaked weights.
 */
export async function constructedAttentionExample(options: AttentionOptions & { sharpness?: number } = {}): Promise<ConstructedAttentionExample> {
  const sharpness = options.sharpness ?? 8;
  const featureNames = ['is subject', 'in clause 1', 'in clause 2'];
  const tokens = ['prices', 'of', 'tokens', 'fell', 'as', 'GPUs', 'got', 'cheaper'];
  const keys = [
    [1, 1, 0],
    [0, 1, 0],
    [0, 1, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [0, 0, 1],
    [0, 0, 1],
  ];
  const askSubject = (clause: 1 | 2): number[] => [sharpness, clause === 1 ? sharpness : 0, clause === 2 ? sharpness : 0];
  const none = [0, 0, 0];
  const queries = [none, none, none, askSubject(1), none, none, askSubject(2), askSubject(2)];
  const values = tokens.map((_, i) => tokens.map((__, j) => (i === j ? 1 : 0)));
  return {
    tokens,
    featureNames,
    queries,
    keys,
    expected: [
      { query: 'fell', key: 'prices' },
      { query: 'got', key: 'GPUs' },
      { query: 'cheaper', key: 'GPUs' },
    ],
    ...(await scaledDotProductAttention(queries, keys, values, options)),
  };
}
