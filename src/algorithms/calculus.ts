/**
 * Numerical checks of calculus in plain float64 JavaScript: central finite differences, and the
 * sigmoid neuron of notebook 04 with its per-sample log loss and analytic gradient.
 */
import { createRandom, randomNormal } from '../data/random';
import { AlgorithmInputError, matrixShape } from './errors';

/** ∂f/∂θᵢ ≈ (f(θ + h·eᵢ) − f(θ − h·eᵢ)) / 2h for every i. */
export function centralDifferenceGradient(f: (theta: readonly number[]) => number, theta: readonly number[], h = 1e-6): number[] {
  if (!(h > 0)) throw new AlgorithmInputError('h', `must be > 0, got ${h}`);
  return theta.map((_, i) => {
    const up = [...theta];
    const down = [...theta];
    up[i] = (up[i] as number) + h;
    down[i] = (down[i] as number) - h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** max_i |aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|, floor): the element-wise relative error of two vectors. */
export function maxRelativeDifference(a: readonly number[], b: readonly number[], floor = 1e-12): number {
  if (a.length !== b.length) throw new AlgorithmInputError('b', `has ${b.length} entries, a has ${a.length}`);
  return a.reduce((m, x, i) => {
    const y = b[i] as number;
    return Math.max(m, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), floor));
  }, 0);
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** f(x) = σ(Σ wᵢxᵢ + b), with θ = [w₁ … w_d, b]. */
export function neuron(theta: readonly number[], x: readonly number[]): number {
  if (theta.length !== x.length + 1) throw new AlgorithmInputError('theta', `has ${theta.length} entries, expected ${x.length + 1} (weights and bias)`);
  return sigmoid(x.reduce((s, xi, i) => s + (theta[i] as number) * xi, theta[x.length] as number));
}

/** Log loss of one sample with label y ∈ {0, 1}. */
export function sampleLoss(theta: readonly number[], x: readonly number[], y: number): number {
  const p = neuron(theta, x);
  return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
}

/** Analytic gradient of one sample's log loss: (f(x) − y)·[x, 1]. */
export function sampleLossGradient(theta: readonly number[], x: readonly number[], y: number): number[] {
  const r = neuron(theta, x) - y;
  return [...x.map((xi) => r * xi), r];
}

/** J(θ) = (1/m) Σ sampleLoss: the loss as a mean of per-sample losses. */
export function meanLoss(theta: readonly number[], xs: readonly (readonly number[])[], ys: readonly number[]): number {
  matrixShape('xs', xs as number[][]);
  if (ys.length !== xs.length) throw new AlgorithmInputError('ys', `has ${ys.length} labels, xs has ${xs.length} rows`);
  return xs.reduce((s, x, i) => s + sampleLoss(theta, x, ys[i] as number), 0) / xs.length;
}

/** (1/m) Σ ∇ sampleLoss: the mean of the per-sample gradients. */
export function meanOfSampleGradients(theta: readonly number[], xs: readonly (readonly number[])[], ys: readonly number[]): number[] {
  matrixShape('xs', xs as number[][]);
  if (ys.length !== xs.length) throw new AlgorithmInputError('ys', `has ${ys.length} labels, xs has ${xs.length} rows`);
  const sum = new Array<number>(theta.length).fill(0);
  xs.forEach((x, i) => sampleLossGradient(theta, x, ys[i] as number).forEach((g, j) => (sum[j] = (sum[j] as number) + g)));
  return sum.map((s) => s / xs.length);
}

export interface ClassificationData {
  readonly xs: number[][];
  readonly ys: number[];
  readonly trueTheta: number[];
}

/** Features x ~ N(0, 1) and labels y ~ Bernoulli(σ(θ*·[x, 1])) for a random θ*; reproducible from `seed`. */
export function syntheticClassification(samples: number, features: number, seed: number): ClassificationData {
  if (!Number.isInteger(samples) || samples < 1) throw new AlgorithmInputError('samples', `must be a positive integer, got ${samples}`);
  if (!Number.isInteger(features) || features < 1) throw new AlgorithmInputError('features', `must be a positive integer, got ${features}`);
  const random = createRandom(seed);
  const trueTheta = Array.from({ length: features + 1 }, () => 2 * randomNormal(random));
  const xs = Array.from({ length: samples }, () => Array.from({ length: features }, () => randomNormal(random)));
  const ys = xs.map((x) => (random() < neuron(trueTheta, x) ? 1 : 0));
  return { xs, ys, trueTheta };
}
