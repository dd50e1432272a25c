/**
 * A compressed variant of a model is a copy whose weights are rewritten one tensor at a time
 * (pruning zeroes some, quantization rounds them to int8 and back): the copy, the reading of each
 * weight and the swap of every tensor happen here, once; the original model is never changed.
 */
import * as tf from '@tensorflow/tfjs';
import { cloneModel } from '../model/persist';

/** Bytes of one float32 weight value. */
export const FLOAT32_BYTES = 4;

/** One weight tensor of a model, read as float32 values. */
export interface WeightValues {
  /** The weight's name in its layer (`conv2d/kernel`), as `isPrunable` reads it. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A copy of `model` whose every weight is what `rewrite` makes of the original's (same shape). */
export async function withRewrittenWeights(model: tf.LayersModel, rewrite: (weight: WeightValues) => Float32Array): Promise<tf.LayersModel> {
  const copy = await cloneModel(model);
  const replacements: tf.Tensor[] = [];
  try {
    for (const variable of copy.weights) {
      const current = variable.read();
      const values = rewrite({ name: variable.originalName, shape: current.shape, values: (await current.data()) as Float32Array });
      if (values.length !== current.size) throw new RangeError(`${variable.originalName}: ${values.length} values rewritten for a tensor of ${current.size}`);
      replacements.push(tf.tensor(values, current.shape, 'float32'));
    }
    copy.setWeights(replacements);
  } catch (error) {
    copy.dispose();
    throw error;
  } finally {
    tf.dispose(replacements);
  }
  return copy;
}
