import { describe, expect, it } from 'vitest';
import { comparePredictions } from '../../src/model/compare';

const predictions = (classes: number[], probabilities: number[]) => ({ classes: Uint8Array.from(classes), probabilities: Float32Array.from(probabilities), classCount: 2 });

describe('agreement of two models on the same images', () => {
  it('counts the same classes and the largest probability difference', () => {
    const a = predictions([0, 1, 1], [0.9, 0.1, 0.25, 0.75, 0.5, 0.5]);
    const b = predictions([0, 1, 0], [0.875, 0.125, 0.25, 0.75, 0.625, 0.375]);
    expect(comparePredictions(a, b)).toEqual({ sameClass: 2, count: 3, maxProbabilityDifference: 0.125 });
    expect(comparePredictions(a, a)).toEqual({ sameClass: 3, count: 3, maxProbabilityDifference: 0 });
  });
  it('refuses predictions of different shapes', () => {
    expect(() => comparePredictions(predictions([0], [1, 0]), predictions([0, 1], [1, 0, 0, 1]))).toThrow(/1×2 predictions against 2×2/);
  });
});
