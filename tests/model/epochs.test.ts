/** The epoch and batch loop every trainer shares (src/model/epochs.ts), and the weight rewrite of the compressed variants (src/compress/weights.ts). */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { withRewrittenWeights } from '../../src/compress/weights';
import type { DigitSplit } from '../../src/data/prepare';
import { createRandom } from '../../src/data/random';
import { selectBackend } from '../../src/model/backend';
import { runEpochs, type Batch, type EpochLoop } from '../../src/model/epochs';

function split(count: number): DigitSplit {
  return { images: new Float32Array(count * 16).map((_, i) => (i % 7) / 7), labels: Uint8Array.from({ length: count }, (_, i) => i % 3), count, rows: 4, cols: 4, classes: 3 };
}

function model(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** A loop over `train` whose step records its batches and reports the batch's size as its loss. */
function recording(train: DigitSplit, extra: Partial<EpochLoop> = {}): { loop: EpochLoop; batches: Batch[] } {
  const batches: Batch[] = [];
  const loop: EpochLoop = {
    train,
    model: model(),
    epochs: 2,
    batchSize: 4,
    random: createRandom(7),
    step: async (batch) => {
      batches.push(batch);
      return { loss: batch.indices.length, accuracy: batch.indices.length === 4 ? 1 : 0 };
    },
    ...extra,
  };
  return { loop, batches };
}

describe('the shared epoch loop', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('steps over every example once per epoch, in seeded batches, and weighs the means by batch size', async () => {
    const { loop, batches } = recording(split(10));
    const outcomes = await runEpochs(loop);
    expect(batches.map((b) => b.indices.length)).toEqual([4, 4, 2, 4, 4, 2]);
    for (const epoch of [batches.slice(0, 3), batches.slice(3)]) expect(epoch.flatMap((b) => [...b.indices]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Loss is the batch size: (4·4 + 4·4 + 2·2) / 10; accuracy 1 for full batches: 8 / 10.
    expect(outcomes.map((o) => [o.epoch, o.loss, o.accuracy, o.examples])).toEqual([
      [1, 3.6, 0.8, 10],
      [2, 3.6, 0.8, 10],
    ]);
    expect(outcomes[0]!.valAccuracy).toBeUndefined();
    // The same seed gives the same batches; the images are the split's, gathered in batch order.
    const again = recording(split(10));
    await runEpochs(again.loop);
    expect(again.batches.map((b) => [...b.indices])).toEqual(batches.map((b) => [...b.indices]));
    expect(batches[0]!.images.slice(0, 16)).toEqual(split(10).images.slice(batches[0]!.indices[0]! * 16, batches[0]!.indices[0]! * 16 + 16));
  });

  it('validates after each epoch, after the end-of-epoch hook, and reports batches and epochs', async () => {
    const order: string[] = [];
    const { loop } = recording(split(8), {
      validation: split(6),
      endOfEpoch: async () => {
        order.push('end');
      },
      onBatch: (e) => order.push(`batch ${e.epoch}.${e.batch}/${e.batchesPerEpoch} seen ${e.seen}`),
      onEpoch: (o) => {
        order.push(`epoch ${o.epoch} val ${o.valAccuracy === undefined ? 'none' : 'yes'}`);
      },
    });
    await runEpochs(loop);
    expect(order).toEqual(['batch 1.1/2 seen 4', 'batch 1.2/2 seen 8', 'end', 'epoch 1 val yes', 'batch 2.1/2 seen 4', 'batch 2.2/2 seen 8', 'end', 'epoch 2 val yes']);
  });

  it('stops between batches when aborted, with the abort reason', async () => {
    const controller = new AbortController();
    let steps = 0;
    const { loop } = recording(split(12), {
      signal: controller.signal,
      step: async () => {
        steps += 1;
        if (steps === 2) controller.abort(new Error('stop now'));
        return { loss: 0, accuracy: 0 };
      },
    });
    await expect(runEpochs(loop)).rejects.toThrow('stop now');
    expect(steps).toBe(2);
  });

  it('shifts the images when augmenting, from the same seeded source', async () => {
    const plain = recording(split(8));
    const shifted = recording(split(8), { shift: { maxShift: 1, fill: -1 } });
    await runEpochs(plain.loop);
    await runEpochs(shifted.loop);
    expect(shifted.batches.some((b, i) => b.images.some((v, k) => v !== plain.batches[i]!.images[k]))).toBe(true);
    expect(shifted.batches.flatMap((b) => [...b.images]).some((v) => v === -1)).toBe(true);
  });
});

describe('rewriting the weights of a copy', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('gives a copy with every weight rewritten, and leaves the original alone', async () => {
    const original = model();
    const before = await Promise.all(original.getWeights().map((w) => w.data()));
    const names: string[] = [];
    const copy = await withRewrittenWeights(original, (w) => {
      names.push(w.name);
      return w.values.map(() => 0.5);
    });
    expect(names.map((n) => n.split('/').at(-1))).toEqual(['kernel', 'bias']);
    for (const w of copy.getWeights()) expect([...(await w.data())].every((v) => v === 0.5)).toBe(true);
    expect(await Promise.all(original.getWeights().map((w) => w.data()))).toEqual(before);
    copy.dispose();
    original.dispose();
  });

  it('refuses a rewrite of the wrong length, naming the weight', async () => {
    const original = model();
    await expect(withRewrittenWeights(original, (w) => w.values.slice(1))).rejects.toThrow(/kernel: 47 values rewritten for a tensor of 48/);
    original.dispose();
  });
});
