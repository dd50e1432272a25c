import { createRandom } from '../../src/data/random';
import { describe, expect, it } from 'vitest';
import {
  AlgorithmInputError,
  centralDifferenceGradient,
  gradientDescent,
  learningRateSweep,
  leastSquares,
  leastSquaresCurvature,
  maxRelativeDifference,
  meanLoss,
  meanOfSampleGradients,
  neuron,
  randomMatrix,
  sampleLossGradient,
  syntheticClassification,
  syntheticRegression,
} from '../../src/algorithms';

describe('finite differences and the sigmoid neuron', () => {
  it('central differences match a known gradient', () => {
    const g = centralDifferenceGradient((t) => (t[0] as number) ** 3 + 2 * (t[1] as number), [2, 5]);
    expect(maxRelativeDifference(g, [12, 2])).toBeLessThan(1e-8);
  });

  it('the neuron is σ(w·x + b) and its per-sample gradient matches finite differences', () => {
    expect(neuron([0, 0, 0], [1, 2])).toBe(0.5);
    const theta = [0.3, -0.7, 0.1];
    const fd = centralDifferenceGradient((t) => meanLoss(t, [[1.5, -2]], [1]), theta);
    expect(maxRelativeDifference(fd, sampleLossGradient(theta, [1.5, -2], 1))).toBeLessThan(1e-7);
  });

  it('the gradient of the mean loss equals the mean of the per-sample gradients', () => {
    const random = createRandom(11);
    const xs = randomMatrix(50, 3, random);
    const ys = xs.map(() => (random() < 0.5 ? 0 : 1));
    const theta = [0.2, -0.4, 0.9, 0.05];
    const fd = centralDifferenceGradient((t) => meanLoss(t, xs, ys), theta);
    expect(maxRelativeDifference(fd, meanOfSampleGradients(theta, xs, ys))).toBeLessThan(1e-6);
    // And differs from, say, the sum of the gradients by the factor m.
    expect(maxRelativeDifference(fd, meanOfSampleGradients(theta, xs, ys).map((g) => g * 50))).toBeGreaterThan(0.9);
  });

  it('rejects bad arguments', () => {
    expect(() => neuron([1, 2], [1, 2])).toThrow(AlgorithmInputError);
    expect(() => centralDifferenceGradient((t) => t[0] as number, [1], 0)).toThrow('h: must be > 0, got 0');
    expect(() => meanLoss([1, 2], [[1]], [1, 0])).toThrow('ys: has 2 labels, xs has 1 rows');
  });
});

describe('gradient descent and the learning-rate sweep', () => {
  const data = syntheticRegression(64, 2, 0.1, 5);
  const objective = leastSquares(data.xs, data.ys);
  const lambda = leastSquaresCurvature(data.xs);
  const theta0 = [0, 0, 0];

  it('the least-squares gradient matches finite differences', () => {
    const theta = [0.5, -1, 2];
    expect(maxRelativeDifference(centralDifferenceGradient(objective.loss, theta), objective.gradient(theta))).toBeLessThan(1e-6);
  });

  it('converges below 2/λ_max, recovering the true weights, and diverges above it', () => {
    const [slow, good, bad] = learningRateSweep(objective, theta0, [0.01 / lambda, 1 / lambda, 2.2 / lambda], 200);
    expect(good?.diverged).toBe(false);
    expect(maxRelativeDifference(good?.theta ?? [], data.trueTheta)).toBeLessThan(0.2);
    expect(good?.losses.at(-1)).toBeLessThan(slow?.losses.at(-1) ?? 0);
    expect(slow?.diverged).toBe(false);
    expect(bad?.diverged).toBe(true);
    // Just under the threshold still converges.
    expect(gradientDescent(objective, theta0, { learningRate: 1.9 / lambda, steps: 400 }).diverged).toBe(false);
  });

  it('rejects a non-positive learning rate', () => {
    expect(() => gradientDescent(objective, theta0, { learningRate: 0, steps: 1 })).toThrow('learningRate: must be > 0, got 0');
  });
});

describe('synthetic classification data', () => {
  it('is reproducible and its labels follow the true neuron', () => {
    const a = syntheticClassification(400, 2, 9);
    expect(syntheticClassification(400, 2, 9)).toEqual(a);
    const agree = a.xs.filter((x, i) => (neuron(a.trueTheta, x) > 0.5 ? 1 : 0) === a.ys[i]).length;
    expect(agree / a.xs.length).toBeGreaterThan(0.7);
    expect(() => syntheticClassification(0, 2, 1)).toThrow('samples: must be a positive integer, got 0');
  });
});

describe('divergence', () => {
  it('counts a run whose loss ends above its start as diverged, even before it explodes', () => {
    const data = syntheticRegression(64, 2, 0.1, 5);
    const objective = leastSquares(data.xs, data.ys);
    const lambda = leastSquaresCurvature(data.xs);
    const short = gradientDescent(objective, [0, 0, 0], { learningRate: 2.2 / lambda, steps: 25 });
    expect(short.losses).toHaveLength(26);
    expect(short.diverged).toBe(true);
    expect(gradientDescent(objective, [0, 0, 0], { learningRate: 1 / lambda, steps: 3 }).diverged).toBe(false);
  });
});
