import * as tf from '@tensorflow/tfjs';
import { FLOAT32_BYTES, withRewrittenWeights } from './weights';

/**
 * Post-training int8 weight quantization (taught in notebook 08): each weight tensor is stored as
 * signed bytes q with one float32 scale, w ≈ q · scale, scale = max|w| / 127 (symmetric, per tensor).
 */
export const INT8_MAX = 127;

export interface Int8Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Int8Array;
  readonly scale: number;
}

/** Quantizes values to int8 with a symmetric per-tensor scale; pure. */
export function quantizeInt8(values: Float32Array): { values: Int8Array; scale: number } {
  let max = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`quantizeInt8: ${v} cannot be quantized`);
    max = Math.max(max, Math.abs(v));
  }
  const scale = max > 0 ? max / INT8_MAX : 1;
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i += 1) q[i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(values[i]! / scale)));
  return { values: q, scale };
}

/** w ≈ q · scale. */
export function dequantizeInt8(values: Int8Array, scale: number): Float32Array {
  return Float32Array.from(values, (q) => q * scale);
}

export interface QuantizedModel {
  readonly tensors: readonly Int8Tensor[];
  /** Bytes of the int8 weights plus one float32 scale per tensor. */
  readonly int8Bytes: number;
  /** Bytes of the same weights as float32. */
  readonly floatBytes: number;
  /** A copy of the model whose weights are the dequantized int8 values (to measure accuracy). */
  readonly model: tf.LayersModel;
  /** Largest |w − dequantized w| over all weights. */
  readonly maxAbsError: number;
}

/** Quantizes every weight of `model` to int8; returns the bytes and a dequantized copy. */
export async function quantizeModel(model: tf.LayersModel): Promise<QuantizedModel> {
  const tensors: Int8Tensor[] = [];
  let maxAbsError = 0;
  let floatBytes = 0;
  const copy = await withRewrittenWeights(model, (weight) => {
    const { values, scale } = quantizeInt8(weight.values);
    const restored = dequantizeInt8(values, scale);
    for (let i = 0; i < restored.length; i += 1) maxAbsError = Math.max(maxAbsError, Math.abs(weight.values[i]! - restored[i]!));
    tensors.push({ name: weight.name, shape: weight.shape, values, scale });
    floatBytes += weight.values.length * FLOAT32_BYTES;
    return restored;
  });
  const int8Bytes = tensors.reduce((n, t) => n + t.values.length + FLOAT32_BYTES, 0);
  return { tensors, int8Bytes, floatBytes, model: copy, maxAbsError };
}
