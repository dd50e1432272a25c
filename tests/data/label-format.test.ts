import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelCounts, tryIntegerLabels } from '../../src/data/label-format';
import type { DigitSplit } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';

function split(count: number): DigitSplit {
  return { images: new Float32Array(count * 16).map((_, i) => (i % 7) / 7), labels: Uint8Array.from({ length: count }, (_, i) => i % 3), count, rows: 4, cols: 4, classes: 3 };
}

function model(loss: string): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: 'adam', loss });
  return m;
}

describe('integer labels against a one-hot loss', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('are refused by categorical cross-entropy, with the shape named', async () => {
    const outcome = await tryIntegerLabels(model('categoricalCrossentropy'), split(6));
    expect(outcome.kind).toBe('refused');
    expect(outcome.kind === 'refused' && outcome.message).toMatch(/shape/);
  });

  it('are accepted by the sparse loss made for them', async () => {
    expect(await tryIntegerLabels(model('sparseCategoricalCrossentropy'), split(6))).toEqual({ kind: 'accepted' });
  });
});

describe('label counts', () => {
  it('counts each class and refuses a label outside the classes', () => {
    expect(labelCounts([0, 2, 2, 1, 2], 3)).toEqual([1, 1, 3]);
    expect(() => labelCounts([0, 3], 3)).toThrow(/label 3 at index 1/);
  });

  it('the mnist package digits are not MNIST t10k (their class counts differ)', async () => {
    const { loadMnistPackage } = await import('../../src/data/load');
    const set = await loadMnistPackage();
    const counts = labelCounts(set.labels, 10);
    expect(counts.slice(0, 6)).toEqual([1001, 1127, 991, 1032, 980, 863]);
    expect(counts).not.toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });
});
