import * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from './prepare';

/**
 * What a compiled model does when handed the article's integer labels (one digit per image) where
 * its loss expects one-hot rows: taught in notebook 05, where the printed Keras code makes this mistake.
 */
export type LabelFormatOutcome = { readonly kind: 'accepted' } | { readonly kind: 'refused'; readonly message: string };

/**
 * Fits `model` for one epoch on the first `count` images of `split` with their labels as a
 * `count × 1` column of integers, and reports whether tfjs accepted them. The model is only used
 * as a probe: pass a throwaway copy.
 */
export async function tryIntegerLabels(model: tf.LayersModel, split: DigitSplit, count = 8): Promise<LabelFormatOutcome> {
  const n = Math.min(count, split.count);
  if (n < 1) throw new RangeError('tryIntegerLabels: the split has no images');
  const pixels = split.rows * split.cols;
  const xs = tf.tensor4d(split.images.slice(0, n * pixels), [n, split.rows, split.cols, 1]);
  const labels = tf.tensor2d(Array.from(split.labels.slice(0, n)), [n, 1]);
  try {
    await model.fit(xs, labels, { epochs: 1, verbose: 0 });
    return { kind: 'accepted' };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { kind: 'refused', message: error.message.split('\n')[0] ?? '' };
  } finally {
    tf.dispose([xs, labels]);
  }
}

/** How many images carry each label 0..classes−1 (05 prints them to show which digits a set holds). */
export function labelCounts(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new RangeError(`labelCounts: label ${label} at index ${i} is not in 0..${classes - 1}`);
    counts[label] += 1;
  }
  return counts;
}
