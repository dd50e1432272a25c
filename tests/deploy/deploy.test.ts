import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreprocessing, DeploymentError, PREPROCESSING_JSON, toModelInput } from '../../src/deploy/preprocessing';
import { listFiles, loadDeployment, saveDeployment } from '../../src/deploy/folder';
import { classifyInSeparateProcess } from '../../src/deploy/separate-process';
import { selectBackend } from '../../src/model/backend';
import { predict } from '../../src/model/evaluate';

const SHAPE = { rows: 28, cols: 28, classes: 10 };
const STATS = { mean: 0.13, std: 0.31 };

/** A small seeded model with the CNN's input and output shapes. */
function tinyModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** `count` images of grey levels in 0..255 (whole numbers), seeded. */
function rawBytes(count: number): Float32Array {
  const out = new Float32Array(count * 784);
  let s = 12345;
  for (let i = 0; i < out.length; i += 1) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s % 256;
  }
  return out;
}

describe('preprocessing', () => {
  it('scales raw 0-255 and 0-1 pixels to the same normalised input', () => {
    const pre = createPreprocessing(SHAPE, STATS);
    const bytes = rawBytes(2);
    const fractions = bytes.map((v) => v / 255);
    const a = toModelInput(pre, bytes, 2, 255);
    const b = toModelInput(pre, fractions, 2, 1);
    expect(a[5]).toBeCloseTo((bytes[5]! / 255 - 0.13) / 0.31, 5);
    for (let i = 0; i < a.length; i += 97) expect(a[i]).toBeCloseTo(b[i]!, 5);
  });

  it('refuses a wrong length, an out-of-range pixel and a bad statistics file', () => {
    const pre = createPreprocessing(SHAPE, STATS);
    expect(() => toModelInput(pre, new Float32Array(783), 1, 1)).toThrow(/783 pixels for 1 images/);
    const bad = new Float32Array(784);
    bad[10] = 2;
    expect(() => toModelInput(pre, bad, 1, 1)).toThrow(/pixel 10 is 2, outside 0..1/);
    expect(() => createPreprocessing(SHAPE, { mean: 0, std: 0 })).toThrow(DeploymentError);
  });
});

describe('a deployment folder', () => {
  let dir: string;
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'deploy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds model, weights and preprocessing, and answers raw pixels as the model answers normalised ones', async () => {
    const model = tinyModel();
    const pre = createPreprocessing(SHAPE, STATS);
    const files = await saveDeployment(model, join(dir, 'a'), pre);
    expect(files.map((f) => f.file)).toEqual(['model.json', PREPROCESSING_JSON, 'weights.bin']);
    expect(files.find((f) => f.file === 'weights.bin')?.bytes).toBe((784 * 10 + 10) * 4);
    const raw = rawBytes(5);
    const expected = await predict(model, { images: toModelInput(pre, raw, 5, 255), count: 5, rows: 28, cols: 28 });
    const deployed = await loadDeployment(join(dir, 'a'));
    try {
      const got = await deployed.classify(raw, 5, 255);
      expect(Array.from(got.classes)).toEqual(Array.from(expected.classes));
      for (let i = 0; i < got.probabilities.length; i += 1) expect(got.probabilities[i]).toBeCloseTo(expected.probabilities[i]!, 6);
    } finally {
      deployed.dispose();
      model.dispose();
    }
  });

  it('is replaced whole when saved again into the same folder, as a re-run of notebook 06 does', async () => {
    const first = tinyModel();
    const second = tinyModel();
    try {
      await saveDeployment(first, join(dir, 'again'), createPreprocessing(SHAPE, STATS));
      const newer = createPreprocessing(SHAPE, { mean: STATS.mean + 1, std: STATS.std });
      const files = await saveDeployment(second, join(dir, 'again'), newer);
      expect(files.map((f) => f.file)).toEqual(['model.json', PREPROCESSING_JSON, 'weights.bin']);
      const deployed = await loadDeployment(join(dir, 'again'));
      try {
        expect(deployed.preprocessing).toEqual(newer);
      } finally {
        deployed.dispose();
      }
    } finally {
      first.dispose();
      second.dispose();
    }
  });

  it('refuses a folder without preprocessing.json, naming the file', async () => {
    const model = tinyModel();
    await saveDeployment(model, join(dir, 'b'), createPreprocessing(SHAPE, STATS));
    await rm(join(dir, 'b', PREPROCESSING_JSON));
    await expect(loadDeployment(join(dir, 'b'))).rejects.toThrow(/preprocessing\.json: cannot be read/);
    await writeFile(join(dir, 'b', PREPROCESSING_JSON), '{"format":"other"}');
    await expect(loadDeployment(join(dir, 'b'))).rejects.toThrow(/format is "other"/);
    model.dispose();
  });

  it('is served by a separate Node process from the files alone, with the same answers', async () => {
    const model = tinyModel();
    const pre = createPreprocessing(SHAPE, STATS);
    await saveDeployment(model, join(dir, 'c'), pre);
    const raw = rawBytes(4).map((v) => v / 255);
    const here = await predict(model, { images: toModelInput(pre, raw, 4, 1), count: 4, rows: 28, cols: 28 });
    const there = await classifyInSeparateProcess(join(dir, 'c'), raw, 4, 1);
    expect(there.pid).not.toBe(process.pid);
    expect(Array.from(there.classes)).toEqual(Array.from(here.classes));
    for (let i = 0; i < there.probabilities.length; i += 1) expect(Math.abs(there.probabilities[i]! - here.probabilities[i]!)).toBeLessThan(1e-5);
    expect((await readdir(join(dir, 'c'))).sort()).toEqual((await listFiles(join(dir, 'c'))).map((f) => f.file));
    model.dispose();
  }, 180_000);
});
