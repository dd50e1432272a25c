import { expect } from 'vitest';

/**
 * Float tolerance for the same sums taken in another order (shares of a batch, another kernel):
 * the largest difference at most 1e-5 of the largest expected value (or of 1, when all are smaller).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i += 1) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  expect(worst, `${what}: largest difference ${worst} (values up to ${scale})`).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
}
