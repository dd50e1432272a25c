import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { PreparedDigits } from '../data/prepare';
import type { NormalizationStats } from '../data/normalize';
import { createCnn } from './cnn';
import { ModelFileError, modelFromFiles, parseModelFileJson, readModelFiles, saveModel, type SavedModel } from './persist';
import { trainCnn, type TrainHistory, type TrainOptions } from './train';

/**
 * The trained CNN handed from notebook 05 to notebooks 06, 08 and 09: the model files plus
 * `training.json`, which records the data it was trained on. A model only makes sense with the
 * normalisation it was trained with, so a later notebook uses it only when its own data matches,
 * and otherwise trains its own (once) and says why.
 */
export const TRAINING_INFO_JSON = 'training.json';
const STATS_TOLERANCE = 1e-6;

export interface TrainingInfo {
  /** The digit set (`DigitSet.source`). */
  readonly source: string;
  readonly split: { readonly train: number; readonly validation: number; readonly test: number };
  readonly splitSeed: number;
  readonly stats: NormalizationStats;
  readonly epochs: number;
  readonly batchSize: number;
  readonly testAccuracy: number;
  readonly samplesPerSecond: number;
  readonly backend: string;
}

/** What a prepared data set says about itself, to compare with a saved model's `TrainingInfo`. */
export function dataSignature(data: PreparedDigits, splitSeed: number): Pick<TrainingInfo, 'source' | 'split' | 'splitSeed' | 'stats'> {
  return {
    source: data.source,
    split: { train: data.train.count, validation: data.validation.count, test: data.test.count },
    splitSeed,
    stats: data.stats,
  };
}

/** Why a saved model does not fit `data` ('' when it does). */
export function signatureMismatch(info: TrainingInfo, data: PreparedDigits, splitSeed: number): string {
  const want = dataSignature(data, splitSeed);
  if (info.source !== want.source) return `it was trained on ${info.source}, not ${want.source}`;
  const a = info.split;
  const b = want.split;
  if (a.train !== b.train || a.validation !== b.validation || a.test !== b.test || info.splitSeed !== splitSeed) {
    return `it was trained on a ${a.train}/${a.validation}/${a.test} split with seed ${info.splitSeed}, this notebook uses ${b.train}/${b.validation}/${b.test} with seed ${splitSeed}`;
  }
  if (Math.abs(info.stats.mean - want.stats.mean) > STATS_TOLERANCE || Math.abs(info.stats.std - want.stats.std) > STATS_TOLERANCE) {
    return 'its normalisation statistics differ from this data';
  }
  return '';
}

function isTrainingInfo(value: unknown): value is TrainingInfo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<TrainingInfo>;
  return (
    typeof v.source === 'string' &&
    typeof v.splitSeed === 'number' &&
    typeof v.split === 'object' && v.split !== null &&
    typeof v.stats === 'object' && v.stats !== null &&
    typeof v.stats.mean === 'number' && typeof v.stats.std === 'number' &&
    typeof v.testAccuracy === 'number'
  );
}

/**
 * Saves the model (`saveModel`) with its `training.json` in one folder, published with one rename:
 * a notebook reading `dir` meanwhile finds the previous model with its own record, or this one.
 */
export async function saveTrainedCnn(model: tf.LayersModel, dir: string, info: TrainingInfo): Promise<SavedModel> {
  return saveModel(model, dir, { extraFiles: { [TRAINING_INFO_JSON]: JSON.stringify(info, null, 2) } });
}

export type SavedCnn = { kind: 'absent'; dir: string } | { kind: 'saved'; dir: string; model: tf.LayersModel; info: TrainingInfo };

/**
 * The model saved in `dir` with its training record, or `absent` when nothing (or no record) is
 * saved there. All three files come from the same published folder; a corrupted or truncated one
 * raises a `ModelFileError` naming it.
 */
export async function loadTrainedCnn(dir: string): Promise<SavedCnn> {
  const files = await readModelFiles(dir, [TRAINING_INFO_JSON]);
  if (files.kind === 'absent') return { kind: 'absent', dir };
  const text = files.extra.get(TRAINING_INFO_JSON);
  if (text === undefined) return { kind: 'absent', dir };
  const infoPath = join(dir, TRAINING_INFO_JSON);
  const info = parseModelFileJson(infoPath, text.toString('utf8'));
  if (!isTrainingInfo(info)) throw new ModelFileError(infoPath, 'is not a training record (source, split, splitSeed, stats, testAccuracy)');
  return { kind: 'saved', dir, model: await modelFromFiles(files), info };
}

export type CnnOrigin =
  | { kind: 'loaded'; dir: string; info: TrainingInfo }
  | { kind: 'trained'; reason: string; history: TrainHistory };

export interface LoadOrTrainOptions extends Omit<TrainOptions, 'seed'> {
  /** Seed of the split the data was prepared with (compared with the saved record). */
  splitSeed: number;
  /** Seed of the weights and the shuffling when training is needed. */
  seed?: number;
}

/**
 * The CNN notebook 05 saved in `dir` when it was trained on the same data, else a CNN trained here
 * on `data` (the article's settings unless `options` say otherwise). `origin` says which and why.
 */
export async function loadOrTrainCnn(dir: string, data: PreparedDigits, options: LoadOrTrainOptions): Promise<{ model: tf.LayersModel; origin: CnnOrigin }> {
  const saved = await loadTrainedCnn(dir);
  let reason = `no model is saved in ${dir} (run notebook 05 first to reuse its model)`;
  if (saved.kind === 'saved') {
    const mismatch = signatureMismatch(saved.info, data, options.splitSeed);
    if (mismatch === '') return { model: saved.model, origin: { kind: 'loaded', dir, info: saved.info } };
    saved.model.dispose();
    reason = `the model saved in ${dir} does not fit this data: ${mismatch}`;
  }
  const { splitSeed: _splitSeed, seed, ...train } = options;
  const model = createCnn({ seed: seed ?? 0 });
  const history = await trainCnn(model, { train: data.train, validation: data.validation }, { ...train, seed: seed ?? 0 });
  return { model, origin: { kind: 'trained', reason, history } };
}
