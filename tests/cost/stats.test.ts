import { describe, expect, it } from 'vitest';
import { CostInputError, lnGamma, regularizedBeta, studentTCdf, studentTQuantile } from '../../src/cost';

describe("Student's t", () => {
  // Tabulated two-sided critical values t_{p, dof}.
  it.each([
    [0.975, 1, 12.706205],
    [0.975, 2, 4.302653],
    [0.975, 10, 2.228139],
    [0.95, 5, 2.015048],
    [0.95, 10, 1.812461],
    [0.95, 30, 1.697261],
    [0.995, 3, 5.840909],
    [0.9, 1000, 1.282399],
  ])('quantile(%s, %s) = %s', (p, dof, expected) => {
    expect(studentTQuantile(p, dof)).toBeCloseTo(expected, 5);
    expect(studentTQuantile(1 - p, dof)).toBeCloseTo(-expected, 5);
  });

  it('has the closed-form CDF for one degree of freedom (Cauchy)', () => {
    for (const t of [-3, -0.5, 0, 0.7, 4]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
  });

  it('has ln Γ and the incomplete beta at known points', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12);
  });

  it('rejects probabilities outside (0, 1) and non-positive degrees of freedom', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(CostInputError);
    expect(() => studentTQuantile(0.9, 0)).toThrow('dof = 0: must be greater than 0');
    expect(() => regularizedBeta(1.5, 1, 1)).toThrow('x = 1.5: must lie in [0, 1]');
  });
});
