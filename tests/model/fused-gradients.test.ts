import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatherBatch, type PreparedDigits } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';
import { createCnn, type CnnOptions } from '../../src/model/cnn';
import { crossentropyClipBounds, fusedGradients, fusedPlanOf, fusedUnsupportedReason } from '../../src/model/fused-gradients';
import { readTrainableWeights, trainableVariables } from '../../src/model/gradients';
import { smokeDigits } from './smoke';
import { expectClose } from './expect-close';

describe('the fused gradient of the article network', () => {
  let data: PreparedDigits;
  beforeAll(async () => {
    data = await smokeDigits();
  });

  const batchOf = (count: number, from = 0) => {
    const gathered = gatherBatch(data.train, Int32Array.from({ length: count }, (_, i) => from + i));
    return { images: gathered.images, targets: gathered.oneHot, count };
  };

  // Shapes that exercise every loop bound: the article's, an odd map that pooling leaves a row of, wider pools.
  const cases: Array<[string, CnnOptions]> = [
    ['the article network', {}],
    ['5x5 kernels (odd 24 → 12 maps) and 7 units', { kernelSize: 5, filters: 3, denseUnits: 7 }],
    ['4x4 kernels (25x25 maps, pooling drops a row) and 3x3 pools', { kernelSize: 4, poolSize: 3, filters: 5, denseUnits: 6 }],
  ];
  for (const backend of ['wasm', 'cpu'] as const) {
    // The pure-JS backend takes seconds per step of the full network: the small shapes there.
    for (const [name, options] of backend === 'cpu' ? cases.slice(1) : cases) {
      it(`equals tfjs' own gradient, loss and accuracy on ${backend}: ${name}`, async () => {
        await selectBackend({ backend });
        const model = createCnn({ seed: 3, ...options });
        try {
          // A few steps first, so that units are off, windows tie at zero and predictions are sure.
          for (let step = 0; step < 3; step += 1) {
            const b = batchOf(32, step * 32);
            const xs = tf.tensor4d(b.images, [b.count, 28, 28, 1]);
            const ys = tf.tensor2d(b.targets, [b.count, 10]);
            await model.trainOnBatch(xs, ys);
            tf.dispose([xs, ys]);
          }
          const batch = batchOf(50, 200);
          const xs = tf.tensor4d(batch.images, [batch.count, 28, 28, 1]);
          const ys = tf.tensor2d(batch.targets, [batch.count, 10]);
          // The reference: tfjs' automatic differentiation of its own loss and metric.
          const reference = tf.variableGrads(() => tf.mean(tf.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar, trainableVariables(model));
          const accuracy = tf.mean(tf.metrics.categoricalAccuracy(ys, model.apply(xs) as tf.Tensor));
          const plan = fusedPlanOf(model);
          expect(plan, fusedUnsupportedReason(model)).toBeDefined();
          const fused = await fusedGradients(plan!, await readTrainableWeights(model), batch);
          trainableVariables(model).forEach((v, i) => expectClose(fused.gradients[i]!, reference.grads[v.name]!.dataSync(), `gradient of ${v.name}`));
          expect(fused.loss).toBeCloseTo(reference.value.dataSync()[0]!, 5);
          expect(fused.metric).toBeCloseTo(accuracy.dataSync()[0]!, 6);
          expect(fused.count).toBe(50);
          // Written into given arrays (the training threads' shared memory), the same values.
          const into = fused.gradients.map((g) => new Float32Array(g.length).fill(Number.NaN));
          const written = await fusedGradients(plan!, await readTrainableWeights(model), batch, into);
          written.gradients.forEach((g, i) => {
            expect(g).toBe(into[i]);
            expect(g).toEqual(fused.gradients[i]);
          });
          tf.dispose([xs, ys, reference.value, reference.grads, accuracy]);
        } finally {
          model.dispose();
        }
      });
    }
  }

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`equals tfjs where its loss clips: confidently wrong and confidently right rows pass no gradient (${backend})`, async () => {
      await selectBackend({ backend });
      // A small network on cpu (seconds per step for the article's); the saturated regime is the output layer's.
      const model = createCnn({ seed: 4, ...(backend === 'cpu' ? { filters: 3, denseUnits: 7 } : {}) });
      const batch = batchOf(48, 300);
      const xs = tf.tensor4d(batch.images, [batch.count, 28, 28, 1]);
      const ys = tf.tensor2d(batch.targets, [batch.count, 10]);
      try {
        // Logits scaled up: every row's softmax is all but one-hot, right or wrong.
        const output = model.layers[model.layers.length - 1]!;
        const [kernel, bias] = output.getWeights();
        output.setWeights([tf.mul(kernel!, 400), tf.mul(bias!, 400)]);
        const probabilities = (model.predict(xs) as tf.Tensor2D).arraySync();
        const trueClass = probabilities.map((row, b) => row[batch.targets.subarray(b * 10, b * 10 + 10).indexOf(1)]!);
        const { low, high } = await crossentropyClipBounds();
        expect(low).toBeCloseTo(1e-7, 12); // tfjs-layers' ε, read back from its loss
        expect(trueClass.filter((p) => p < low).length, 'rows whose true class is below ε').toBeGreaterThan(batch.count / 4);
        expect(trueClass.filter((p) => p > high).length, 'rows whose true class is above 1 − ε').toBeGreaterThan(0);
        const reference = tf.variableGrads(() => tf.mean(tf.metrics.categoricalCrossentropy(ys, model.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar, trainableVariables(model));
        const fused = await fusedGradients(fusedPlanOf(model)!, await readTrainableWeights(model), batch);
        trainableVariables(model).forEach((v, i) => expectClose(fused.gradients[i]!, reference.grads[v.name]!.dataSync(), `gradient of ${v.name}, saturated`));
        expect(fused.loss).toBeCloseTo(reference.value.dataSync()[0]!, 4);
        tf.dispose([reference.value, reference.grads]);
      } finally {
        tf.dispose([xs, ys]);
        model.dispose();
      }
    });
  }

  it('refuses a batch or weights of the wrong size with a one-line reason', async () => {
    await selectBackend({ backend: 'wasm' });
    const model = createCnn({ seed: 2 });
    const plan = fusedPlanOf(model)!;
    const weights = await readTrainableWeights(model);
    const batch = batchOf(4);
    await expect(fusedGradients(plan, weights, { ...batch, images: batch.images.subarray(0, 100) })).rejects.toThrow('fusedGradients: 100 pixel values for 4 images of 28x28x1');
    await expect(fusedGradients(plan, weights, { ...batch, targets: batch.targets.subarray(0, 30) })).rejects.toThrow('fusedGradients: 30 target values for 4 rows of 10 classes');
    await expect(fusedGradients(plan, weights, batch, [new Float32Array(3)])).rejects.toThrow('fusedGradients: arrays for the gradients of sizes [3], expected [288, 32, 346112, 64, 640, 10]');
    await expect(fusedGradients(plan, weights.slice(1), batch)).rejects.toThrow(/^fusedGradients: weights of sizes \[32, 346112, 64, 640, 10\], expected \[288, 32, 346112, 64, 640, 10\]$/);
    model.dispose();
  });

  it('names what it cannot compute and leaves those models to tfjs', async () => {
    await selectBackend({ backend: 'wasm' });
    const sgd = createCnn({ seed: 1 });
    sgd.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(fusedUnsupportedReason(sgd)).toBe('its loss is "meanSquaredError", not categoricalCrossentropy');
    const deeper = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
    deeper.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    expect(fusedUnsupportedReason(deeper)).toBe('its layers are Flatten, Dense, not Conv2D, MaxPooling2D, Flatten, Dense, Dense');
    expect(fusedPlanOf(deeper)).toBeUndefined();
    const regularised = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelRegularizer: tf.regularizers.l2() }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    regularised.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    expect(fusedUnsupportedReason(regularised)).toMatch(/^its convolution is not a biased, unpadded/);
    expect(fusedPlanOf(createCnn({ seed: 1 }))).toEqual({ height: 28, width: 28, channels: 1, kernel: 3, filters: 32, pool: 2, units: 64, classes: 10 });
    tf.dispose([sgd, deeper, regularised] as unknown as tf.Tensor[]);
  });
});
