import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STUDENT, distill, softenProbabilities } from '../../src/compress/distill';
import { idealSparseUsd, isPrunable, prunedStorageBytes, pruneModel, pruneValues } from '../../src/compress/prune';
import { dequantizeInt8, quantizeInt8, quantizeModel } from '../../src/compress/quantize';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { evaluate } from '../../src/model/evaluate';
import { trainCnn } from '../../src/model/train';
import { smokeDigits } from '../model/smoke';

let teacher: tf.LayersModel;
let teacherAccuracy: number;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  const data = await smokeDigits();
  teacher = createCnn({ seed: 4 });
  await trainCnn(teacher, { train: data.train }, { epochs: 2, seed: 4 });
  teacherAccuracy = (await evaluate(teacher, data.test)).accuracy;
});

function flatWeights(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('magnitude pruning', () => {
  it('zeroes the smallest magnitudes', () => {
    expect(Array.from(pruneValues(Float32Array.from([3, -1, 0.5, -4, 2]), 0.4).values)).toEqual([3, 0, 0, -4, 2]);
    expect(Array.from(pruneValues(Float32Array.from([3, -1]), 0).values)).toEqual([3, -1]);
    expect(Array.from(pruneValues(Float32Array.from([3, -1]), 1).values)).toEqual([0, 0]);
    expect(() => pruneValues(new Float32Array(2), 1.5)).toThrow(/sparsity = 1.5 is not a fraction/);
    expect(isPrunable('conv2d_Conv2D1/kernel')).toBe(true);
    expect(isPrunable('dense_Dense1/bias')).toBe(false);
  });

  it('prunes a copy: kernels reach the sparsity, biases and the original stay', async () => {
    const data = await smokeDigits();
    const before = flatWeights(teacher);
    const half = await pruneModel(teacher, 0.5);
    expect(half.sparsity).toBeGreaterThanOrEqual(0.5);
    expect(half.prunableWeights).toBe(288 + 5408 * 64 + 640);
    expect(half.totalWeights).toBe(347146);
    expect(flatWeights(teacher)).toEqual(before);
    const pruned = flatWeights(half.model);
    expect(pruned[1]).toEqual(before[1]); // conv bias
    const none = await pruneModel(teacher, 0);
    expect((await evaluate(none.model, data.test)).accuracy).toBe(teacherAccuracy);
    const almostAll = await pruneModel(teacher, 0.99);
    expect((await evaluate(almostAll.model, data.test)).accuracy).toBeLessThan(teacherAccuracy);
    [half, none, almostAll].forEach((p) => p.model.dispose());
  });
});

describe('int8 quantization', () => {
  it('rounds to within half a step and maps the largest magnitude to ±127', () => {
    const values = Float32Array.from([0.5, -1.27, 0.003, 1.0]);
    const q = quantizeInt8(values);
    expect(q.scale).toBeCloseTo(0.01, 9);
    expect(Array.from(q.values)).toEqual([50, -127, 0, 100]);
    const back = dequantizeInt8(q.values, q.scale);
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(q.scale / 2 + 1e-9));
    expect(quantizeInt8(new Float32Array(3)).scale).toBe(1);
    expect(() => quantizeInt8(Float32Array.from([NaN]))).toThrow(/NaN cannot be quantized/);
  });

  it('stores the CNN in about a quarter of the float bytes with nearly the same accuracy', async () => {
    const data = await smokeDigits();
    const q = await quantizeModel(teacher);
    expect(q.floatBytes).toBe(347146 * 4);
    expect(q.int8Bytes).toBe(347146 + 6 * 4);
    expect(q.int8Bytes / q.floatBytes).toBeLessThan(0.26);
    expect(q.maxAbsError).toBeLessThanOrEqual(Math.max(...q.tensors.map((t) => t.scale)) / 2 + 1e-7);
    expect(Math.abs((await evaluate(q.model, data.test)).accuracy - teacherAccuracy)).toBeLessThanOrEqual(0.03);
    q.model.dispose();
  });
});

describe('distillation', () => {
  it('softens probabilities with the temperature', () => {
    const p = tf.tensor2d([[0.7, 0.2, 0.1]]);
    const same = softenProbabilities(p, 1).dataSync();
    expect(same[0]).toBeCloseTo(0.7, 5);
    const soft = softenProbabilities(p, 4).dataSync();
    expect(soft[0]).toBeLessThan(0.7);
    expect(soft[2]).toBeGreaterThan(0.1);
    expect(Array.from(soft).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    p.dispose();
  });

  it('trains a smaller student from the teacher that beats chance by far', async () => {
    const data = await smokeDigits();
    const epochs: number[] = [];
    const { student, history } = await distill(teacher, data, { epochs: 3, learningRate: 0.003, seed: 1, onEpoch: (r) => epochs.push(r.epoch) });
    expect(epochs).toEqual([1, 2, 3]);
    expect(student.countParams()).toBeLessThan(teacher.countParams() / 3);
    expect(student.layers[0]!.getConfig()).toMatchObject({ filters: DEFAULT_STUDENT.filters });
    expect(history[2]!.loss).toBeLessThan(history[0]!.loss);
    expect((await evaluate(student, data.test)).accuracy).toBeGreaterThan(0.6);
    await expect(distill(teacher, data, { alpha: 2 })).rejects.toThrow(/alpha = 2 is not in \[0, 1\]/);
    student.dispose();
  });
});

describe('storage and price of a pruned model', () => {
  it('stores sparse only above 50% sparsity: value plus position per kept weight', () => {
    expect(prunedStorageBytes(1000, 1000)).toEqual({ bytes: 4000, format: 'dense' });
    expect(prunedStorageBytes(1000, 500)).toEqual({ bytes: 4000, format: 'dense' });
    expect(prunedStorageBytes(1000, 499)).toEqual({ bytes: 3992, format: 'sparse' });
    expect(prunedStorageBytes(1000, 100)).toEqual({ bytes: 800, format: 'sparse' });
    expect(() => prunedStorageBytes(10, 11)).toThrow(/11 non-zero of 10/);
  });

  it('estimates an ideal sparse kernel as the dense price times the kept fraction', () => {
    expect(idealSparseUsd(0.01, 0.2)).toBeCloseTo(0.002, 12);
    expect(() => idealSparseUsd(1, 1.5)).toThrow(/1.5/);
  });
});
