import { describe, expect, it } from 'vitest';
import { median, quantile, spreadOf } from '../../src/stats';

describe('summaries of repeated measurements', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([9, 2, 7])).toBe(7);
    expect(median([4, 1, 3, 2])).toBeCloseTo(2.5, 12);
    expect(median([3.5, -1, 8, 2, 0.5])).toBe(2);
    expect(median([5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('interpolates quantiles as numpy.percentile does by default', () => {
    // numpy.percentile([1, 2, 3, 4], [25, 50, 95]) → 1.75, 2.5, 3.85; ([7, 1, 3], [25, 50, 75]) → 2, 3, 5
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(spreadOf([7, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 7, q1: 2, q3: 5 });
    expect(quantile([5], 0.95)).toBe(5);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('leaves its input in the order given', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
