/**
 * Gradient descent θ ← θ − α∇J(θ) and a learning-rate sweep on a least-squares problem, whose
 * curvature tells in advance which rates diverge (α > 2/λ_max). Taught in notebook 04.
 */
import { AlgorithmInputError, matrixShape } from './errors';
import { createRandom, randomNormal } from '../data/random';

export interface Objective {
  readonly loss: (theta: readonly number[]) => number;
  readonly gradient: (theta: readonly number[]) => number[];
}

export interface DescentRun {
  readonly learningRate: number;
  /** Loss before the first step and after each step (stops early once diverged). */
  readonly losses: number[];
  readonly theta: number[];
  /** The loss ended above where it started (or stopped early, exploding): the rate is too large. */
  readonly diverged: boolean;
}

export interface DescentOptions {
  readonly learningRate: number;
  readonly steps: number;
  /** Stop early once the loss exceeds this multiple of the starting loss (or is not finite). */
  readonly divergenceFactor?: number;
}

export function gradientDescent(objective: Objective, theta0: readonly number[], options: DescentOptions): DescentRun {
  const { learningRate, steps, divergenceFactor = 1e6 } = options;
  if (!(learningRate > 0)) throw new AlgorithmInputError('learningRate', `must be > 0, got ${learningRate}`);
  if (!Number.isInteger(steps) || steps < 0) throw new AlgorithmInputError('steps', `must be a non-negative integer, got ${steps}`);
  let theta = [...theta0];
  const start = objective.loss(theta);
  const losses = [start];
  for (let step = 0; step < steps; step++) {
    const g = objective.gradient(theta);
    theta = theta.map((t, i) => t - learningRate * (g[i] as number));
    const loss = objective.loss(theta);
    losses.push(loss);
    if (!Number.isFinite(loss) || loss > divergenceFactor * Math.max(start, Number.MIN_VALUE)) {
      return { learningRate, losses, theta, diverged: true };
    }
  }
  return { learningRate, losses, theta, diverged: (losses.at(-1) as number) > start };
}

/** One gradient-descent run per learning rate, from the same start. */
export function learningRateSweep(objective: Objective, theta0: readonly number[], rates: readonly number[], steps: number): DescentRun[] {
  return rates.map((learningRate) => gradientDescent(objective, theta0, { learningRate, steps }));
}

export interface RegressionData {
  readonly xs: number[][];
  readonly ys: number[];
  readonly trueTheta: number[];
}

/** y = x·w + b + noise, with x ~ N(0, 1) per feature; θ = [w, b]; reproducible from `seed`. */
export function syntheticRegression(samples: number, features: number, noise: number, seed: number): RegressionData {
  if (!Number.isInteger(samples) || samples < 2) throw new AlgorithmInputError('samples', `must be an integer ≥ 2, got ${samples}`);
  if (!Number.isInteger(features) || features < 1) throw new AlgorithmInputError('features', `must be a positive integer, got ${features}`);
  const random = createRandom(seed);
  const trueTheta = Array.from({ length: features + 1 }, () => randomNormal(random));
  const xs = Array.from({ length: samples }, () => Array.from({ length: features }, () => randomNormal(random)));
  const ys = xs.map((x) => x.reduce((s, xi, i) => s + xi * (trueTheta[i] as number), trueTheta[features] as number) + noise * randomNormal(random));
  return { xs, ys, trueTheta };
}

function withBias(x: readonly number[]): number[] {
  return [...x, 1];
}

/** Mean squared error J(θ) = (1/m) Σ (θ·[x, 1] − y)² and its gradient. */
export function leastSquares(xs: number[][], ys: readonly number[]): Objective {
  matrixShape('xs', xs);
  if (ys.length !== xs.length) throw new AlgorithmInputError('ys', `has ${ys.length} values, xs has ${xs.length} rows`);
  const rows = xs.map(withBias);
  const residuals = (theta: readonly number[]): number[] =>
    rows.map((r, i) => r.reduce((s, v, j) => s + v * (theta[j] as number), 0) - (ys[i] as number));
  return {
    loss: (theta) => residuals(theta).reduce((s, e) => s + e * e, 0) / rows.length,
    gradient: (theta) => {
      const e = residuals(theta);
      return (rows[0] as number[]).map((_, j) => (2 / rows.length) * rows.reduce((s, r, i) => s + (e[i] as number) * (r[j] as number), 0));
    },
  };
}

/**
 * Largest eigenvalue of the least-squares Hessian (2/m)·XᵀX (X with a bias column), by power
 * iteration. Gradient descent on this problem converges for α < 2/λ_max and diverges above it.
 */
export function leastSquaresCurvature(xs: number[][], iterations = 500): number {
  matrixShape('xs', xs);
  const rows = xs.map(withBias);
  const d = (rows[0] as number[]).length;
  const hv = (v: number[]): number[] => {
    const xv = rows.map((r) => r.reduce((s, x, j) => s + x * (v[j] as number), 0));
    return Array.from({ length: d }, (_, j) => (2 / rows.length) * rows.reduce((s, r, i) => s + (r[j] as number) * (xv[i] as number), 0));
  };
  let v = Array.from({ length: d }, (_, j) => 1 + j / d);
  let lambda = 0;
  for (let k = 0; k < iterations; k++) {
    const w = hv(v);
    const norm = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
    if (norm === 0) return 0;
    lambda = norm / Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    v = w.map((x) => x / norm);
  }
  return lambda;
}
