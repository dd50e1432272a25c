/** The numbers notebook 04's summary states for its default parameters (samples 200, 3 features, seed 7, 60 steps). */
import { describe, expect, it } from 'vitest';
import {
  centralDifferenceGradient, learningRateSweep, leastSquares, leastSquaresCurvature, maxRelativeDifference, meanLoss,
  meanOfSampleGradients, neuron, sampleLoss, syntheticClassification, syntheticRegression,
} from '../../src/algorithms';

describe("notebook 04's claims at its default parameters", () => {
  it('the neuron on example 0, and the gradient of the mean against the mean of the gradients', () => {
    const data = syntheticClassification(200, 3, 7);
    const theta = data.trueTheta.map((t) => 0.5 * t);
    expect(neuron(theta, data.xs[0]!)).toBeCloseTo(0.7982, 4);
    expect(sampleLoss(theta, data.xs[0]!, data.ys[0]!)).toBeCloseTo(0.2254, 4);
    const error = maxRelativeDifference(centralDifferenceGradient((t) => meanLoss(t, data.xs, data.ys), theta, 1e-6), meanOfSampleGradients(theta, data.xs, data.ys));
    expect(error).toBeLessThan(1e-6);
    expect(Number(error.toExponential(1))).toBeCloseTo(8.0e-9, 10);
  });

  it('lambda_max 2.357 predicts divergence above 0.849: two rates converge, the third diverges', () => {
    const regression = syntheticRegression(200, 3, 0.1, 7);
    const lambdaMax = leastSquaresCurvature(regression.xs);
    expect(lambdaMax).toBeCloseTo(2.357, 3);
    const critical = 2 / lambdaMax;
    const runs = learningRateSweep(leastSquares(regression.xs, regression.ys), [0, 0, 0, 0], [0.02 * critical, 0.45 * critical, 1.1 * critical], 60);
    expect(runs.map((r) => r.diverged)).toEqual([false, false, true]);
    expect(runs[0]!.losses.at(-1)!).toBeCloseTo(4.08e-2, 3);
    expect(runs[1]!.losses.at(-1)!).toBeCloseTo(9.14e-3, 4);
    expect(runs[2]!.losses.length - 1).toBe(43);
  });
});
