import * as tf from '@tensorflow/tfjs';
import { compiledLossOf } from './tfjs-internals';

/**
 * The gradient of a compiled model's training loss on one batch, computed the way
 * `model.trainOnBatch` computes it (forward pass with `training: true`, the compiled loss averaged
 * over the batch, plus regularisation penalties) but returned instead of applied, so that several
 * threads can each compute it on a share of a batch and one optimizer step can apply the average.
 */

/** A batch as flat arrays: `count` images of `inputShape` and `count` target rows. */
export interface BatchArrays {
  readonly images: Float32Array;
  readonly targets: Float32Array;
  readonly count: number;
}

export interface BatchGradients {
  /** One array per trainable weight, in `model.trainableWeights` order. */
  readonly gradients: Float32Array[];
  /** Mean loss over the batch (regularisation included), as `trainOnBatch` returns it. */
  readonly loss: number;
  /** Mean of the model's first metric (accuracy for the article's CNN), NaN without metrics. */
  readonly metric: number;
  readonly count: number;
}

/** Why a model cannot have its gradients computed apart from its optimizer step ('' when it can). */
export function gradientUnsupportedReason(model: tf.LayersModel): string {
  const compiled = compiledLossOf(model);
  if (compiled === undefined) return 'the model is not compiled';
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return 'the model has more than one input or output';
  if (compiled.lossFunctions.length !== 1) return 'the model has no single compiled loss';
  if (model.nonTrainableWeights.length > 0) return 'the model has non-trainable weights (e.g. batch-norm statistics) that each thread would update apart';
  return '';
}

/** The trainable variables of a model, in `model.trainableWeights` order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Current values of the trainable weights (copies), in `model.trainableWeights` order. */
export async function readTrainableWeights(model: tf.LayersModel): Promise<Float32Array[]> {
  // The cpu backend's data() resolves to its own storage; a copy keeps callers from writing into it.
  return Promise.all(trainableVariables(model).map(async (v) => new Float32Array((await v.data()) as Float32Array)));
}

/** Overwrites the trainable weights with `values` (in `model.trainableWeights` order). */
export function writeTrainableWeights(model: tf.LayersModel, values: readonly Float32Array[]): void {
  const variables = trainableVariables(model);
  if (values.length !== variables.length) throw new RangeError(`writeTrainableWeights: ${values.length} arrays for ${variables.length} weights`);
  variables.forEach((variable, i) => {
    const value = tf.tensor(values[i]!, variable.shape, 'float32');
    try {
      variable.assign(value);
    } finally {
      value.dispose();
    }
  });
}

/** Gradients of `model`'s training loss over `batch`, without touching its weights or optimizer. */
export async function batchGradients(model: tf.LayersModel, batch: BatchArrays): Promise<BatchGradients> {
  const compiled = compiledLossOf(model);
  const lossFunction = compiled?.lossFunctions[0];
  if (compiled === undefined || lossFunction === undefined) throw new RangeError(`batchGradients: ${gradientUnsupportedReason(model) || 'no compiled loss'}`);
  const metricFunction = compiled.metricFunctions[0];
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  const outputShape = model.outputs[0]!.shape.slice(1) as number[];
  const variables = trainableVariables(model);
  let metric: tf.Tensor | undefined;
  const { value, grads } = tf.tidy(() => {
    const xs = tf.tensor(batch.images, [batch.count, ...inputShape], 'float32');
    const ys = tf.tensor(batch.targets, [batch.count, ...outputShape], 'float32');
    return tf.variableGrads(() => {
      const predictions = model.apply(xs, { training: true }) as tf.Tensor;
      // Kept past the tidy and read afterwards: nothing is read back synchronously (webgpu cannot).
      if (metricFunction !== undefined) metric = tf.keep(tf.mean(metricFunction(ys, predictions)));
      let total = tf.mean(lossFunction(ys, predictions)) as tf.Scalar;
      for (const penalty of compiled.penalties()) total = tf.add(total, penalty);
      return total;
    }, variables);
  });
  try {
    const gradients = await Promise.all(
      variables.map(async (v) => {
        const g = grads[v.name];
        if (g === undefined) throw new RangeError(`batchGradients: no gradient for weight ${v.name}`);
        return (await g.data()) as Float32Array;
      }),
    );
    return {
      gradients,
      loss: (await value.data())[0]!,
      metric: metric === undefined ? NaN : (await metric.data())[0]!,
      count: batch.count,
    };
  } finally {
    value.dispose();
    metric?.dispose();
    tf.dispose(grads);
  }
}

/** What a share of a batch reports besides its gradient. */
export type ShareResult = Pick<BatchGradients, 'loss' | 'metric' | 'count'>;

/**
 * The shares of a batch that hold samples, their total, and the batch's mean loss and metric (each
 * share's mean weighted by its size), without touching the gradients.
 */
export function sharesSummary<Share extends ShareResult>(shares: readonly Share[]): { used: Share[]; count: number; loss: number; metric: number } {
  const used = shares.filter((s) => s.count > 0);
  if (used.length === 0) throw new RangeError('sharesSummary: no share of the batch holds a sample');
  const count = used.reduce((n, s) => n + s.count, 0);
  const mean = (value: (share: Share) => number) => used.reduce((sum, share) => sum + value(share) * (share.count / count), 0);
  return { used, count, loss: mean((s) => s.loss), metric: mean((s) => s.metric) };
}

/**
 * The gradient of the mean loss over a whole batch from gradients over its shares: each share's
 * mean weighted by its size. Loss and metric are averaged the same way.
 */
export function averageGradients(shares: readonly BatchGradients[]): BatchGradients {
  const { used, count, loss, metric } = sharesSummary(shares);
  const gradients = used[0]!.gradients.map((g) => new Float32Array(g.length));
  for (const share of used) {
    const weight = share.count / count;
    for (let k = 0; k < gradients.length; k += 1) {
      const g = share.gradients[k]!;
      const sum = gradients[k]!;
      if (g.length !== sum.length) throw new RangeError(`averageGradients: weight ${k} has ${g.length} values in one share and ${sum.length} in another`);
      for (let i = 0; i < g.length; i += 1) sum[i]! += g[i]! * weight;
    }
  }
  return { gradients, loss, metric, count };
}

/** Applies gradients (in `model.trainableWeights` order) with the model's own optimizer: one step. */
export function applyGradients(model: tf.LayersModel, gradients: readonly Float32Array[]): void {
  const variables = trainableVariables(model);
  const named: tf.NamedTensorMap = {};
  variables.forEach((v, i) => (named[v.name] = tf.tensor(gradients[i]!, v.shape, 'float32')));
  try {
    model.optimizer.applyGradients(named);
  } finally {
    tf.dispose(named);
  }
}
