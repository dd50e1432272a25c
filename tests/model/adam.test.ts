import { describe, expect, it } from 'vitest';
import { adamConstants, adamStep, adamUpdate, advanceAdam, type AdamState } from '../../src/model/adam';
import { averageGradients } from '../../src/model/gradients';
import { shareAdamState } from '../../src/model/shared-step';
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
const flat = (arrays: Float32Array[]): Float32Array => Float32Array.from(arrays.flatMap((a) => [...a]));

describe("Adam's step", () => {
  it('follows the formula for one weight', () => {
    const s: AdamState = { ...state(), weights: [new Float32Array([1])], m: [new Float32Array([0.2])], v: [new Float32Array([0.04])] };
    adamStep(s, [new Float32Array([0.5])]);
    // Worked by hand: m = 0.9·0.2 + 0.1·0.5 = 0.23; v = 0.999·0.04 + 0.001·0.25 = 0.04021;
    // w = 1 − 0.01 · (0.23 / 0.1) / (√(0.04021 / 0.001) + 1e-7) = 1 − 0.023 / 6.341135
    expect(s.m[0]![0]).toBeCloseTo(0.23, 6);
    expect(s.v[0]![0]).toBeCloseTo(0.04021, 7);
    expect(s.weights[0]![0]).toBeCloseTo(1 - 0.023 / Math.sqrt(40.21), 6);
    expect(s.iterations).toBe(1);
    expect(s.accBeta1).toBeCloseTo(0.81, 6);
  });

  for (const counts of [[32, 32], [17, 17, 16], [5]]) {
    it(`run by ${counts.length} thread(s) on their ranges with their shares (${counts.join(', ')} samples) equals one step on the average`, () => {
      const shares = counts.map((count, i) => ({ gradients: values(10 + i), loss: 0, metric: 0, count }));
      const reference = state();
      adamStep(reference, averageGradients(shares).gradients);
      const split = state();
      const { memory, views } = shareAdamState(split, counts.length);
      // The ranges cover every weight once, in order.
      expect(memory.map((m) => m.range)).toEqual(memory.map((_, i) => [memory[i - 1]?.range[1] ?? 0, memory[i]!.range[1]]));
      expect(memory.at(-1)!.range[1]).toBe(10);
      const total = counts.reduce((a, b) => a + b, 0);
      const scaled = shares.map((share) => ({ values: flat(share.gradients), scale: share.count / total }));
      const constants = adamConstants(split);
      for (const { range } of memory) adamUpdate(constants, views.weights, views.m, views.v, scaled, range[0], range[1]);
      advanceAdam(split);
      // `split` holds views of the shared memory: what the ranges wrote.
      split.weights.forEach((w, k) => expectClose(w, reference.weights[k]!, `weight ${k}`));
      split.m.forEach((m, k) => expectClose(m, reference.m[k]!, `first moment ${k}`));
      split.v.forEach((v, k) => expectClose(v, reference.v[k]!, `second moment ${k}`));
      expect(split.weights[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(split.iterations).toBe(1);
    });
  }

  it('refuses gradients that do not match the weights', () => {
    expect(() => adamStep(state(), [new Float32Array(7), new Float32Array(2)])).toThrow('adamStep: gradient 1 has 2 values for 3 weights');
    expect(() => adamStep(state(), [new Float32Array(7)])).toThrow('adamStep: no gradient for weight 1');
    expect(() => adamUpdate(adamConstants(state()), new Float32Array(1), new Float32Array(1), new Float32Array(1), [], 0, 1)).toThrow('adamUpdate: no gradients');
  });
});
