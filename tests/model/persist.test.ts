import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { predict } from '../../src/model/evaluate';
import { loadModel, ModelFileError, saveModel } from '../../src/model/persist';
import { trainCnn } from '../../src/model/train';
import { takeSplit } from '../../src/data/prepare';
import { smokeDigits } from './smoke';

describe('save and load', () => {
  let dir: string;
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
    dir = await mkdtemp(join(tmpdir(), 'cnn-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a trained model to identical predictions, training config included', async () => {
    const data = await smokeDigits();
    const model = createCnn({ seed: 2 });
    await trainCnn(model, { train: takeSplit(data.train, 256) }, { epochs: 1 });
    const target = join(dir, 'trained');
    const saved = await saveModel(model, target);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(saved.weightBytes).toBe(347146 * 4);
    const json = JSON.parse(await readFile(saved.modelJsonPath, 'utf8')) as { format: string; weightsManifest: Array<{ paths: string[] }>; trainingConfig: { loss: string } };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(json.trainingConfig.loss).toBe('categorical_crossentropy');
    const loaded = await loadModel(target);
    expect(loaded).not.toBe(model);
    const before = await predict(model, data.test);
    const after = await predict(loaded, data.test);
    expect(Array.from(after.probabilities)).toEqual(Array.from(before.probabilities));
    expect(Array.from(after.classes)).toEqual(Array.from(before.classes));
    // The loaded model is compiled and can keep training.
    await expect(trainCnn(loaded, { train: takeSplit(data.train, 64) }, { epochs: 1 })).resolves.toBeDefined();
    model.dispose();
    loaded.dispose();
  });

  it('replaces a saved model, but only when allowed and never a foreign model.json', async () => {
    const model = createCnn({ seed: 1, filters: 2, denseUnits: 4 });
    const target = join(dir, 'again');
    await saveModel(model, target);
    await expect(saveModel(model, target, { overwrite: false })).rejects.toThrow(/a model is already saved here/);
    await expect(saveModel(model, target)).resolves.toMatchObject({ dir: target });
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'model.json'), '{"name": "my notes"}');
    await expect(saveModel(model, foreign)).rejects.toThrow(ModelFileError);
    expect(await readFile(join(foreign, 'model.json'), 'utf8')).toBe('{"name": "my notes"}');
    expect((await readdir(target)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const withState = await saveModel(model, join(dir, 'with-optimizer'), { includeOptimizer: true });
    const plain = await saveModel(model, join(dir, 'without-optimizer'));
    expect(withState.weightBytes).toBeGreaterThan(plain.weightBytes);
    const reloaded = await loadModel(join(dir, 'with-optimizer'));
    expect(reloaded.countParams()).toBe(model.countParams());
    reloaded.dispose();
    model.dispose();
  });

  it('is needed: tfjs without tfjs-node loaded (wasm, cpu) has no file:// handler', () => {
    expect(tf.io.getSaveHandlers(`file://${dir}/x`)).toEqual([]);
    expect(tf.io.getLoadHandlers(`file://${dir}/x/model.json`)).toEqual([]);
  });

  it('names the file when loading fails', async () => {
    await expect(loadModel(join(dir, 'missing'))).rejects.toThrow(/missing\/model\.json: not found/);
    const model = createCnn({ seed: 1, filters: 2, denseUnits: 4 });
    const target = join(dir, 'truncated');
    await saveModel(model, target);
    const weights = await readFile(join(target, 'weights.bin'));
    await writeFile(join(target, 'weights.bin'), weights.subarray(0, weights.length - 8));
    await expect(loadModel(target)).rejects.toThrow(/weights\.bin: \d+ bytes of weights, model\.json describes \d+/);
    model.dispose();
    expect(tf.getBackend()).toBe('wasm');
  });
});
