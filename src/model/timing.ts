/**
 * Summaries of repeated measurements (benchmark rounds, per-request latencies): the median and the
 * spread, never one pass. Quantiles interpolate linearly between order statistics (numpy's default).
 */
export interface Spread {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles. */
  readonly q1: number;
  readonly q3: number;
}

/** The q-quantile (0..1) of `values`, linear between order statistics; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q = ${q} is not in [0, 1]`);
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function spreadOf(values: readonly number[]): Spread {
  return {
    n: values.length,
    median: median(values),
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
    q1: quantile(values, 0.25),
    q3: quantile(values, 0.75),
  };
}

/** Samples per second from the end time (ms) of each step and its samples, leaving out the first `warmUpSteps`. */
export function steadyRate(stepEndsMs: readonly number[], stepSamples: readonly number[], warmUpSteps: number): number {
  if (stepEndsMs.length !== stepSamples.length) throw new RangeError('steadyRate: one sample count per step end');
  if (!(warmUpSteps >= 1 && warmUpSteps < stepEndsMs.length)) {
    throw new RangeError(`steadyRate: ${warmUpSteps} warm-up steps leave no measured step out of ${stepEndsMs.length}`);
  }
  const samples = stepSamples.slice(warmUpSteps).reduce((a, b) => a + b, 0);
  const seconds = (stepEndsMs.at(-1)! - stepEndsMs[warmUpSteps - 1]!) / 1000;
  return samples / seconds;
}
