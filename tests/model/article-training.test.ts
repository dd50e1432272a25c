import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../../src/data/load';
import { prepareDigits } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';
import { ARTICLE_CNN, createCnn } from '../../src/model/cnn';
import { evaluate } from '../../src/model/evaluate';
import { trainCnn } from '../../src/model/train';

/** Generous: the run is about 90 s of training on a busy 2-core machine. */
const FULL_TRAINING_TIMEOUT_MS = 20 * 60_000;

describe('the article experiment with the defaults', () => {
  it(
    'reaches at least 0.96 test accuracy: 10,000 digits, 8,000/1,000/1,000, 10 epochs of batch 64 on wasm, on every core',
    async () => {
      const report = await selectBackend({ backend: 'wasm' });
      expect(report.chosen).toBe('wasm');
      const data = prepareDigits(await loadDigits());
      expect([data.train.count, data.validation.count, data.test.count]).toEqual([8000, 1000, 1000]);
      const model = createCnn({ seed: 0 });
      try {
        const history = await trainCnn(model, data);
        expect(history.epochs.length).toBe(ARTICLE_CNN.epochs);
        expect(history.samples).toBe(80_000);
        // Data-parallel on worker threads by default wherever there is more than one core.
        expect(history.threads).toBe(Math.min(availableParallelism(), ARTICLE_CNN.batchSize));
        const test = await evaluate(model, data.test);
        console.log(`article CNN on wasm, ${history.threads} thread(s): test accuracy ${test.accuracy}, ${Math.round(history.samplesPerSecond)} train samples/s`);
        expect(test.accuracy).toBeGreaterThanOrEqual(0.96);
        expect(history.epochs.at(-1)!.valAccuracy!).toBeGreaterThan(0.95);
      } finally {
        model.dispose();
      }
    },
    FULL_TRAINING_TIMEOUT_MS,
  );
});
