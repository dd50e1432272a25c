import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { articleCnnShape, clippedGradientSum, clippedSumBatched, clippedSumByExample, type ExampleBatch } from '../../src/privacy/per-example';

/** `count` random images of rows × cols in [0, 1) (a fixed sequence) with labels cycling over 10 classes. */
function randomBatch(count: number, rows: number, cols: number): ExampleBatch {
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const images = Float32Array.from({ length: count * rows * cols }, next);
  const oneHot = new Float32Array(count * 10);
  for (let i = 0; i < count; i += 1) oneHot[i * 10 + (i % 10)] = 1;
  return { images, oneHot, count, rows, cols, classes: 10 };
}

async function arrays(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
}

function expectClose(a: Float32Array[], b: Float32Array[], tolerance: number): void {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  a.forEach((x, j) => {
    const scale = Math.max(1e-3, ...Array.from(b[j]!, Math.abs));
    x.forEach((v, i) => expect(Math.abs(v - b[j]![i]!) / scale).toBeLessThan(tolerance));
  });
}

describe('clipped per-example gradient sums', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  const shapes = [
    { name: 'the article CNN on 28 × 28 digits', options: { filters: 6, denseUnits: 16 }, rows: 28, cols: 28 },
    { name: 'a 5 × 5 kernel with 3 × 3 pooling on 14 × 14 images', options: { filters: 3, kernelSize: 5, poolSize: 3, denseUnits: 8, inputShape: [14, 14, 1] as [number, number, number] }, rows: 14, cols: 14 },
  ];
  for (const shape of shapes) {
    for (const clipNorm of [1e-3, 0.5, 1e9]) {
      it(`batched equals one example at a time: ${shape.name}, clipping norm ${clipNorm}`, async () => {
        const model = createCnn({ ...shape.options, seed: 4 });
        const batch = randomBatch(12, shape.rows, shape.cols);
        const cnn = articleCnnShape(model);
        if (typeof cnn === 'string') throw new Error(`not taken as the article CNN: ${cnn}`);
        const before = tf.memory().numTensors;
        const batched = await clippedSumBatched(cnn, batch, clipNorm);
        const slow = await clippedSumByExample(model, batch, clipNorm);
        expectClose(await arrays(batched.sums), await arrays(slow.sums), 1e-4);
        expect(batched.lossSum).toBeCloseTo(slow.lossSum, 3);
        expect(batched.clipped).toBe(slow.clipped);
        if (clipNorm === 1e-3) expect(batched.clipped).toBe(12);
        if (clipNorm === 1e9) expect(batched.clipped).toBe(0);
        tf.dispose([...batched.sums, ...slow.sums]);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  }

  it('takes any other model one example at a time, and says why', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    expect(articleCnnShape(model)).toBe('a convolution other than valid, stride 1');
    const batch = randomBatch(3, 8, 8);
    const result = await clippedGradientSum(model, batch, 0.5);
    const slow = await clippedSumByExample(model, batch, 0.5);
    expectClose(await arrays(result.sums), await arrays(slow.sums), 1e-6);
    tf.dispose([...result.sums, ...slow.sums]);
    model.dispose();
  });
});
