import * as tf from '@tensorflow/tfjs';
import { readTrainableWeights, trainableVariables, writeTrainableWeights } from './gradients';
import { adamBetaPowers } from './tfjs-internals';

/**
 * Adam's update as one loop over plain arrays, for the fused trainer and the data-parallel trainer's
 * threads: tfjs applies it as about ten tensor ops per weight tensor, each a pass over memory and a
 * kernel call, where one loop makes a single pass. The arithmetic is tfjs' `AdamOptimizer.applyGradients` (tfjs-core 4.22):
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 * with β1ᵗ, β2ᵗ kept as float32 products as tfjs keeps them. The state is taken from a model's
 * optimizer and handed back to it, so training continues afterwards exactly as if tfjs had stepped.
 */
export interface AdamState {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** β1ᵗ and β2ᵗ for the next step (tfjs starts them at β1, β2). */
  accBeta1: number;
  accBeta2: number;
  iterations: number;
  readonly weights: Float32Array[];
  readonly m: Float32Array[];
  readonly v: Float32Array[];
}

/** One of an optimizer's saved weights, as `getWeights` returns them and `setWeights` takes them. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

/** Adam's hyperparameters as `getConfig` gives them. */
interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The model's optimizer when it is tfjs' Adam, with its hyperparameters. */
function adamOf(model: tf.LayersModel): { optimizer: tf.Optimizer; config: AdamConfig } | undefined {
  const optimizer = model.optimizer;
  if (optimizer === undefined || optimizer === null || optimizer.getClassName() !== 'Adam') return undefined;
  const config = optimizer.getConfig();
  const number = (key: keyof AdamConfig) => {
    const value = config[key];
    if (typeof value !== 'number') throw new RangeError(`Adam's getConfig() has no number ${key}`);
    return value;
  };
  return { optimizer, config: { learningRate: number('learningRate'), beta1: number('beta1'), beta2: number('beta2'), epsilon: number('epsilon') } };
}

/**
 * The optimizer's moments and step count through its public `getWeights` ([iterations, first moments…,
 * second moments…], no moments before its first step). The step count is a new tensor, disposed here.
 */
async function savedMoments(optimizer: tf.Optimizer, weightCount: number): Promise<{ iterations: number; first: NamedTensor[]; second: NamedTensor[] }> {
  const [iteration, ...moments] = await optimizer.getWeights();
  if (iteration === undefined) throw new RangeError("Adam's getWeights() returned nothing (it starts with the step count)");
  let iterations: number;
  try {
    iterations = (await iteration.tensor.data())[0]!;
  } finally {
    iteration.tensor.dispose();
  }
  if (moments.length !== 0 && moments.length !== 2 * weightCount) {
    throw new RangeError(`Adam holds ${moments.length} moment tensors for ${weightCount} trainable weights`);
  }
  return { iterations, first: moments.slice(0, moments.length / 2), second: moments.slice(moments.length / 2) };
}

/** The model's Adam state as arrays, or undefined when its optimizer is not tfjs' Adam. */
export async function adamStateOf(model: tf.LayersModel): Promise<AdamState | undefined> {
  const adam = adamOf(model);
  if (adam === undefined) return undefined;
  const powers = adamBetaPowers(adam.optimizer);
  const weights = await readTrainableWeights(model);
  const { iterations, first, second } = await savedMoments(adam.optimizer, weights.length);
  const read = (moments: NamedTensor[]) =>
    Promise.all(weights.map(async (w, i) => (moments[i] ? new Float32Array(await moments[i].tensor.data()) : new Float32Array(w.length))));
  return {
    ...adam.config,
    accBeta1: (await powers.accBeta1.data())[0]!,
    accBeta2: (await powers.accBeta2.data())[0]!,
    iterations,
    weights,
    m: await read(first),
    v: await read(second),
  };
}

/** One Adam step on `state` with `gradients` (in `model.trainableWeights` order), in place. */
export function adamStep(state: AdamState, gradients: readonly Float32Array[]): void {
  const constants = adamConstants(state);
  state.weights.forEach((w, k) => {
    const g = gradients[k];
    if (g === undefined) throw new RangeError(`adamStep: no gradient for weight ${k}`);
    if (g.length !== w.length) throw new RangeError(`adamStep: gradient ${k} has ${g.length} values for ${w.length} weights`);
    adamUpdate(constants, w, state.m[k]!, state.v[k]!, [{ values: g, scale: 1 }], 0, w.length);
  });
  advanceAdam(state);
}

/** What one Adam step needs besides the arrays: the hyperparameters and this step's bias corrections. */
export interface AdamConstants {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** 1 − β1 and 1 − β2 as float32, as tfjs computes them. */
  readonly a1: number;
  readonly a2: number;
  /** Reciprocals of the bias corrections 1 − β1ᵗ and 1 − β2ᵗ: one division per weight instead of three. */
  readonly firstCorrection: number;
  readonly secondCorrection: number;
}

/** The constants of the next step of `state`. */
export function adamConstants(state: Pick<AdamState, 'learningRate' | 'beta1' | 'beta2' | 'epsilon' | 'accBeta1' | 'accBeta2'>): AdamConstants {
  const { learningRate, beta1, beta2, epsilon } = state;
  return {
    learningRate,
    beta1,
    beta2,
    epsilon,
    a1: Math.fround(1 - beta1),
    a2: Math.fround(1 - beta2),
    firstCorrection: 1 / Math.fround(1 - state.accBeta1),
    secondCorrection: 1 / Math.fround(1 - state.accBeta2),
  };
}

/** Moves `state`'s β powers and step count on by one step (after its arrays were updated). */
export function advanceAdam(state: Pick<AdamState, 'beta1' | 'beta2' | 'accBeta1' | 'accBeta2' | 'iterations'>): void {
  state.accBeta1 = Math.fround(state.accBeta1 * state.beta1);
  state.accBeta2 = Math.fround(state.accBeta2 * state.beta2);
  state.iterations += 1;
}

/**
 * Adam's update of `w`, `m`, `v` at the places [from, to) with the gradient Σ scale · values over
 * `shares` (the gradients of a batch's shares, each weighted by its part of the samples). One or two
 * shares are summed inside the loop; more are summed first. The training pool's threads each
 * run it on their own range of the weights.
 */
export function adamUpdate(
  c: AdamConstants,
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  shares: ReadonlyArray<{ readonly values: Float32Array; readonly scale: number }>,
  from: number,
  to: number,
): void {
  const [first, second, third] = shares;
  if (first === undefined) throw new RangeError('adamUpdate: no gradients');
  // One loop per case, so that the loop over the weights has no branch in it.
  if (second === undefined) updateWith(c, w, m, v, first.values, first.scale, undefined, 0, from, to);
  else if (third === undefined) updateWith(c, w, m, v, first.values, first.scale, second.values, second.scale, from, to);
  else {
    const sum = new Float32Array(to - from);
    for (const share of shares) for (let i = from; i < to; i += 1) sum[i - from] += share.values[i]! * share.scale;
    updateWith(c, w.subarray(from, to), m.subarray(from, to), v.subarray(from, to), sum, 1, undefined, 0, 0, to - from);
  }
}

function updateWith(c: AdamConstants, w: Float32Array, m: Float32Array, v: Float32Array, g0: Float32Array, s0: number, g1: Float32Array | undefined, s1: number, from: number, to: number): void {
  const { beta1, beta2, a1, a2, epsilon, secondCorrection } = c;
  const step = c.learningRate * c.firstCorrection;
  if (g1 === undefined) {
    for (let i = from; i < to; i += 1) {
      const gi = g0[i]! * s0;
      const mi = (m[i] = beta1 * m[i]! + a1 * gi);
      const vi = (v[i] = beta2 * v[i]! + a2 * gi * gi);
      w[i] = w[i]! - (step * mi) / (Math.sqrt(vi * secondCorrection) + epsilon);
    }
    return;
  }
  for (let i = from; i < to; i += 1) {
    const gi = g0[i]! * s0 + g1[i]! * s1;
    const mi = (m[i] = beta1 * m[i]! + a1 * gi);
    const vi = (v[i] = beta2 * v[i]! + a2 * gi * gi);
    w[i] = w[i]! - (step * mi) / (Math.sqrt(vi * secondCorrection) + epsilon);
  }
}

/**
 * Writes weights and Adam's moments, β powers and step count back into the model and its optimizer:
 * moments and step count through the public `setWeights`, the β powers as the exact products.
 */
export async function writeAdamState(model: tf.LayersModel, state: AdamState): Promise<void> {
  const adam = adamOf(model);
  if (adam === undefined) throw new RangeError("writeAdamState: the model's optimizer is not tfjs' Adam");
  const powers = adamBetaPowers(adam.optimizer);
  writeTrainableWeights(model, state.weights);
  const variables = trainableVariables(model);
  // setWeights makes new moment variables and drops its old ones without disposing them.
  const previous = await savedMoments(adam.optimizer, variables.length);
  const named = (values: Float32Array[], suffix: string): NamedTensor[] =>
    variables.map((variable, i) => ({ name: `${variable.name}/${suffix}`, tensor: tf.tensor(values[i]!, variable.shape, 'float32') }));
  const given = [{ name: 'iter', tensor: tf.scalar(state.iterations, 'int32') }, ...named(state.m, 'm'), ...named(state.v, 'v')];
  try {
    await adam.optimizer.setWeights(given);
  } finally {
    tf.dispose(given.map((n) => n.tensor));
  }
  tf.dispose([...previous.first, ...previous.second].map((n) => n.tensor));
  const b1 = tf.scalar(state.accBeta1);
  const b2 = tf.scalar(state.accBeta2);
  try {
    powers.accBeta1.assign(b1);
    powers.accBeta2.assign(b2);
  } finally {
    tf.dispose([b1, b2]);
  }
}
