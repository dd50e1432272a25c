import type { NormalizationStats } from '../data/normalize';
import { ProjectError } from '../errors';

/**
 * What a deployed digit model does to raw pixels before the network sees them, saved beside the
 * model as `preprocessing.json` so the folder alone is enough to serve it (notebook 06).
 */
export const PREPROCESSING_JSON = 'preprocessing.json';
export const PREPROCESSING_FORMAT = 'llm-price-lab/digit-preprocessing@1';

/** The largest grey level of the raw pixels a caller sends: 255 (bytes) or 1 (fractions). */
export type PixelRange = 1 | 255;

export interface Preprocessing {
  readonly format: typeof PREPROCESSING_FORMAT;
  readonly rows: number;
  readonly cols: number;
  readonly classes: number;
  /** The article's (x − mean) / std, with statistics in units of grey levels in [0, 1]. */
  readonly normalization: NormalizationStats;
}

/** A preprocessing file or an input that does not fit it; names the file or the problem. */
export class DeploymentError extends ProjectError<{ where: string; problem: string }> {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`, { where, problem });
  }
}

export function createPreprocessing(shape: { rows: number; cols: number; classes: number }, normalization: NormalizationStats): Preprocessing {
  const value: Preprocessing = { format: PREPROCESSING_FORMAT, rows: shape.rows, cols: shape.cols, classes: shape.classes, normalization: { mean: normalization.mean, std: normalization.std } };
  assertPreprocessing(value, 'createPreprocessing');
  return value;
}

const positiveInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Checks what was read from `preprocessing.json` (a trust boundary). */
export function assertPreprocessing(value: unknown, where: string): asserts value is Preprocessing {
  if (typeof value !== 'object' || value === null) throw new DeploymentError(where, 'is not a JSON object');
  const v = value as Partial<Preprocessing>;
  if (v.format !== PREPROCESSING_FORMAT) throw new DeploymentError(where, `format is ${JSON.stringify(v.format)}, expected ${PREPROCESSING_FORMAT}`);
  if (!positiveInteger(v.rows) || !positiveInteger(v.cols) || !positiveInteger(v.classes)) throw new DeploymentError(where, 'rows, cols and classes must be positive integers');
  const n = v.normalization;
  if (typeof n !== 'object' || n === null || !Number.isFinite(n.mean) || !(Number.isFinite(n.std) && n.std > 0)) {
    throw new DeploymentError(where, 'normalization needs a finite mean and a positive std');
  }
}

/**
 * Raw pixels (`count` images of rows × cols, grey levels 0..`range`) to the network's input:
 * scaled to [0, 1], then (x − mean) / std. Refuses a wrong length or a value outside 0..range.
 */
export function toModelInput(pre: Preprocessing, pixels: ArrayLike<number>, count: number, range: PixelRange): Float32Array {
  const perImage = pre.rows * pre.cols;
  if (!Number.isInteger(count) || count < 1) throw new DeploymentError('input', `count ${count} is not a positive integer`);
  if (pixels.length !== count * perImage) throw new DeploymentError('input', `${pixels.length} pixels for ${count} images of ${pre.rows}x${pre.cols} (expected ${count * perImage})`);
  if (range !== 1 && range !== 255) throw new DeploymentError('input', `pixel range ${String(range)} is neither 1 nor 255`);
  const out = new Float32Array(pixels.length);
  const { mean, std } = pre.normalization;
  for (let i = 0; i < pixels.length; i += 1) {
    const raw = pixels[i]!;
    if (!(raw >= 0 && raw <= range)) throw new DeploymentError('input', `pixel ${i} is ${raw}, outside 0..${range}`);
    out[i] = (raw / range - mean) / std;
  }
  return out;
}
