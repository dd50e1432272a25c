import { describe, expect, it } from 'vitest';
import { median, quantile, spreadOf, steadyRate } from '../../src/model/timing';

describe('summaries of repeated measurements', () => {
  it('interpolates quantiles as numpy.percentile does by default', () => {
    // numpy.percentile([1, 2, 3, 4], [25, 50, 95]) → 1.75, 2.5, 3.85; ([7, 1, 3], [50, 25, 75]) → 3, 2, 5
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(median([4, 1, 3, 2])).toBeCloseTo(2.5, 12);
    expect(quantile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(spreadOf([7, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 7, q1: 2, q3: 5 });
    expect(quantile([5], 0.95)).toBe(5);
    expect(median([])).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('leaves the warm-up steps out of a rate', () => {
    // Steps end at 100, 1000, 1500, 2000 ms; after the first, 3 steps of 10 samples in 1.9 s.
    expect(steadyRate([100, 1000, 1500, 2000], [10, 10, 10, 10], 1)).toBeCloseTo(30 / 1.9, 9);
    expect(steadyRate([100, 1000, 1500, 2000], [10, 10, 10, 6], 2)).toBeCloseTo(16 / 1.0, 9);
    expect(() => steadyRate([1, 2], [1, 1], 2)).toThrow(/leave no measured step/);
  });
});
