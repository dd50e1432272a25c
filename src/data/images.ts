import type { DigitSet } from './digits';

/**
 * The images of `set` at `positions` (e.g. `prepared.indices.test[k]` for the k-th test image) as
 * loaded: grey levels in [0, 1]. A prepared split holds normalised pixels, which do not draw as
 * digits; the notebooks draw these instead (05: mistakes, 06: held-out predictions).
 */
export function imagesAt(set: DigitSet, positions: ArrayLike<number>): Float32Array[] {
  const pixels = set.rows * set.cols;
  return Array.from({ length: positions.length }, (_, k) => {
    const i = positions[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= set.count) throw new RangeError(`imagesAt: position ${i} is not in 0..${set.count - 1} of ${set.source}`);
    return set.images.slice(i * pixels, (i + 1) * pixels);
  });
}
