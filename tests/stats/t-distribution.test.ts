import { describe, expect, it } from 'vitest';
import { lnGamma, regularizedBeta, studentTCdf, studentTQuantile } from '../../src/stats';

describe("Student's t", () => {
  // Critical values t_{p, dof} as printed in a t table (three decimals).
  it.each([
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 5, 2.571],
    [0.95, 10, 1.812],
    [0.975, 30, 2.042],
    [0.995, 3, 5.841],
    [0.9, 1000, 1.282],
  ])('quantile(%s, %s) is %s as in the t table', (p, dof, expected) => {
    expect(studentTQuantile(p, dof)).toBeCloseTo(expected, 3);
    expect(studentTQuantile(1 - p, dof)).toBeCloseTo(-expected, 3);
  });

  // The same quantiles to more digits, from scipy.stats.t.ppf.
  it.each([
    [0.975, 1, 12.706204736432095],
    [0.975, 5, 2.5705818366147395],
    [0.95, 10, 1.8124611228107335],
    [0.975, 30, 2.0422724563012373],
  ])('quantile(%s, %s) = %s to eight digits', (p, dof, expected) => {
    expect(studentTQuantile(p, dof)).toBeCloseTo(expected, 8);
  });

  it('has the CDF of scipy.stats.t.cdf', () => {
    expect(studentTCdf(2, 3)).toBeCloseTo(0.9303370157205785, 12);
    expect(studentTCdf(-1.5, 7)).toBeCloseTo(0.08864924349498501, 12);
    expect(studentTCdf(0, 4)).toBe(0.5);
    expect(studentTQuantile(0.5, 4)).toBe(0);
  });

  it('has ln Γ and the incomplete beta of scipy.special', () => {
    // gammaln(5) = ln 24, gammaln(0.5) = ln √π, gammaln(10.3); betainc(2, 3, 0.4), betainc(0.5, 4.5, 0.8)
    expect(lnGamma(5)).toBeCloseTo(3.1780538303479458, 12);
    expect(lnGamma(0.5)).toBeCloseTo(0.5723649429247, 12);
    expect(lnGamma(10.3)).toBeCloseTo(13.482036786138359, 11);
    expect(regularizedBeta(0.4, 2, 3)).toBeCloseTo(0.5248, 12);
    expect(regularizedBeta(0.8, 0.5, 4.5)).toBeCloseTo(0.9997975006779324, 12);
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
  });

  it('rejects probabilities outside (0, 1) and non-positive degrees of freedom in one line', () => {
    expect(() => studentTQuantile(1, 3)).toThrow('studentTQuantile: p = 1 must lie in (0, 1)');
    expect(() => studentTQuantile(0.9, 0)).toThrow('studentTQuantile: dof = 0 must be greater than 0');
    expect(() => studentTCdf(1, -2)).toThrow(RangeError);
    expect(() => regularizedBeta(1.5, 1, 1)).toThrow('regularizedBeta: x = 1.5 must lie in [0, 1]');
  });
});
