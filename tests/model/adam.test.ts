import { describe, expect, it } from 'vitest';
import { adamStep, adamStepOnShares, type AdamState } from '../../src/model/adam';
import { averageGradients } from '../../src/model/gradients';
import { expectClose } from './expect-close';

const sizes = [7, 3];
function values(seed: number, scale = 1): Float32Array[] {
  let x = seed;
  // A small linear congruential sequence: the same arrays on every run.
  return sizes.map((n) => Float32Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * scale));
}
function state(): AdamState {
  return { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, accBeta1: 0.9, accBeta2: 0.999, iterations: 0, weights: values(1), m: values(2, 0.01), v: values(3, 0.001).map((v) => v.map(Math.abs)) };
}

describe("Adam's step on the shares of a batch", () => {
  for (const counts of [[32, 32], [17, 17, 16], [5]]) {
    it(`equals a step on their average (shares of ${counts.join(', ')} samples)`, () => {
      const shares = counts.map((count, i) => ({ gradients: values(10 + i), loss: 0, metric: 0, count }));
      const reference = state();
      adamStep(reference, averageGradients(shares).gradients);
      const summed = state();
      adamStepOnShares(summed, shares);
      summed.weights.forEach((w, k) => expectClose(w, reference.weights[k]!, `weight ${k}`));
      summed.m.forEach((m, k) => expectClose(m, reference.m[k]!, `first moment ${k}`));
      summed.v.forEach((v, k) => expectClose(v, reference.v[k]!, `second moment ${k}`));
      expect(summed.iterations).toBe(1);
      expect(summed.accBeta1).toBeCloseTo(0.81, 6);
    });
  }

  it('refuses gradients that do not match the weights', () => {
    expect(() => adamStepOnShares(state(), [{ gradients: [new Float32Array(7), new Float32Array(2)], loss: 0, metric: 0, count: 1 }])).toThrow('adamStep: gradient 1 has 2 values for 3 weights');
    expect(() => adamStepOnShares(state(), [])).toThrow('adamStepOnShares: no gradients');
  });
});
