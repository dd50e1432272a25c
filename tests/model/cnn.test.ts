import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIME_BUNDLE } from '../../src/display';
import { takeSplit } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';
import { ARTICLE_CNN, createCnn, summarizeModel } from '../../src/model/cnn';
import { evaluate, predict, scorePredictions } from '../../src/model/evaluate';
import { trainCnn, type TrainProgress } from '../../src/model/train';
import { layerTable, layerTableHtml } from '../../src/show/model';
import { formatProgress } from '../../src/show/progress';
import { smokeDigits } from './smoke';

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('the article CNN', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('has exactly the article layers, loss, optimizer and metric', () => {
    const model = createCnn();
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    const summary = summarizeModel(model);
    expect(summary.layers.map((l) => l.outputShape)).toEqual([
      '[None,26,26,32]',
      '[None,13,13,32]',
      '[None,5408]',
      '[None,64]',
      '[None,10]',
    ]);
    expect(summary.totalParams).toBe(320 + 5408 * 64 + 64 + 650);
    expect(layerTable(summary)[MIME_BUNDLE]()['text/plain']).toMatch(/total params: 347146/);
    const config = model.layers.map((l) => l.getConfig());
    expect(config[0]).toMatchObject({ filters: 32, kernelSize: [3, 3], activation: 'relu', padding: 'valid', strides: [1, 1] });
    expect(config[1]).toMatchObject({ poolSize: [2, 2] });
    expect(config[3]).toMatchObject({ units: 64, activation: 'relu' });
    expect(config[4]).toMatchObject({ units: 10, activation: 'softmax' });
    expect(model.loss).toBe('categoricalCrossentropy');
    expect(model.optimizer.getClassName()).toBe('Adam');
    expect(model.metricsNames).toEqual(['loss', 'acc']);
    expect([ARTICLE_CNN.epochs, ARTICLE_CNN.batchSize]).toEqual([10, 64]);
    model.dispose();
  });

  it('takes the hyper-parameters as named options and refuses bad ones', () => {
    const model = createCnn({ filters: 8, denseUnits: 16, kernelSize: 5 });
    expect(summarizeModel(model).layers[0]!.outputShape).toBe('[None,24,24,8]');
    model.dispose();
    expect(() => createCnn({ filters: 0 })).toThrow(/createCnn: filters = 0 is not a positive integer/);
    expect(() => createCnn({ learningRate: -1 })).toThrow(/learningRate = -1/);
  });

  it('same seed, same initial weights; another seed, other weights', () => {
    const [a, b, c] = [createCnn({ seed: 5 }), createCnn({ seed: 5 }), createCnn({ seed: 6 })];
    expect(weightsOf(a)).toEqual(weightsOf(b));
    expect(weightsOf(a)[0]).not.toEqual(weightsOf(c)[0]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('seeded training on the same backend gives the same weights and accuracy', async () => {
    const data = await smokeDigits();
    const train = takeSplit(data.train, 320);
    const run = async () => {
      const model = createCnn({ seed: 3 });
      const history = await trainCnn(model, { train, validation: data.validation }, { epochs: 1, batchSize: 64, seed: 9 });
      const weights = weightsOf(model);
      const accuracy = (await evaluate(model, data.test)).accuracy;
      model.dispose();
      return { weights, accuracy, history };
    };
    const first = await run();
    const second = await run();
    expect(second.weights).toEqual(first.weights);
    expect(second.accuracy).toBe(first.accuracy);
    expect(second.history.history.loss).toEqual(first.history.history.loss);
  });

  it('trains in the smoke configuration, reporting every batch and epoch, without leaking tensors', async () => {
    const data = await smokeDigits();
    const events: TrainProgress[] = [];
    const model = createCnn({ seed: 1 });
    const tensorsAtEpochEnd: number[] = [];
    const history = await trainCnn(model, { train: data.train, validation: data.validation }, {
      epochs: 3,
      seed: 1,
      onProgress: (p) => {
        events.push(p);
        if (p.kind === 'epoch') tensorsAtEpochEnd.push(tf.memory().numTensors);
      },
    });
    // The optimizer's state appears in the first epoch; after that nothing accumulates.
    expect(tensorsAtEpochEnd[2]).toBe(tensorsAtEpochEnd[0]);
    expect(tf.memory().numTensors).toBe(tensorsAtEpochEnd[2]);
    const batches = events.filter((e) => e.kind === 'batch');
    expect(batches.length).toBe(3 * Math.ceil(1000 / 64));
    expect(events.filter((e) => e.kind === 'epoch').map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(history.history.loss.length).toBe(3);
    expect(history.history.loss[2]!).toBeLessThan(history.history.loss[0]!);
    expect(history.history.val_acc[2]!).toBeGreaterThan(0.7);
    expect(history.samples).toBe(3000);
    expect(history.samplesPerSecond).toBeGreaterThan(0);
    expect(formatProgress(batches[0]!)).toMatch(/^epoch 1\/3 {2}batch 1\/16 {2}loss \d\.\d{4}/);
    expect(formatProgress(events.at(-1)!)).toMatch(/val_acc 0\.\d{4}/);
    const evaluation = await evaluate(model, data.test);
    expect(evaluation.accuracy).toBeGreaterThan(0.7);
    const diagonal = evaluation.confusion.reduce((n, row, i) => n + row[i]!, 0);
    expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(diagonal / 100).toBe(evaluation.accuracy);
    const predictions = await predict(model, data.test);
    expect(predictions.probabilities.length).toBe(1000);
    for (let i = 0; i < 3; i += 1) {
      const row = predictions.probabilities.subarray(i * 10, i * 10 + 10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(row[predictions.classes[i]!]).toBe(Math.max(...row));
    }
    model.dispose();
  });

  it('augments with seeded random shifts: reproducible, and different from plain training', async () => {
    const data = await smokeDigits();
    const train = takeSplit(data.train, 192);
    const run = async (augment?: { maxShift: number }) => {
      const model = createCnn({ seed: 3 });
      await trainCnn(model, { train }, { epochs: 1, seed: 4, ...(augment ? { augment } : {}) });
      const w = weightsOf(model);
      model.dispose();
      return w;
    };
    const shifted = await run({ maxShift: 2 });
    expect(await run({ maxShift: 2 })).toEqual(shifted);
    expect((await run())[0]).not.toEqual(shifted[0]);
  });

  it('stops between batches when aborted', async () => {
    const data = await smokeDigits();
    const model = createCnn({ seed: 1 });
    const controller = new AbortController();
    let seen = 0;
    const run = trainCnn(model, { train: data.train }, {
      epochs: 1,
      onProgress: () => {
        seen += 1;
        if (seen === 2) controller.abort(new Error('stopped by the test'));
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow('stopped by the test');
    expect(seen).toBe(2);
    model.dispose();
  });

  it('scores predictions: loss, accuracy, confusion matrix', () => {
    const predictions = {
      classes: Uint8Array.from([0, 1, 1]),
      probabilities: Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.4, 0.6]),
      classCount: 2,
    };
    const score = scorePredictions(predictions, [0, 1, 0]);
    expect(score.accuracy).toBeCloseTo(2 / 3, 12);
    expect(score.confusion).toEqual([[1, 1], [0, 1]]);
    expect(score.loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3, 6);
  });
});

describe('the layer table', () => {
  it('shows a crafted layer name as text, never as markup', () => {
    const name = '<img src=x onerror="alert(1)">&';
    const html = layerTableHtml([{ name, type: 'Dense', outputShape: '[None,<b>10</b>]', params: 650 }], 650);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp; (Dense)');
    expect(html).toContain('[None,&lt;b&gt;10&lt;/b&gt;]');
  });
});
