import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatherBatch, takeSplit } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { evaluate } from '../../src/model/evaluate';
import { trainDpSgd } from '../../src/privacy/dp-sgd';
import { smokeDigits } from '../model/smoke';

const SMALL = { filters: 4, denseUnits: 8 };

function weights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('DP-SGD', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('without noise or clipping, one step equals plain SGD on the batch mean loss', async () => {
    const data = await smokeDigits();
    const train = takeSplit(data.train, 16);
    const dp = createCnn({ ...SMALL, seed: 2 });
    await trainDpSgd(dp, { train }, { noiseMultiplier: 0, clipNorm: 1e9, batchSize: 16, optimizer: 'sgd', learningRate: 0.1 });
    const plain = createCnn({ ...SMALL, seed: 2 });
    // The same batch (all 16 examples, order irrelevant for the mean).
    const batch = gatherBatch(train, Int32Array.from({ length: 16 }, (_, i) => i));
    const xs = tf.tensor4d(batch.images, [16, 28, 28, 1]);
    const ys = tf.tensor2d(batch.oneHot, [16, 10]);
    const variables = plain.trainableWeights.map((w) => w.read() as tf.Variable);
    tf.train.sgd(0.1).minimize(() => tf.mean(tf.sum(tf.mul(ys, tf.log(tf.clipByValue(plain.apply(xs) as tf.Tensor, 1e-7, 1))), -1)).neg() as tf.Scalar, false, variables);
    const a = weights(dp);
    const b = weights(plain);
    a.forEach((w, j) => w.forEach((v, i) => expect(Math.abs(v - b[j]![i]!)).toBeLessThan(1e-5)));
    tf.dispose([xs, ys]);
  });

  it('clips every example with a tiny norm, adds seeded noise, and reports ε', async () => {
    const data = await smokeDigits();
    const train = takeSplit(data.train, 64);
    const run = async (noiseMultiplier: number, seed: number) => {
      const model = createCnn({ ...SMALL, seed: 1 });
      const result = await trainDpSgd(model, { train }, { noiseMultiplier, clipNorm: 1e-3, batchSize: 32, seed });
      return { w: weights(model), result };
    };
    const quiet = await run(0, 1);
    expect(quiet.result.history[0]!.clippedFraction).toBe(1);
    expect(quiet.result.steps).toBe(2);
    expect(quiet.result.epsilon).toBe(Infinity);
    const noisy = await run(1.1, 1);
    const again = await run(1.1, 1);
    expect(noisy.w).toEqual(again.w);
    expect(noisy.w[0]).not.toEqual(quiet.w[0]);
    expect(noisy.result.epsilon).toBeGreaterThan(0);
    expect(Number.isFinite(noisy.result.epsilon)).toBe(true);
    expect(noisy.result.sampleRate).toBe(0.5);
  });

  it('learns above chance with the default noise on the smoke digits', async () => {
    const data = await smokeDigits();
    const model = createCnn({ ...SMALL, seed: 3 });
    const result = await trainDpSgd(model, { train: data.train, validation: data.validation }, { epochs: 3, batchSize: 100, learningRate: 0.02, seed: 3 });
    expect(result.history.length).toBe(3);
    expect((await evaluate(model, data.test)).accuracy).toBeGreaterThan(0.5);
    expect(result.history[2]!.epsilon).toBeGreaterThan(result.history[0]!.epsilon);
    await expect(trainDpSgd(model, { train: data.train }, { clipNorm: 0 })).rejects.toThrow(/clipNorm = 0 is not positive/);
  });
});
