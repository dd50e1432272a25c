import type { Predictions } from './evaluate';

/** How far two models' answers on the same images differ (taught in notebook 06: a reloaded model must agree). */
export interface PredictionAgreement {
  /** Images on which both predict the same class. */
  readonly sameClass: number;
  readonly count: number;
  /** Largest |p − q| over every image and class. */
  readonly maxProbabilityDifference: number;
}

export function comparePredictions(a: Predictions, b: Predictions): PredictionAgreement {
  if (a.classes.length !== b.classes.length || a.classCount !== b.classCount) {
    throw new RangeError(`comparePredictions: ${a.classes.length}×${a.classCount} predictions against ${b.classes.length}×${b.classCount}`);
  }
  let sameClass = 0;
  for (let i = 0; i < a.classes.length; i += 1) if (a.classes[i] === b.classes[i]) sameClass += 1;
  let maxProbabilityDifference = 0;
  for (let i = 0; i < a.probabilities.length; i += 1) {
    maxProbabilityDifference = Math.max(maxProbabilityDifference, Math.abs(a.probabilities[i]! - b.probabilities[i]!));
  }
  return { sameClass, count: a.classes.length, maxProbabilityDifference };
}
