import { describe, expect, it } from 'vitest';
import { accuracyInterval, formatProportion, normalQuantile, proportionInterval } from '../../src/stats/proportion';

describe('intervals for a measured proportion', () => {
  it('normal quantiles match the tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
  });

  it('970 of 1,000 correct: about ±1.1 points at 95%', () => {
    const ci = proportionInterval(970, 1000);
    expect(ci.low).toBeCloseTo(0.9575, 4);
    expect(ci.high).toBeCloseTo(0.9789, 4);
    expect(ci.high - ci.low).toBeGreaterThan(0.019);
    expect(ci.high - ci.low).toBeLessThan(0.023);
  });

  it('stays inside [0, 1] at the edges and narrows with n', () => {
    const all = proportionInterval(300, 300);
    expect(all.high).toBe(1);
    expect(all.low).toBeGreaterThan(0.98);
    expect(proportionInterval(0, 10).low).toBe(0);
    const small = accuracyInterval(0.9, 100);
    const large = accuracyInterval(0.9, 10_000);
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 5);
    expect(formatProportion(proportionInterval(970, 1000))).toBe('0.9700 (95% CI 0.9575–0.9789, n = 1000)');
  });

  it('refuses impossible counts', () => {
    expect(() => proportionInterval(11, 10)).toThrow(/11 successes out of 10/);
    expect(() => proportionInterval(1, 0)).toThrow(/n = 0/);
  });
});
