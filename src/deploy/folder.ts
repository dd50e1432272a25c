import type * as tf from '@tensorflow/tfjs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { predict, type Predictions } from '../model/evaluate';
import { loadModel, saveModel } from '../model/persist';
import { assertPreprocessing, DeploymentError, PREPROCESSING_JSON, toModelInput, type PixelRange, type Preprocessing } from './preprocessing';

/**
 * A deployable folder: the tfjs model files (`model.json`, `weights.bin`) and `preprocessing.json`.
 * Whoever loads it sends raw pixels and gets class probabilities back; nothing else is needed
 * (taught in notebook 06).
 */
export interface DeploymentFile {
  readonly file: string;
  readonly bytes: number;
}

/** Every file of a folder with its size, sorted by name. */
export async function listFiles(dir: string): Promise<DeploymentFile[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (file) => ({ file, bytes: (await stat(join(dir, file))).size })));
}

/**
 * Saves the model and its preprocessing into `dir`, all published together by one rename (so a
 * deployment saved again replaces the earlier one whole); returns the files written.
 */
export async function saveDeployment(model: tf.LayersModel, dir: string, preprocessing: Preprocessing): Promise<DeploymentFile[]> {
  assertPreprocessing(preprocessing, 'saveDeployment');
  await saveModel(model, dir, { extraFiles: { [PREPROCESSING_JSON]: JSON.stringify(preprocessing, null, 2) } });
  return listFiles(dir);
}

/** A loaded deployment: classify raw pixels. */
export interface Deployment {
  readonly dir: string;
  readonly model: tf.LayersModel;
  readonly preprocessing: Preprocessing;
  classify(pixels: ArrayLike<number>, count: number, range: PixelRange): Promise<Predictions>;
  dispose(): void;
}

/** Loads a folder written by `saveDeployment`, from its files alone. */
export async function loadDeployment(dir: string): Promise<Deployment> {
  const path = join(dir, PREPROCESSING_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DeploymentError(path, `cannot be read (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new DeploymentError(path, `is not JSON (${(error as Error).message})`);
  }
  assertPreprocessing(parsed, path);
  const preprocessing = parsed;
  const model = await loadModel(dir);
  return {
    dir,
    model,
    preprocessing,
    async classify(pixels, count, range) {
      const images = toModelInput(preprocessing, pixels, count, range);
      return predict(model, { images, count, rows: preprocessing.rows, cols: preprocessing.cols });
    },
    dispose() {
      model.dispose();
    },
  };
}
