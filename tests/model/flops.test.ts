import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { forwardFlops, layerFlops, trainingFlopsOfModel, UnsupportedLayerError } from '../../src/model/flops';

describe('forward FLOPs of a model', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
  });

  it('counts the article CNN layer by layer: 26·26 positions × 3·3·1·32 weights, 5408·64, 64·10', () => {
    const model = createCnn({ seed: 1 });
    const flops = layerFlops(model);
    expect(flops.map((l) => [l.type, l.flops])).toEqual([
      ['Conv2D', 2 * 26 * 26 * 9 * 32],
      ['MaxPooling2D', 0],
      ['Flatten', 0],
      ['Dense', 2 * 13 * 13 * 32 * 64],
      ['Dense', 2 * 64 * 10],
    ]);
    expect(forwardFlops(model)).toBe(1_082_880);
    expect(trainingFlopsOfModel(model, 1000)).toBe(3 * 1_082_880 * 1000);
    expect(() => trainingFlopsOfModel(model, -1)).toThrow(/samples = -1/);
    model.dispose();
  });

  it('scales with the architecture and refuses layers with weights it does not know', () => {
    const narrow = createCnn({ filters: 8, denseUnits: 16, seed: 1 });
    expect(forwardFlops(narrow)).toBe(2 * (26 * 26 * 9 * 8 + 13 * 13 * 8 * 16 + 16 * 10));
    narrow.dispose();
    const withNorm = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.batchNormalization()] });
    expect(() => forwardFlops(withNorm)).toThrow(UnsupportedLayerError);
    expect(() => forwardFlops(withNorm)).toThrow(/BatchNormalization/);
    withNorm.dispose();
  });
});
