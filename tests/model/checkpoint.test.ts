import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeSplit, type PreparedDigits } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';
import { loadOrTrainCnn, loadTrainedCnn, saveTrainedCnn, dataSignature, TRAINING_INFO_JSON } from '../../src/model/checkpoint';
import { createCnn } from '../../src/model/cnn';
import { predict } from '../../src/model/evaluate';
import { ModelFileError } from '../../src/model/persist';
import { smokeDigits } from './smoke';

const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the trained CNN handed between notebooks', () => {
  let data: PreparedDigits;
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
    const full = await smokeDigits();
    data = { ...full, train: takeSplit(full.train, 128) };
  });

  it('trains when nothing is saved, and says so', async () => {
    const { model, origin } = await loadOrTrainCnn(join(dir, 'none'), data, { splitSeed: 1, epochs: 1 });
    expect(origin.kind).toBe('trained');
    expect(origin.kind === 'trained' && origin.reason).toMatch(/no model is saved/);
    expect(origin.kind === 'trained' && origin.history.epochs).toHaveLength(1);
    model.dispose();
  });

  it('loads a saved model trained on the same data, with the same predictions', async () => {
    const model = createCnn({ seed: 3 });
    const target = join(dir, 'cnn');
    await saveTrainedCnn(model, target, { ...dataSignature(data, 1), epochs: 0, batchSize: 64, testAccuracy: 0.1, samplesPerSecond: 1, backend: 'wasm' });
    const { model: loaded, origin } = await loadOrTrainCnn(target, data, { splitSeed: 1, epochs: 1 });
    expect(origin).toMatchObject({ kind: 'loaded', info: { testAccuracy: 0.1, splitSeed: 1 } });
    expect(Array.from(predict(loaded, data.test).probabilities)).toEqual(Array.from(predict(model, data.test).probabilities));
    model.dispose();
    loaded.dispose();
  });

  it('retrains when the saved model was trained on another split, naming the difference', async () => {
    const { model, origin } = await loadOrTrainCnn(join(dir, 'cnn'), data, { splitSeed: 2, epochs: 1 });
    expect(origin.kind === 'trained' && origin.reason).toMatch(/does not fit this data: .*seed 1, this notebook uses .* seed 2/);
    model.dispose();
  });

  it('reports a missing model as absent and a broken record by file name', async () => {
    expect(await loadTrainedCnn(join(dir, 'none'))).toEqual({ kind: 'absent', dir: join(dir, 'none') });
    writeFileSync(join(dir, 'cnn', TRAINING_INFO_JSON), '{"source": 1}');
    await expect(loadTrainedCnn(join(dir, 'cnn'))).rejects.toThrow(ModelFileError);
    await expect(loadTrainedCnn(join(dir, 'cnn'))).rejects.toThrow(/training\.json: is not a training record/);
  });
});
