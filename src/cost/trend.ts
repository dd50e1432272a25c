/**
 * Exponential decline of prices: a log-linear least-squares fit of price against time gives the
 * yearly factor (price now / price a year later) with a t-distribution confidence interval; and the
 * series the fit is run on, the cheapest model above a capability threshold at each date
 * (the construction a16z and Epoch AI use). Taught in notebook 01.
 */
import { CostInputError, requireFinite, requireNonNegative } from './errors';
import type { LlmPriceRow } from './reference';
import { leastSquaresLine } from '../stats/least-squares';
import { studentTQuantile } from '../stats/t-distribution';
import type { DecimalYear, UsdPerMTok, YearlyFactor } from './units';

export interface TrendPoint {
  readonly year: DecimalYear;
  /** A positive quantity (a price). */
  readonly value: number;
}

export interface ExponentialFit {
  readonly n: number;
  /** Mean of the years: the fit is ln(value) = lnValueAtMeanYear + slope · (year − meanYear). */
  readonly meanYear: DecimalYear;
  readonly lnValueAtMeanYear: number;
  /** Change of ln(value) per year (negative for a decline). */
  readonly slopePerYear: number;
  readonly slopeStdError: number;
  readonly rSquared: number;
  /** Confidence level of the interval, e.g. 0.9. */
  readonly level: number;
  /** value(t) / value(t + 1 year) = exp(−slope): 10 means prices fall tenfold per year. */
  readonly yearlyFactor: YearlyFactor;
  /** Interval of `yearlyFactor` at `level` (t-distribution with n − 2 degrees of freedom). */
  readonly yearlyFactorLow: YearlyFactor;
  readonly yearlyFactorHigh: YearlyFactor;
}

/** Least-squares fit of ln(value) against year. Needs ≥ 3 points at ≥ 2 distinct years, all values > 0. */
export function fitExponentialTrend(points: readonly TrendPoint[], level = 0.9): ExponentialFit {
  if (!(level > 0 && level < 1)) throw new CostInputError('level', level, 'must lie in (0, 1)');
  if (points.length < 3) throw new CostInputError('points.length', points.length, 'a fit with an interval needs at least 3 points');
  points.forEach((p, i) => {
    requireFinite(`points[${i}].year`, p.year);
    requireFinite(`points[${i}].value`, p.value);
    if (p.value <= 0) throw new CostInputError(`points[${i}].value`, p.value, 'must be > 0 to take its logarithm');
  });
  const n = points.length;
  const { meanX, meanY, sxx, slope, residualSs, rSquared } = leastSquaresLine(
    points.map((p) => p.year),
    points.map((p) => Math.log(p.value)),
  );
  if (sxx === 0) throw new CostInputError('points', `${n} points`, 'all at the same date: no trend can be fitted');
  const dof = n - 2;
  const slopeStdError = Math.sqrt(residualSs / dof / sxx);
  const t = studentTQuantile(0.5 + level / 2, dof);
  return {
    n,
    meanYear: meanX,
    lnValueAtMeanYear: meanY,
    slopePerYear: slope,
    slopeStdError,
    rSquared,
    level,
    yearlyFactor: Math.exp(-slope),
    yearlyFactorLow: Math.exp(-(slope + t * slopeStdError)),
    yearlyFactorHigh: Math.exp(-(slope - t * slopeStdError)),
  };
}

/** The fitted value at `year`. */
export function trendValueAt(fit: ExponentialFit, year: DecimalYear): number {
  return Math.exp(fit.lnValueAtMeanYear + fit.slopePerYear * (year - fit.meanYear));
}

/** How input and output prices are combined into one price per 1M tokens. */
export type PriceBlend = 'mean' | 'blend3to1' | 'input' | 'output';

export const PRICE_BLENDS: Readonly<Record<PriceBlend, string>> = {
  mean: 'mean of input and output price (a16z)',
  blend3to1: '3:1 input:output blend (Epoch AI, Artificial Analysis)',
  input: 'input price',
  output: 'output price',
};

/** One price for `row` under `blend`; null when a needed price is missing. */
export function blendedUsdPerMTok(row: LlmPriceRow, blend: PriceBlend): UsdPerMTok | null {
  const { inputUsdPerMTok: i, outputUsdPerMTok: o } = row;
  switch (blend) {
    case 'input':
      return i;
    case 'output':
      return o;
    case 'mean':
      return i === null || o === null ? null : (i + o) / 2;
    case 'blend3to1':
      return i === null || o === null ? null : (3 * i + o) / 4;
  }
}

export interface FrontierPoint extends TrendPoint {
  readonly row: LlmPriceRow;
  readonly usdPerMTok: UsdPerMTok;
}

export interface ThresholdOptions {
  /** Minimum MMLU score (percent) a model must reach. */
  readonly minMmlu: number;
  readonly blend: PriceBlend;
  /** Only rows dated at or after this decimal year. */
  readonly fromYear?: DecimalYear;
  /** Only rows dated at or before this decimal year (a published fit's window). */
  readonly toYear?: DecimalYear;
}

/**
 * The cheapest model above a capability threshold, over time: rows with MMLU ≥ `minMmlu`, in date
 * order, each kept only when it is cheaper than every qualifying row before it. Rows without an
 * MMLU score or a price under `blend`, and free tiers (price 0, which has no logarithm), are left out.
 */
export function cheapestAboveThreshold(rows: readonly LlmPriceRow[], options: ThresholdOptions): FrontierPoint[] {
  requireNonNegative('minMmlu', options.minMmlu);
  const candidates = rows
    .filter(
      (r) =>
        r.mmlu !== null &&
        r.mmlu >= options.minMmlu &&
        (options.fromYear === undefined || r.year >= options.fromYear) &&
        (options.toYear === undefined || r.year <= options.toYear),
    )
    .map((row) => ({ row, usdPerMTok: blendedUsdPerMTok(row, options.blend) }))
    .filter((c): c is { row: LlmPriceRow; usdPerMTok: number } => c.usdPerMTok !== null && c.usdPerMTok > 0)
    .sort((a, b) => a.row.year - b.row.year || a.usdPerMTok - b.usdPerMTok);
  const frontier: FrontierPoint[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c.usdPerMTok < best) {
      best = c.usdPerMTok;
      frontier.push({ row: c.row, usdPerMTok: c.usdPerMTok, year: c.row.year, value: c.usdPerMTok });
    }
  }
  return frontier;
}

/** One fit of the sensitivity table: a capability bar and a price blend. */
export interface SensitivityRow {
  readonly mmlu: number;
  readonly blend: PriceBlend;
  readonly n: number;
  readonly yearlyFactor: YearlyFactor;
  readonly low: YearlyFactor;
  readonly high: YearlyFactor;
}

/**
 * The decline fitted for every bar × blend (notebook 01: how much the answer depends on the choices).
 * Combinations with fewer than 3 frontier points are left out (no interval exists).
 */
export function thresholdSensitivity(rows: readonly LlmPriceRow[], options: { bars: readonly number[]; blends: readonly PriceBlend[]; fromYear?: DecimalYear; level?: number }): SensitivityRow[] {
  const out: SensitivityRow[] = [];
  for (const bar of options.bars) {
    for (const blend of options.blends) {
      const points = cheapestAboveThreshold(rows, { minMmlu: bar, blend, ...(options.fromYear !== undefined ? { fromYear: options.fromYear } : {}) });
      if (points.length < 3) continue;
      const f = fitExponentialTrend(points, options.level ?? 0.9);
      out.push({ mmlu: bar, blend, n: f.n, yearlyFactor: f.yearlyFactor, low: f.yearlyFactorLow, high: f.yearlyFactorHigh });
    }
  }
  return out;
}
