/**
 * Privacy accounting for DP-SGD with the Rényi-DP bound of the sampled Gaussian mechanism
 * (Mironov, Talwar, Zhang 2019), at integer orders α:
 *   A_α = Σ_k C(α, k) (1 − q)^(α−k) q^k exp((k² − k) / (2σ²)),  ε_RDP(α) = log A_α / (α − 1),
 * composed over T steps and converted to (ε, δ): ε = min_α T·ε_RDP(α) + log(1/δ) / (α − 1).
 * It assumes each example joins each batch independently with probability q (Poisson sampling);
 * with shuffled fixed-size batches it is the usual approximation.
 */
export const RDP_ORDERS: readonly number[] = Array.from({ length: 63 }, (_, i) => i + 2);

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

function logBinomial(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i += 1) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** ε_RDP(α) of one step of the sampled Gaussian mechanism (integer α ≥ 2). */
export function rdpSampledGaussian(sampleRate: number, noiseMultiplier: number, order: number): number {
  if (!(sampleRate >= 0 && sampleRate <= 1)) throw new RangeError(`sampleRate = ${sampleRate} is not in [0, 1]`);
  if (!Number.isInteger(order) || order < 2) throw new RangeError(`order = ${order} is not an integer ≥ 2`);
  if (noiseMultiplier <= 0) return Infinity;
  if (sampleRate === 0) return 0;
  if (sampleRate === 1) return order / (2 * noiseMultiplier ** 2);
  let logA = -Infinity;
  for (let k = 0; k <= order; k += 1) {
    const term = logBinomial(order, k) + (order - k) * Math.log(1 - sampleRate) + k * Math.log(sampleRate) + (k * k - k) / (2 * noiseMultiplier ** 2);
    logA = logAddExp(logA, term);
  }
  return logA / (order - 1);
}

export interface DpAccounting {
  /** Fraction of the training set in each batch. */
  sampleRate: number;
  noiseMultiplier: number;
  steps: number;
  delta: number;
}

/** The (ε, δ) guarantee of `steps` DP-SGD steps, and the Rényi order that gave it. */
export function dpEpsilon({ sampleRate, noiseMultiplier, steps, delta }: DpAccounting): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta = ${delta} is not in (0, 1)`);
  let best = { epsilon: Infinity, order: RDP_ORDERS[0]! };
  for (const order of RDP_ORDERS) {
    const epsilon = steps * rdpSampledGaussian(sampleRate, noiseMultiplier, order) + Math.log(1 / delta) / (order - 1);
    if (epsilon < best.epsilon) best = { epsilon, order };
  }
  return best;
}
