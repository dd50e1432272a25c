import { describe, expect, it } from 'vitest';
import { steadyRate } from '../../src/model/timing';

describe('rate of timed training steps', () => {
  it('leaves the warm-up steps out of a rate', () => {
    // Steps end at 100, 1000, 1500, 2000 ms; after the first, 3 steps of 10 samples in 1.9 s.
    expect(steadyRate([100, 1000, 1500, 2000], [10, 10, 10, 10], 1)).toBeCloseTo(30 / 1.9, 9);
    expect(steadyRate([100, 1000, 1500, 2000], [10, 10, 10, 6], 2)).toBeCloseTo(16 / 1.0, 9);
    expect(() => steadyRate([1, 2], [1, 1], 2)).toThrow(/leave no measured step/);
  });
});
