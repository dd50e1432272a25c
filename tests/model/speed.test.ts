import { beforeAll, describe, expect, it } from 'vitest';
import { takeSplit } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { misclassified, predict } from '../../src/model/evaluate';
import { measureInference } from '../../src/model/speed';
import { smokeDigits } from './smoke';

describe('inference speed and mistakes', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('measures single-image time and the batched rate as medians with ranges, from the clock', async () => {
    const data = await smokeDigits();
    const model = createCnn({ seed: 1 });
    // A fake clock that advances 2 ms per reading: each timed interval is 2 ms.
    let t = 0;
    const speed = await measureInference(model, takeSplit(data.test, 100), { singleRuns: 7, batchSize: 50, now: () => (t += 2) });
    expect([speed.singleImageMsLow, speed.singleImageMs, speed.singleImageMsHigh]).toEqual([2, 2, 2]);
    expect(speed.batchedSamplesPerSecond).toBeCloseTo(100 / 0.002, 6);
    expect(speed.batchedSamplesPerSecondLow).toBeCloseTo(100 / 0.002, 6);
    expect([speed.singleRuns, speed.batchedRuns, speed.batchSize, speed.batchedImages]).toEqual([7, 5, 50, 100]);
    await expect(measureInference(model, takeSplit(data.test, 64), { singleRuns: 3 })).rejects.toThrow('at least 5');
    const real = await measureInference(model, takeSplit(data.test, 64), { singleRuns: 5 });
    expect(real.singleImageMsLow).toBeLessThanOrEqual(real.singleImageMs);
    expect(real.singleImageMsHigh).toBeGreaterThanOrEqual(real.singleImageMs);
    expect(real.singleImageMs).toBeGreaterThan(0);
    expect(Number.isFinite(real.batchedSamplesPerSecond)).toBe(true);
    model.dispose();
  });

  it('lists the mistakes, most confident first', () => {
    const predictions = {
      classes: Uint8Array.from([1, 0, 2, 2]),
      probabilities: Float32Array.from([0.2, 0.8, 0, 0.9, 0.1, 0, 0.3, 0.1, 0.6, 0, 0.05, 0.95]),
      classCount: 3,
    };
    expect(misclassified(predictions, [0, 0, 1, 2])).toEqual([
      { index: 0, label: 0, predicted: 1, confidence: expect.closeTo(0.8, 6) },
      { index: 2, label: 1, predicted: 2, confidence: expect.closeTo(0.6, 6) },
    ]);
    expect(misclassified(predictions, [0, 0, 1, 2], 1).length).toBe(1);
  });

  it('finds mistakes of an untrained model on real digits', async () => {
    const data = await smokeDigits();
    const model = createCnn({ seed: 1 });
    const wrong = misclassified(await predict(model, data.test), data.test.labels, 5);
    expect(wrong.length).toBe(5);
    for (const w of wrong) expect(w.predicted).not.toBe(w.label);
    model.dispose();
  });
});
