/**
 * Summaries of repeated measurements (benchmark rounds, per-request latencies, notebook 06's
 * inference timings): the median and the spread, never one pass. Quantiles interpolate linearly
 * between order statistics (numpy's default).
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

/** The middle value (mean of the two middle values for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Count, median, extremes and quartiles of `values`. */
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
