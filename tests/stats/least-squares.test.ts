import { describe, expect, it } from 'vitest';
import { leastSquaresLine } from '../../src/stats/least-squares';

describe('leastSquaresLine', () => {
  it('recovers an exact line', () => {
    const xs = [0, 1, 2, 3, 4];
    const fit = leastSquaresLine(xs, xs.map((x) => 3 - 0.5 * x));
    expect(fit.slope).toBeCloseTo(-0.5, 12);
    expect(fit.intercept).toBeCloseTo(3, 12);
    expect(fit.n).toBe(5);
  });

  it('gives the textbook slope for noisy points', () => {
    // x = 1..5, y = 2, 4, 5, 4, 5: slope 0.6, intercept 2.2.
    const fit = leastSquaresLine([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    expect(fit.slope).toBeCloseTo(0.6, 12);
    expect(fit.intercept).toBeCloseTo(2.2, 12);
    expect(fit.sxx).toBeCloseTo(10, 12);
  });

  it('reports equal x values through sxx = 0 and refuses mismatched lengths', () => {
    expect(leastSquaresLine([2, 2], [1, 3]).sxx).toBe(0);
    expect(() => leastSquaresLine([1, 2], [1])).toThrow(/2 x values but 1 y values/);
    expect(() => leastSquaresLine([], [])).toThrow(/no points/);
  });
});
