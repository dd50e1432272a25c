import { describe, expect, it } from 'vitest';
import { dpEpsilon, rdpSampledGaussian } from '../../src/privacy/accountant';

describe('Rényi-DP accountant', () => {
  it('equals the Gaussian mechanism α / (2σ²) without subsampling', () => {
    expect(rdpSampledGaussian(1, 2, 8)).toBeCloseTo(8 / 8, 12);
    expect(rdpSampledGaussian(1, 1.1, 3)).toBeCloseTo(3 / (2 * 1.21), 12);
  });

  it('matches the small-q expansion α q² (e^{1/σ²} − 1) / 2', () => {
    const q = 0.001;
    const sigma = 4;
    for (const order of [2, 4, 8]) {
      const expected = (order * q * q * (Math.exp(1 / sigma ** 2) - 1)) / 2;
      expect(rdpSampledGaussian(q, sigma, order) / expected).toBeGreaterThan(0.97);
      expect(rdpSampledGaussian(q, sigma, order) / expected).toBeLessThan(1.03);
    }
  });

  it('spends more with more steps, less with more noise, everything without noise', () => {
    const base = { sampleRate: 64 / 8000, noiseMultiplier: 1.1, steps: 1250, delta: 1e-5 };
    const e = dpEpsilon(base).epsilon;
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThan(10);
    expect(dpEpsilon({ ...base, steps: 2500 }).epsilon).toBeGreaterThan(e);
    expect(dpEpsilon({ ...base, noiseMultiplier: 2 }).epsilon).toBeLessThan(e);
    expect(dpEpsilon({ ...base, noiseMultiplier: 0 }).epsilon).toBe(Infinity);
    expect(() => dpEpsilon({ ...base, delta: 0 })).toThrow(/delta = 0/);
  });
});
