/**
 * Ordinary least squares of y on x: the one line fit under the price-trend fit (notebook 01,
 * `fitExponentialTrend`) and the trend line drawn through log prices.
 */
export interface LineFit {
  readonly n: number;
  readonly meanX: number;
  readonly meanY: number;
  /** Sums of squared deviations and of cross products about the means. */
  readonly sxx: number;
  readonly sxy: number;
  readonly syy: number;
  readonly slope: number;
  /** y at x = 0. */
  readonly intercept: number;
  /** Sum of squared residuals about the line. */
  readonly residualSs: number;
  /** Share of the variance of y the line explains (1 when all y are equal). */
  readonly rSquared: number;
}

/** Fits y = intercept + slope·x. When all x are equal, `sxx` is 0 and the slope NaN: callers name that error. */
export function leastSquaresLine(xs: readonly number[], ys: readonly number[]): LineFit {
  if (xs.length !== ys.length) throw new RangeError(`leastSquaresLine: ${xs.length} x values but ${ys.length} y values`);
  const n = xs.length;
  if (n === 0) throw new RangeError('leastSquaresLine: no points');
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  const residualSs = Math.max(0, syy - slope * sxy);
  const rSquared = syy === 0 ? 1 : 1 - residualSs / syy;
  return { n, meanX, meanY, sxx, sxy, syy, slope, intercept: meanY - slope * meanX, residualSs, rSquared };
}
