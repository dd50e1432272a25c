import * as tf from '@tensorflow/tfjs';
import { FLOAT32_BYTES, withRewrittenWeights } from './weights';

/**
 * Magnitude pruning (taught in notebook 08): within each weight matrix, the fraction `sparsity` of
 * weights with the smallest absolute values is set to zero. Biases are kept.
 */

/** Zeroes the `round(sparsity · n)` smallest-magnitude values (ties broken by position); pure. */
export function pruneValues(values: Float32Array, sparsity: number): { values: Float32Array; zeroed: number } {
  checkSparsity(sparsity);
  const k = Math.round(sparsity * values.length);
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => Math.abs(values[a]!) - Math.abs(values[b]!) || a - b);
  const out = values.slice();
  for (let i = 0; i < k; i += 1) out[order[i]!] = 0;
  return { values: out, zeroed: k };
}

function checkSparsity(sparsity: number): void {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RangeError(`sparsity = ${sparsity} is not a fraction in [0, 1]`);
}

/** Which weights are pruned: by default every kernel (weight matrix or filter), never a bias. */
export function isPrunable(weightName: string): boolean {
  return /kernel(_\d+)?$/.test(weightName.split('/').at(-1) ?? '');
}

export interface PrunedModel {
  /** A pruned copy; the original model is unchanged. */
  readonly model: tf.LayersModel;
  /** Zeros among the prunable weights after pruning (≥ the requested sparsity). */
  readonly sparsity: number;
  readonly prunedWeights: number;
  readonly prunableWeights: number;
  readonly totalWeights: number;
}

/** A copy of `model` with each kernel pruned to `sparsity` by magnitude. */
export async function pruneModel(model: tf.LayersModel, sparsity: number, prunable: (weightName: string) => boolean = isPrunable): Promise<PrunedModel> {
  checkSparsity(sparsity);
  let prunedWeights = 0;
  let prunableWeights = 0;
  let zeros = 0;
  let totalWeights = 0;
  const copy = await withRewrittenWeights(model, (weight) => {
    totalWeights += weight.values.length;
    if (!prunable(weight.name)) return weight.values;
    const { values, zeroed } = pruneValues(weight.values, sparsity);
    prunedWeights += zeroed;
    prunableWeights += values.length;
    zeros += values.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
    return values;
  });
  return { model: copy, sparsity: prunableWeights ? zeros / prunableWeights : 0, prunedWeights, prunableWeights, totalWeights };
}

export { FLOAT32_BYTES };
/** Bytes of the position stored beside each kept weight. */
export const SPARSE_INDEX_BYTES = 4;

/**
 * Bytes to store `totalWeights` weights of which `nonZero` are kept (08): dense costs 4 bytes per
 * weight; a sparse list costs each kept weight its value plus a 4-byte position, so it pays only
 * above 50% sparsity. The smaller of the two, and which it is.
 */
export function prunedStorageBytes(totalWeights: number, nonZero: number): { bytes: number; format: 'dense' | 'sparse' } {
  if (!(Number.isInteger(totalWeights) && totalWeights >= 0 && Number.isInteger(nonZero) && nonZero >= 0 && nonZero <= totalWeights)) {
    throw new RangeError(`prunedStorageBytes: ${nonZero} non-zero of ${totalWeights} weights`);
  }
  const dense = totalWeights * FLOAT32_BYTES;
  const sparse = nonZero * (FLOAT32_BYTES + SPARSE_INDEX_BYTES);
  return sparse < dense ? { bytes: sparse, format: 'sparse' } : { bytes: dense, format: 'dense' };
}

/**
 * Estimated price per 1M predictions if a sparse kernel did work in proportion to the kept weights
 * (an ideal, never measured here: tfjs runs dense kernels, so the measured price of a pruned model is
 * the dense one). `keptFraction` of the model's FLOPs remain.
 */
export function idealSparseUsd(denseUsd: number, keptFraction: number): number {
  if (!(keptFraction >= 0 && keptFraction <= 1)) throw new RangeError(`idealSparseUsd: kept fraction ${keptFraction} is not in [0, 1]`);
  return denseUsd * keptFraction;
}
