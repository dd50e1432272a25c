import * as tf from '@tensorflow/tfjs';
import { averageGradients, readTrainableWeights, sharesSummary, trainableVariables, writeTrainableWeights, type BatchGradients } from './gradients';

/**
 * Adam's update as one loop over plain arrays, for the data-parallel trainer: tfjs applies it as
 * about ten tensor ops per weight (7 ms a step for the article's CNN on wasm, while the worker
 * threads wait). The arithmetic is tfjs' `AdamOptimizer.applyGradients` (tfjs-core 4.22):
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

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
  accumulatedFirstMoment?: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment?: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  iterations_?: number;
}

function internalsOf(model: tf.LayersModel): AdamInternals | undefined {
  const optimizer = model.optimizer as unknown as AdamInternals & { getClassName(): string };
  if (optimizer === undefined || optimizer === null || optimizer.getClassName() !== 'Adam') return undefined;
  const ok =
    typeof optimizer.learningRate === 'number' &&
    optimizer.accBeta1 instanceof tf.Variable &&
    optimizer.accBeta2 instanceof tf.Variable &&
    Array.isArray(optimizer.accumulatedFirstMoment) &&
    Array.isArray(optimizer.accumulatedSecondMoment);
  return ok ? optimizer : undefined;
}

/** The model's Adam state as arrays, or undefined when its optimizer is not tfjs' Adam. */
export async function adamStateOf(model: tf.LayersModel): Promise<AdamState | undefined> {
  const adam = internalsOf(model);
  if (adam === undefined) return undefined;
  const weights = await readTrainableWeights(model);
  const moment = async (slot: AdamInternals['accumulatedFirstMoment'], i: number) => {
    const variable = slot?.[i]?.variable;
    return variable ? new Float32Array(await variable.data()) : new Float32Array(weights[i]!.length);
  };
  const moments = (slot: AdamInternals['accumulatedFirstMoment']) => Promise.all(weights.map((_, i) => moment(slot, i)));
  return {
    learningRate: adam.learningRate,
    beta1: adam.beta1,
    beta2: adam.beta2,
    epsilon: adam.epsilon,
    accBeta1: (await adam.accBeta1!.data())[0]!,
    accBeta2: (await adam.accBeta2!.data())[0]!,
    iterations: model.optimizer.iterations,
    weights,
    m: await moments(adam.accumulatedFirstMoment),
    v: await moments(adam.accumulatedSecondMoment),
  };
}

/** One Adam step on `state` with `gradients` (in `model.trainableWeights` order), in place. */
export function adamStep(state: AdamState, gradients: readonly Float32Array[]): void {
  stepWithSum(state, [{ gradients, weight: 1 }]);
}

/**
 * One Adam step with the gradient of a whole batch's mean loss from the gradients of its shares (each
 * weighted by its share of the samples). For one or two shares, the two threads of the benchmark's
 * machine, the sum is taken inside the step's loop: one pass over the weights; more are averaged first.
 */
export function adamStepOnShares(state: AdamState, shares: readonly BatchGradients[]): void {
  if (shares.length === 0) throw new RangeError('adamStepOnShares: no gradients');
  const { used, count } = sharesSummary(shares);
  if (used.length > 2) {
    adamStep(state, averageGradients(used).gradients);
    return;
  }
  stepWithSum(state, used.map((share) => ({ gradients: share.gradients, weight: share.count / count })));
}

function stepWithSum(state: AdamState, shares: ReadonlyArray<{ gradients: readonly Float32Array[]; weight: number }>): void {
  const { beta1, beta2, epsilon, learningRate } = state;
  const oneMinusAccBeta1 = Math.fround(1 - state.accBeta1);
  const oneMinusAccBeta2 = Math.fround(1 - state.accBeta2);
  const a1 = Math.fround(1 - beta1);
  const a2 = Math.fround(1 - beta2);
  // Reciprocals of the bias corrections: one division per weight instead of three.
  const firstCorrection = 1 / oneMinusAccBeta1;
  const secondCorrection = 1 / oneMinusAccBeta2;
  const [first, second] = shares;
  if (first === undefined) throw new RangeError('adamStep: no gradients');
  for (let k = 0; k < state.weights.length; k += 1) {
    const w = state.weights[k]!;
    const m = state.m[k]!;
    const v = state.v[k]!;
    const g0 = first.gradients[k];
    const g1 = second?.gradients[k];
    for (const g of [g0, g1]) {
      if (g !== undefined && g.length !== w.length) throw new RangeError(`adamStep: gradient ${k} has ${g.length} values for ${w.length} weights`);
    }
    if (g0 === undefined || (second !== undefined && g1 === undefined)) throw new RangeError(`adamStep: no gradient for weight ${k}`);
    const w0 = first.weight;
    const w1 = second?.weight ?? 0;
    for (let i = 0; i < w.length; i += 1) {
      const gi = g1 === undefined ? g0[i]! * w0 : g0[i]! * w0 + g1[i]! * w1;
      const mi = beta1 * m[i]! + a1 * gi;
      const vi = beta2 * v[i]! + a2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i]! - (learningRate * (mi * firstCorrection)) / (Math.sqrt(vi * secondCorrection) + epsilon);
    }
  }
  state.accBeta1 = Math.fround(state.accBeta1 * beta1);
  state.accBeta2 = Math.fround(state.accBeta2 * beta2);
  state.iterations += 1;
}

/** Writes weights and Adam's moments, β powers and step count back into the model and its optimizer. */
export function writeAdamState(model: tf.LayersModel, state: AdamState): void {
  const adam = internalsOf(model);
  if (adam === undefined) throw new RangeError("writeAdamState: the model's optimizer is not tfjs' Adam");
  writeTrainableWeights(model, state.weights);
  const variables = trainableVariables(model);
  const put = (slots: NonNullable<AdamInternals['accumulatedFirstMoment']>, values: Float32Array[], suffix: string) => {
    variables.forEach((variable, i) => {
      const value = tf.tensor(values[i]!, variable.shape, 'float32');
      try {
        const slot = slots[i];
        if (slot) slot.variable.assign(value);
        else slots[i] = { originalName: `${variable.name}/${suffix}`, variable: tf.variable(value, false) };
      } finally {
        value.dispose();
      }
    });
  };
  put(adam.accumulatedFirstMoment!, state.m, 'm');
  put(adam.accumulatedSecondMoment!, state.v, 'v');
  const b1 = tf.scalar(state.accBeta1);
  const b2 = tf.scalar(state.accBeta2);
  try {
    adam.accBeta1!.assign(b1);
    adam.accBeta2!.assign(b2);
  } finally {
    tf.dispose([b1, b2]);
  }
  adam.iterations_ = state.iterations;
}
