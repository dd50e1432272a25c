import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AtomicWriteError, folderBeingReplaced, publishFolder } from '../atomic';
import { trainingConfigOf } from './tfjs-internals';
import { FileProblemError, firstLine } from '../errors';
import { sleep } from '../wait';
import { recordRead, recordWrite } from '../provenance';

/** The files of a saved model: the tfjs format that `tf.loadLayersModel` and tfjs-node read. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** A model directory that cannot be written or read; names the file and the problem. */
export class ModelFileError extends FileProblemError {}

export interface SaveOptions {
  /** Replace a tfjs model already saved in the directory (default true); anything else is never replaced. */
  overwrite?: boolean;
  /**
   * Also save the optimizer's state (Adam's moments, about twice the weights' bytes) so training
   * resumes exactly; default false. The training configuration (loss, optimizer, metrics) is always
   * saved, so a loaded model is compiled either way.
   */
  includeOptimizer?: boolean;
  /** More files (name → content) saved in the same folder and published with the model in the same rename. */
  extraFiles?: Readonly<Record<string, string | Uint8Array>>;
}

export interface SavedModel {
  readonly dir: string;
  readonly modelJsonPath: string;
  readonly weightsPath: string;
  readonly weightBytes: number;
}

function isModelJson(value: unknown): value is tf.io.ModelJSON {
  return typeof value === 'object' && value !== null && 'modelTopology' in value && 'weightsManifest' in value;
}

/** Parses a model file's JSON text, naming the file when it is not JSON (truncated or corrupted). */
export function parseModelFileJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelFileError(path, `is not valid JSON (truncated or corrupted: ${firstLine(error)})`);
  }
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelFileError(path, `cannot be read (${firstLine(error)})`);
  }
}

/** The key in model.json recording the sha256 of the weights (tfjs readers ignore unknown keys). */
const WEIGHTS_DIGEST_KEY = 'weightsSha256';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Files a saved-model folder may hold; any other file makes `saveModel` refuse to replace it. */
const MODEL_FOLDER_FILES = new Set([MODEL_JSON, WEIGHTS_BIN]);

/**
 * Saves a model to the folder `dir` as `model.json` + `weights.bin` (tfjs format) plus any
 * `extraFiles`: all are written into a temporary folder beside it, which then replaces `dir` with
 * one rename, so a reader never pairs new weights with an old `model.json`. Works on every backend
 * (tfjs' own `file://` handler needs tfjs-node). A folder holding anything but a saved model is
 * never replaced.
 */
export async function saveModel(model: tf.LayersModel, dir: string, options: SaveOptions = {}): Promise<SavedModel> {
  const modelJsonPath = join(dir, MODEL_JSON);
  const weightsPath = join(dir, WEIGHTS_BIN);
  const extraFiles = options.extraFiles ?? {};
  const existingText = await readIfPresent(modelJsonPath);
  if (existingText !== undefined) {
    // A model.json that is not JSON at all is a damaged save (replaced); JSON of another kind is not ours.
    let existing: unknown = 'damaged';
    try {
      existing = JSON.parse(existingText.toString('utf8'));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
    if (existing !== 'damaged' && !isModelJson(existing)) throw new ModelFileError(modelJsonPath, 'exists and is not a tfjs model; not replacing it');
    if (options.overwrite === false) throw new ModelFileError(modelJsonPath, 'a model is already saved here (pass overwrite: true to replace it)');
  }
  const present = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return error.code === 'ENOENT' ? [] : [basename(dir)];
    throw new ModelFileError(dir, `cannot be listed (${firstLine(error)})`);
  });
  const foreign = present.filter((name) => !MODEL_FOLDER_FILES.has(name) && !(name in extraFiles));
  if (foreign.length > 0) throw new ModelFileError(dir, `holds other files (${foreign.slice(0, 3).join(', ')}); a saved model replaces the whole folder, so not replacing it`);

  let weights: ArrayBuffer = new ArrayBuffer(0);
  let json: tf.io.ModelJSON | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const { modelTopology, format, generatedBy, convertedBy, userDefinedMetadata } = artifacts;
      const trainingConfig = artifacts.trainingConfig ?? trainingConfigOf(model);
      json = {
        modelTopology: modelTopology as tf.io.ModelJSON['modelTopology'],
        weightsManifest: manifest,
        ...(format !== undefined ? { format } : {}),
        ...(generatedBy !== undefined ? { generatedBy } : {}),
        ...(convertedBy !== undefined ? { convertedBy } : {}),
        ...(trainingConfig !== undefined ? { trainingConfig } : {}),
        ...(userDefinedMetadata !== undefined ? { userDefinedMetadata } : {}),
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer: options.includeOptimizer ?? false },
  );
  if (json === undefined) throw new ModelFileError(modelJsonPath, 'the model produced nothing to save');
  const weightBytes = new Uint8Array(weights);
  for (const name of Object.keys(extraFiles)) {
    if (name.includes('/') || name.includes('\\') || MODEL_FOLDER_FILES.has(name)) throw new ModelFileError(join(dir, name), 'is not a plain file name beside the model');
  }
  const files = {
    [WEIGHTS_BIN]: weightBytes,
    [MODEL_JSON]: JSON.stringify({ ...(json as object), [WEIGHTS_DIGEST_KEY]: sha256(weightBytes) }),
    ...extraFiles,
  };
  recordWrite(dir);
  try {
    await publishFolder(dir, files);
  } catch (error) {
    if (error instanceof AtomicWriteError) throw new ModelFileError(error.path, error.problem);
    throw error;
  }
  return { dir, modelJsonPath, weightsPath, weightBytes: weightBytes.byteLength };
}

/** The files of one saved model, read from one published folder (`absent` when there is none). */
export type ModelFiles =
  | { kind: 'absent'; dir: string }
  | { kind: 'present'; dir: string; modelJson: tf.io.ModelJSON; weights: Map<string, Buffer>; extra: Map<string, Buffer | undefined> };

/** Attempts to read one folder's files while no writer replaced it in between. */
const READ_ATTEMPTS = 5;
const PUBLISH_WAIT_MS = 50;

/**
 * Reads `model.json`, the weight files it names and `extraNames` from `dir`, all from the same
 * published folder: when a writer replaces the folder during the reads (its inode changes), the
 * reads start again. Corrupted or truncated files raise a `ModelFileError` naming the file.
 */
export async function readModelFiles(dir: string, extraNames: readonly string[] = []): Promise<ModelFiles> {
  recordRead(dir);
  const modelJsonPath = join(dir, MODEL_JSON);
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt += 1) {
    const before = await stat(dir).catch(() => undefined);
    if (before === undefined) {
      // Between a writer's two renames the folder is briefly absent, its predecessor set aside.
      if (!(await folderBeingReplaced(dir))) return { kind: 'absent', dir };
      await sleep(PUBLISH_WAIT_MS);
      continue;
    }
    const text = await readIfPresent(modelJsonPath);
    if (text === undefined) {
      if (attempt === 0 && (await stat(dir).catch(() => undefined))?.ino === before.ino) return { kind: 'absent', dir };
      continue;
    }
    const json = parseModelFileJson(modelJsonPath, text.toString('utf8'));
    if (!isModelJson(json)) throw new ModelFileError(modelJsonPath, 'is not a tfjs model (no modelTopology / weightsManifest)');
    const weights = new Map<string, Buffer>();
    let missing: string | undefined;
    for (const group of json.weightsManifest) {
      for (const name of group.paths) {
        const bytes = await readIfPresent(join(dir, name));
        if (bytes === undefined) missing ??= name;
        else weights.set(name, bytes);
      }
    }
    const extra = new Map<string, Buffer | undefined>();
    for (const name of extraNames) extra.set(name, await readIfPresent(join(dir, name)));
    const after = await stat(dir).catch(() => undefined);
    if (after === undefined || after.ino !== before.ino || after.dev !== before.dev) continue;
    if (missing !== undefined) throw new ModelFileError(join(dir, missing), 'is missing (model.json names it)');
    return { kind: 'present', dir, modelJson: json, weights, extra };
  }
  throw new ModelFileError(dir, `kept being replaced while it was read (${READ_ATTEMPTS} attempts)`);
}

/** Builds the model from files read by `readModelFiles`, checking the weights against model.json. */
export async function modelFromFiles(files: Extract<ModelFiles, { kind: 'present' }>): Promise<tf.LayersModel> {
  const { dir, modelJson } = files;
  const modelJsonPath = join(dir, MODEL_JSON);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const name of group.paths) {
        const bytes = files.weights.get(name);
        if (bytes === undefined) throw new ModelFileError(join(dir, name), 'is missing (model.json names it)');
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    const weights = tf.io.concatenateArrayBuffers(buffers);
    const weightsPath = join(dir, manifest[0]?.paths[0] ?? WEIGHTS_BIN);
    const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (specs.every((s) => s.dtype === 'float32' && s.quantization === undefined) && weights.byteLength !== expected) {
      throw new ModelFileError(weightsPath, `${weights.byteLength} bytes of weights, model.json describes ${expected} (truncated, or not this model's weights)`);
    }
    const digest: unknown = Object.getOwnPropertyDescriptor(modelJson, WEIGHTS_DIGEST_KEY)?.value;
    if (typeof digest === 'string' && sha256(new Uint8Array(weights)) !== digest) {
      throw new ModelFileError(weightsPath, "does not match the sha256 model.json records (corrupted, or another save's weights)");
    }
    return [specs, weights];
  });
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new ModelFileError(modelJsonPath, `tfjs cannot build the model it describes (${firstLine(error)})`);
  }
}

/** Loads a model saved by `saveModel` (or any tfjs layers model directory) on the current backend. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const files = await readModelFiles(dir);
  if (files.kind === 'absent') throw new ModelFileError(join(dir, MODEL_JSON), 'not found');
  return modelFromFiles(files);
}

/** A model's topology, weights and training configuration in memory (what `model.save` writes). */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = { ...artifacts, trainingConfig: artifacts.trainingConfig ?? trainingConfigOf(model) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (saved === undefined) throw new Error('modelArtifacts: the model produced no artifacts');
  return saved;
}

/** A copy of a model with its own weights (same topology and training configuration, compiled). */
export async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(await modelArtifacts(model)));
}
