/**
 * Intervals for a measured proportion, e.g. a test accuracy: k correct out of n images
 * (notebooks 05, 06, 08, 09 print one beside every accuracy).
 */

/** An accuracy (or any proportion) with its interval at `level`. */
export interface ProportionInterval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
  readonly n: number;
}

/**
 * Quantile of the standard normal distribution (Acklam's rational approximation, relative error
 * below 1.2e-9 over (0, 1)).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p = ${p} is not in (0, 1)`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Wilson score interval for `successes` out of `n` (good near 0 and 1, unlike the plain
 * estimate ± z·√(p(1−p)/n), and never outside [0, 1]).
 */
export function proportionInterval(successes: number, n: number, level = 0.95): ProportionInterval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`proportionInterval: n = ${n} is not a positive integer`);
  if (!(successes >= 0 && successes <= n)) throw new RangeError(`proportionInterval: ${successes} successes out of ${n}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`proportionInterval: level ${level} is not in (0, 1)`);
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), level, n };
}

/** Interval of an accuracy measured on `n` images (the accuracy times n is rounded to whole images). */
export function accuracyInterval(accuracy: number, n: number, level = 0.95): ProportionInterval {
  return proportionInterval(Math.round(accuracy * n), n, level);
}

/** "0.9730 (95% CI 0.9617–0.9812, n = 1000)" */
export function formatProportion(interval: ProportionInterval, digits = 4): string {
  return `${interval.estimate.toFixed(digits)} (${Math.round(interval.level * 100)}% CI ${interval.low.toFixed(digits)}–${interval.high.toFixed(digits)}, n = ${interval.n})`;
}
