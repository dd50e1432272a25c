import { ProjectError } from '../errors';

/** A labelled set of grey-level digit images (pixels in [0, 1]), as loaded before any preprocessing. */
export interface DigitSet {
  /** `count × rows × cols` grey levels in [0, 1], row-major, one image after another. */
  readonly images: Float32Array;
  /** One class index per image. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** Number of classes (10 for the digit sets). */
  readonly classes: number;
  /** Where the images came from, for reports. */
  readonly source: string;
}

/** A digit set that does not hold together (labels out of range, sizes that disagree). */
export class DigitSetError extends ProjectError<{ source: string; problem: string }> {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`, { source, problem });
  }
}

/** Checks a set's sizes and labels; returns it unchanged. */
export function checkDigitSet(set: DigitSet): DigitSet {
  const pixels = set.rows * set.cols;
  if (set.images.length !== set.count * pixels) {
    throw new DigitSetError(set.source, `${set.images.length} pixels for ${set.count} images of ${set.rows}x${set.cols}`);
  }
  if (set.labels.length !== set.count) {
    throw new DigitSetError(set.source, `${set.labels.length} labels for ${set.count} images`);
  }
  for (let i = 0; i < set.count; i += 1) {
    if (set.labels[i]! >= set.classes) {
      throw new DigitSetError(set.source, `label ${set.labels[i]} of image ${i} is not below ${set.classes} classes`);
    }
  }
  return set;
}
