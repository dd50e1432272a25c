import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(Array.from((await predict(loaded, data.test)).probabilities)).toEqual(Array.from((await predict(model, data.test)).probabilities));
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

describe('publishing a saved model', () => {
  let data: PreparedDigits;
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
    const full = await smokeDigits();
    data = { ...full, test: takeSplit(full.test, 16) };
  });

  it('never lets a reader pair one save with another while saves replace the folder', async () => {
    const target = join(dir, 'contended');
    const models = [createCnn({ seed: 11, filters: 4, denseUnits: 8 }), createCnn({ seed: 12, filters: 4, denseUnits: 8 })];
    const expected = await Promise.all(models.map(async (m) => Array.from((await predict(m, data.test)).probabilities)));
    const info = (k: number) => ({ ...dataSignature(data, 1), epochs: 0, batchSize: 64, testAccuracy: k, samplesPerSecond: 1, backend: 'wasm' });
    await saveTrainedCnn(models[0]!, target, info(0));
    let writing = true;
    const writer = (async () => {
      try {
        for (let i = 1; i <= 40; i += 1) await saveTrainedCnn(models[i % 2]!, target, info(i % 2));
      } finally {
        writing = false;
      }
    })();
    let reads = 0;
    while (writing || reads < 5) {
      const saved = await loadTrainedCnn(target);
      if (saved.kind === 'absent') continue;
      const k = saved.info.testAccuracy;
      expect([0, 1]).toContain(k);
      expect(Array.from((await predict(saved.model, data.test)).probabilities)).toEqual(expected[k]);
      saved.model.dispose();
      reads += 1;
    }
    await writer;
    expect(readdirSync(dir).filter((name) => name.startsWith('contended.'))).toEqual([]);
    expect(readdirSync(target).sort()).toEqual(['model.json', TRAINING_INFO_JSON, 'weights.bin'].sort());
    for (const m of models) m.dispose();
  });

  it('names the file, in one line, when a saved model is truncated or corrupted', async () => {
    const target = join(dir, 'damaged');
    const model = createCnn({ seed: 13, filters: 2, denseUnits: 4 });
    const save = () => saveTrainedCnn(model, target, { ...dataSignature(data, 1), epochs: 0, batchSize: 64, testAccuracy: 0.5, samplesPerSecond: 1, backend: 'wasm' });
    const damage = async (file: string, change: (bytes: Buffer) => Buffer, pattern: RegExp) => {
      await save();
      writeFileSync(join(target, file), change(readFileSync(join(target, file))));
      const error = await loadTrainedCnn(target).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).message).not.toContain('\n');
    };
    await damage('model.json', (b) => b.subarray(0, b.length >> 1), /damaged\/model\.json: is not valid JSON \(truncated or corrupted/);
    await damage(TRAINING_INFO_JSON, (b) => b.subarray(0, 10), /damaged\/training\.json: is not valid JSON/);
    await damage('weights.bin', (b) => b.subarray(0, b.length - 4), /damaged\/weights\.bin: \d+ bytes of weights, model\.json describes \d+/);
    await damage('weights.bin', (b) => Buffer.from(b.map((x, i) => (i === 100 ? x ^ 0xff : x))), /damaged\/weights\.bin: does not match the sha256 model\.json records/);
    await damage('model.json', (b) => Buffer.from(b.toString('utf8').replace('"class_name":"Dense"', '"class_name":"NoSuchLayer"')), /damaged\/model\.json: tfjs cannot build the model/);
    rmSync(join(target, 'weights.bin'));
    await expect(loadTrainedCnn(target)).rejects.toThrow(/damaged\/weights\.bin: is missing \(model\.json names it\)/);
    model.dispose();
  });

  it('refuses to replace a folder holding anything but a saved model', async () => {
    const target = join(dir, 'mine');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'keep me');
    const model = createCnn({ seed: 13, filters: 2, denseUnits: 4 });
    await expect(saveTrainedCnn(model, target, { ...dataSignature(data, 1), epochs: 0, batchSize: 64, testAccuracy: 0.5, samplesPerSecond: 1, backend: 'wasm' })).rejects.toThrow(/mine: holds other files \(notes\.txt\)/);
    expect(readFileSync(join(target, 'notes.txt'), 'utf8')).toBe('keep me');
    model.dispose();
  });
});
