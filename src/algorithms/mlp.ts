/**
 * A two-layer feedforward network written with tensor ops only (no layers API): x → sigmoid(x·W1 + b1)
 * → ·W2 + b2, with mean squared error. Its backward pass is derived by hand and can be compared with
 * tfjs automatic differentiation (`tf.grads`). Taught in notebook 03.
 */
import * as tf from '@tensorflow/tfjs';
import { AlgorithmInputError, matrixShape } from './errors';
import { createRandom } from '../data/random';
import { randomMatrix } from './matrix';

/** Weights as plain arrays: W1 [inputs × hidden], b1 [hidden], W2 [hidden × outputs], b2 [outputs]. */
export interface MlpParams {
  readonly w1: number[][];
  readonly b1: number[];
  readonly w2: number[][];
  readonly b2: number[];
}

export const MLP_PARAM_NAMES = ['w1', 'b1', 'w2', 'b2'] as const;
export type MlpParamName = (typeof MLP_PARAM_NAMES)[number];

export interface MlpSizes {
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
}

/** Small random weights (scaled by 1/√fan-in) and zero biases, reproducible from `seed`. */
export function initMlp({ inputs, hidden, outputs }: MlpSizes, seed: number): MlpParams {
  for (const [name, n] of [['inputs', inputs], ['hidden', hidden], ['outputs', outputs]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new AlgorithmInputError(name, `must be a positive integer, got ${n}`);
  }
  const random = createRandom(seed);
  return {
    w1: randomMatrix(inputs, hidden, random, 1 / Math.sqrt(inputs)),
    b1: Array.from({ length: hidden }, () => 0.1 * (random() - 0.5)),
    w2: randomMatrix(hidden, outputs, random, 1 / Math.sqrt(hidden)),
    b2: Array.from({ length: outputs }, () => 0.1 * (random() - 0.5)),
  };
}

// A type alias, not an interface, so that `tf.tidy` accepts it as a tensor container.
type Tensors = {
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
};

function checkShapes(params: MlpParams, x: number[][], y: number[][]): void {
  const [n, inputs] = matrixShape('x', x);
  const [ny, outputs] = matrixShape('y', y);
  if (ny !== n) throw new AlgorithmInputError('y', `has ${ny} rows, x has ${n}`);
  const [w1r, hidden] = matrixShape('w1', params.w1);
  if (w1r !== inputs) throw new AlgorithmInputError('w1', `has ${w1r} rows, x has ${inputs} columns`);
  if (params.b1.length !== hidden) throw new AlgorithmInputError('b1', `has ${params.b1.length} entries, w1 has ${hidden} columns`);
  const [w2r, w2c] = matrixShape('w2', params.w2);
  if (w2r !== hidden || w2c !== outputs) throw new AlgorithmInputError('w2', `is ${w2r}×${w2c}, expected ${hidden}×${outputs}`);
  if (params.b2.length !== outputs) throw new AlgorithmInputError('b2', `has ${params.b2.length} entries, y has ${outputs} columns`);
}

function toTensors(p: MlpParams): Tensors {
  return { w1: tf.tensor2d(p.w1), b1: tf.tensor1d(p.b1), w2: tf.tensor2d(p.w2), b2: tf.tensor1d(p.b2) };
}

function forward(t: Tensors, x: tf.Tensor2D): { hidden: tf.Tensor2D; output: tf.Tensor2D } {
  const hidden = tf.sigmoid(tf.add(tf.matMul(x, t.w1), t.b1)) as tf.Tensor2D;
  const output = tf.add(tf.matMul(hidden, t.w2), t.b2) as tf.Tensor2D;
  return { hidden, output };
}

function mse(output: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.square(tf.sub(output, y)));
}

/** The network's outputs and its mean squared error on (x, y). */
export async function mlpForward(params: MlpParams, x: number[][], y: number[][]): Promise<{ output: number[][]; loss: number }> {
  checkShapes(params, x, y);
  const [output, loss] = tf.tidy(() => {
    const { output } = forward(toTensors(params), tf.tensor2d(x));
    return [output, mse(output, tf.tensor2d(y))];
  }) as [tf.Tensor2D, tf.Scalar];
  try {
    return { output: await output.array(), loss: await loss.array() };
  } finally {
    tf.dispose([output, loss]);
  }
}

/** Reads gradient tensors back as plain arrays (with await: the webgpu backend has no synchronous read), then frees them. */
async function readParams(t: Tensors): Promise<MlpParams> {
  try {
    return { w1: await t.w1.array(), b1: await t.b1.array(), w2: await t.w2.array(), b2: await t.b2.array() };
  } finally {
    tf.dispose([t.w1, t.b1, t.w2, t.b2]);
  }
}

/**
 * Gradients of the mean squared error by the hand-derived backward pass:
 *   L = Σ(out − y)² / (n·k)             dL/dout = 2(out − y) / (n·k)
 *   dW2 = hᵀ·dout,  db2 = Σ_rows dout,   dh = dout·W2ᵀ
 *   dz1 = dh ⊙ h ⊙ (1 − h)              (sigmoid' = σ(1 − σ))
 *   dW1 = xᵀ·dz1,   db1 = Σ_rows dz1
 */
export async function mlpManualGradients(params: MlpParams, x: number[][], y: number[][]): Promise<MlpParams> {
  checkShapes(params, x, y);
  return readParams(tf.tidy((): Tensors => {
    const t = toTensors(params);
    const xs = tf.tensor2d(x);
    const { hidden, output } = forward(t, xs);
    const dOut = tf.mul(tf.sub(output, tf.tensor2d(y)), 2 / (output.shape[0] * output.shape[1]));
    const dW2 = tf.matMul(hidden, dOut, true, false);
    const dB2 = tf.sum(dOut, 0);
    const dHidden = tf.matMul(dOut, t.w2, false, true);
    const dZ1 = tf.mul(dHidden, tf.mul(hidden, tf.sub(1, hidden)));
    const dW1 = tf.matMul(xs, dZ1, true, false);
    const dB1 = tf.sum(dZ1, 0);
    return { w1: dW1 as tf.Tensor2D, b1: dB1 as tf.Tensor1D, w2: dW2 as tf.Tensor2D, b2: dB2 as tf.Tensor1D };
  }));
}

/** Gradients of the same loss by tfjs automatic differentiation. */
export async function mlpAutodiffGradients(params: MlpParams, x: number[][], y: number[][]): Promise<MlpParams> {
  checkShapes(params, x, y);
  return readParams(tf.tidy((): Tensors => {
    const t = toTensors(params);
    const xs = tf.tensor2d(x);
    const ys = tf.tensor2d(y);
    const lossOf = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Scalar =>
      mse(forward({ w1: w1 as tf.Tensor2D, b1: b1 as tf.Tensor1D, w2: w2 as tf.Tensor2D, b2: b2 as tf.Tensor1D }, xs).output, ys);
    const [dW1, dB1, dW2, dB2] = tf.grads((w1, b1, w2, b2) => lossOf(w1 as tf.Tensor, b1 as tf.Tensor, w2 as tf.Tensor, b2 as tf.Tensor))([t.w1, t.b1, t.w2, t.b2]) as [
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor1D,
    ];
    return { w1: dW1, b1: dB1, w2: dW2, b2: dB2 };
  }));
}

function flat(v: number[] | number[][]): number[] {
  return (v as (number | number[])[]).flat();
}

/**
 * Relative error ‖a − b‖ / max(‖a‖, ‖b‖) per parameter (Euclidean norms), and the largest of them.
 * Norm-wise rather than element-wise so that float32 rounding on near-zero entries does not dominate.
 */
export function gradientRelativeErrors(a: MlpParams, b: MlpParams): { perParam: Record<MlpParamName, number>; max: number } {
  const perParam = {} as Record<MlpParamName, number>;
  for (const name of MLP_PARAM_NAMES) {
    const u = flat(a[name]);
    const v = flat(b[name]);
    if (u.length !== v.length) throw new AlgorithmInputError(name, `has ${u.length} entries in one set and ${v.length} in the other`);
    const norm = (w: number[]): number => Math.sqrt(w.reduce((s, e) => s + e * e, 0));
    const diff = norm(u.map((e, i) => e - (v[i] as number)));
    const scale = Math.max(norm(u), norm(v));
    perParam[name] = scale === 0 ? diff : diff / scale;
  }
  return { perParam, max: Math.max(...Object.values(perParam)) };
}

/** Every entry of a gradient set as one flat list, parameter by parameter in `MLP_PARAM_NAMES` order (03 plots them). */
export function flattenGradients(gradients: MlpParams): number[] {
  return MLP_PARAM_NAMES.flatMap((name) => (gradients[name] as (number | number[])[]).flat());
}
