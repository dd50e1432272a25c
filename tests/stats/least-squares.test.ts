import { describe, expect, it } from 'vitest';
import { leastSquaresLine } from '../../src/stats';

describe('leastSquaresLine', () => {
  it('recovers an exact line', () => {
    const fit = leastSquaresLine([0, 1, 2, 3, 4], [3, 2.5, 2, 1.5, 1]);
    expect(fit.slope).toBeCloseTo(-0.5, 12);
    expect(fit.intercept).toBeCloseTo(3, 12);
    expect(fit.rSquared).toBeCloseTo(1, 12);
    expect(fit.residualSs).toBeCloseTo(0, 12);
    expect(fit.n).toBe(5);
  });

  it('gives the textbook fit for noisy points (worked by hand)', () => {
    // x = 1..5, y = 2, 4, 5, 4, 5: means 3 and 4, Sxx = 10, Sxy = 6, Syy = 6, so slope 0.6,
    // intercept 4 − 0.6·3 = 2.2, residual sum of squares 6 − 0.6·6 = 2.4, R² = 1 − 2.4/6 = 0.6.
    const fit = leastSquaresLine([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    expect(fit.meanX).toBe(3);
    expect(fit.meanY).toBe(4);
    expect(fit.sxx).toBeCloseTo(10, 12);
    expect(fit.sxy).toBeCloseTo(6, 12);
    expect(fit.syy).toBeCloseTo(6, 12);
    expect(fit.slope).toBeCloseTo(0.6, 12);
    expect(fit.intercept).toBeCloseTo(2.2, 12);
    expect(fit.residualSs).toBeCloseTo(2.4, 12);
    expect(fit.rSquared).toBeCloseTo(0.6, 12);
  });

  it('matches numpy.polyfit on seven points', () => {
    // numpy.polyfit(x, y, 1) → 1.9857142857142855, 0.07142857142857056; corrcoef² → 0.9983465095850774;
    // sum of squared residuals 0.1828571428571426.
    const fit = leastSquaresLine([1, 2, 3, 4, 5, 6, 7], [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8]);
    expect(fit.slope).toBeCloseTo(1.9857142857142855, 12);
    expect(fit.intercept).toBeCloseTo(0.07142857142857056, 12);
    expect(fit.rSquared).toBeCloseTo(0.9983465095850774, 12);
    expect(fit.residualSs).toBeCloseTo(0.1828571428571426, 12);
  });

  it('reports equal x values through sxx = 0 and refuses mismatched lengths', () => {
    expect(leastSquaresLine([2, 2], [1, 3]).sxx).toBe(0);
    expect(() => leastSquaresLine([1, 2], [1])).toThrow(/2 x values but 1 y values/);
    expect(() => leastSquaresLine([], [])).toThrow(/no points/);
  });
});
