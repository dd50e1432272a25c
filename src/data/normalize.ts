/** The statistics of the article's normalisation (x − mean) / std. */
export interface NormalizationStats {
  readonly mean: number;
  readonly std: number;
}

/**
 * Mean and standard deviation of every pixel of the images at `indices` (the training split only:
 * statistics from validation or test images would leak them into training).
 */
export function computeNormalization(images: Float32Array, pixelsPerImage: number, indices: ArrayLike<number>): NormalizationStats {
  if (indices.length === 0) throw new RangeError('computeNormalization: no images to compute statistics on');
  let sum = 0;
  for (let k = 0; k < indices.length; k += 1) {
    const start = indices[k]! * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p += 1) sum += images[start + p]!;
  }
  const n = indices.length * pixelsPerImage;
  const mean = sum / n;
  let squares = 0;
  for (let k = 0; k < indices.length; k += 1) {
    const start = indices[k]! * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p += 1) squares += (images[start + p]! - mean) ** 2;
  }
  const std = Math.sqrt(squares / n);
  return { mean, std: std > 0 ? std : 1 };
}

/** Gathers the images at `indices` and normalises them: (x − mean) / std. */
export function normalizeImages(
  images: Float32Array,
  pixelsPerImage: number,
  indices: ArrayLike<number>,
  stats: NormalizationStats,
): Float32Array {
  const out = new Float32Array(indices.length * pixelsPerImage);
  for (let k = 0; k < indices.length; k += 1) {
    const start = indices[k]! * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p += 1) out[k * pixelsPerImage + p] = (images[start + p]! - stats.mean) / stats.std;
  }
  return out;
}
