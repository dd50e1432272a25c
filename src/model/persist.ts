import * as tf from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The files of a saved model: the tfjs format that `tf.loadLayersModel` and tfjs-node read. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** A model directory that cannot be written or read; names the file and the problem. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export interface SaveOptions {
  /** Replace a tfjs model already saved in the directory (default true); anything else is never replaced. */
  overwrite?: boolean;
  /**
   * Also save the optimizer's state (Adam's moments, about twice the weights' bytes) so training
   * resumes exactly; default false. The training configuration (loss, optimizer, metrics) is always
   * saved, so a loaded model is compiled either way.
   */
  includeOptimizer?: boolean;
}

export interface SavedModel {
  readonly dir: string;
  readonly modelJsonPath: string;
  readonly weightsPath: string;
  readonly weightBytes: number;
}

async function readJsonIfPresent(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ModelFileError(path, 'is not JSON');
  }
}

function isModelJson(value: unknown): value is tf.io.ModelJSON {
  return typeof value === 'object' && value !== null && 'modelTopology' in value && 'weightsManifest' in value;
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Saves a model to `dir` as `model.json` + `weights.bin` (tfjs format), each written to a temporary
 * file and renamed into place. Works on every backend (tfjs' own `file://` handler needs tfjs-node).
 */
export async function saveModel(model: tf.LayersModel, dir: string, options: SaveOptions = {}): Promise<SavedModel> {
  const modelJsonPath = join(dir, MODEL_JSON);
  const weightsPath = join(dir, WEIGHTS_BIN);
  const existing = await readJsonIfPresent(modelJsonPath);
  if (existing !== undefined && !isModelJson(existing)) {
    throw new ModelFileError(modelJsonPath, 'exists and is not a tfjs model; not replacing it');
  }
  if (existing !== undefined && options.overwrite === false) {
    throw new ModelFileError(modelJsonPath, 'a model is already saved here (pass overwrite: true to replace it)');
  }
  await mkdir(dir, { recursive: true });
  let weightBytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      weightBytes = weights.byteLength;
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const { modelTopology, format, generatedBy, convertedBy, userDefinedMetadata } = artifacts;
      const trainingConfig = artifacts.trainingConfig ?? trainingConfigOf(model);
      const json: tf.io.ModelJSON = {
        modelTopology: modelTopology as tf.io.ModelJSON['modelTopology'],
        weightsManifest: manifest,
        ...(format !== undefined ? { format } : {}),
        ...(generatedBy !== undefined ? { generatedBy } : {}),
        ...(convertedBy !== undefined ? { convertedBy } : {}),
        ...(trainingConfig !== undefined ? { trainingConfig } : {}),
        ...(userDefinedMetadata !== undefined ? { userDefinedMetadata } : {}),
      };
      // Weights first: a reader that finds model.json finds the weights it names.
      await writeAtomically(weightsPath, new Uint8Array(weights));
      await writeAtomically(modelJsonPath, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer: options.includeOptimizer ?? false },
  );
  return { dir, modelJsonPath, weightsPath, weightBytes };
}

/** The loss / optimizer / metrics a compiled model was compiled with (undefined when not compiled). */
function trainingConfigOf(model: tf.LayersModel): tf.io.TrainingConfig | undefined {
  if (model.optimizer === undefined || model.optimizer === null) return undefined;
  // getTrainingConfig is protected in the typings; it is what model.save uses with includeOptimizer.
  return (model as unknown as { getTrainingConfig(): tf.io.TrainingConfig }).getTrainingConfig();
}

/** Loads a model saved by `saveModel` (or any tfjs layers model directory) on the current backend. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const modelJsonPath = join(dir, MODEL_JSON);
  const json = await readJsonIfPresent(modelJsonPath);
  if (json === undefined) throw new ModelFileError(modelJsonPath, 'not found');
  if (!isModelJson(json)) throw new ModelFileError(modelJsonPath, 'is not a tfjs model (no modelTopology / weightsManifest)');
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const name of group.paths) {
        const path = join(dir, name);
        let bytes: Buffer;
        try {
          bytes = await readFile(path);
        } catch (error) {
          throw new ModelFileError(path, `cannot read the weights model.json names (${(error as Error).message})`);
        }
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      }
    }
    const weights = tf.io.concatenateArrayBuffers(buffers);
    const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (specs.every((s) => s.dtype === 'float32' && s.quantization === undefined) && weights.byteLength !== expected) {
      throw new ModelFileError(join(dir, WEIGHTS_BIN), `${weights.byteLength} bytes of weights, model.json describes ${expected}`);
    }
    return [specs, weights];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
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
