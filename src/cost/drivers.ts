/**
 * The reasons prices fall, each turned into a yearly factor so they can be compared and combined:
 * GPU price-performance, algorithmic efficiency, the same open model getting cheaper on hosting
 * providers, and the one-off cuts of the May 2024 Chinese price war. Taught in notebook 02 (§2.3).
 */
import { CostInputError, ReferenceDataError, requirePositive } from './errors';
import type { LlmPriceRow, ReferenceData, TrendRow } from './reference';
import { median } from '../stats/summary';
import type { YearlyFactor } from './units';
import { fitExponentialTrend, type ExponentialFit, type PriceBlend, blendedUsdPerMTok } from './trend';

/** Yearly factor of a quantity that doubles every `years` years: 2^(1/years). */
export function yearlyFactorFromDoublingYears(years: number): YearlyFactor {
  requirePositive('years', years);
  return 2 ** (1 / years);
}

/** Yearly factor of a cost that halves every `months` months: 2^(12/months). */
export function yearlyFactorFromHalvingMonths(months: number): YearlyFactor {
  requirePositive('months', months);
  return 2 ** (12 / months);
}

/** Yearly factor of a `total`-fold change spread evenly over `years` years. */
export function yearlyFactorFromTotal(total: number, years: number): YearlyFactor {
  requirePositive('total', total);
  requirePositive('years', years);
  return total ** (1 / years);
}

/** Yearly factor of a cost that falls `percent` % a year: 1 / (1 − p). */
export function yearlyFactorFromPercentDecline(percent: number): YearlyFactor {
  if (!(percent >= 0 && percent < 100)) throw new CostInputError('percent', percent, 'must lie in [0, 100)');
  return 1 / (1 - percent / 100);
}

/** The trends.csv row whose quantity is exactly `quantity`. */
export function trendRow(trends: readonly TrendRow[], quantity: string): TrendRow {
  const row = trends.find((r) => r.quantity === quantity);
  if (row === undefined) throw new ReferenceDataError('trends.csv', null, `no row with quantity ${JSON.stringify(quantity)}`);
  return row;
}

export interface PriceCut {
  readonly provider: string;
  readonly model: string;
  readonly before: LlmPriceRow;
  readonly after: LlmPriceRow;
  /** before / after input price; null when the model became free. */
  readonly factor: number | null;
}

const PRE_CUT = ' (pre-cut)';

/** Pairs each "(pre-cut)" row of llm_prices.csv with the row of the same model after the cut (input prices). */
export function priceCuts(rows: readonly LlmPriceRow[]): PriceCut[] {
  const cuts: PriceCut[] = [];
  for (const before of rows.filter((r) => r.model.endsWith(PRE_CUT))) {
    const model = before.model.slice(0, -PRE_CUT.length);
    const after = rows.find((r) => r.provider === before.provider && r.model === model && r.year >= before.year);
    if (after === undefined || before.inputUsdPerMTok === null || after.inputUsdPerMTok === null) continue;
    cuts.push({
      provider: before.provider,
      model,
      before,
      after,
      factor: after.inputUsdPerMTok === 0 ? null : before.inputUsdPerMTok / after.inputUsdPerMTok,
    });
  }
  return cuts;
}

/** Exponential fit of one model's price across its dated rows (same weights, falling price). */
export function sameModelTrend(rows: readonly LlmPriceRow[], model: string, blend: PriceBlend, level = 0.9): { fit: ExponentialFit; rows: LlmPriceRow[] } {
  const series = rows.filter((r) => r.model === model).sort((a, b) => a.year - b.year);
  const points = series.map((r) => ({ year: r.year, value: blendedUsdPerMTok(r, blend) ?? Number.NaN }));
  if (series.length === 0) throw new ReferenceDataError('llm_prices.csv', null, `no rows for model ${JSON.stringify(model)}`);
  return { fit: fitExponentialTrend(points, level), rows: series };
}

/** A yearly factor with an optional interval and its source, e.g. one bar of a comparison chart. */
export interface FactorEstimate {
  readonly label: string;
  readonly yearlyFactor: YearlyFactor;
  readonly low?: YearlyFactor;
  readonly high?: YearlyFactor;
  readonly sourceUrl?: string;
}

/** The interval a note states as "NN% CI a-b" (also "~a-b", thousands separators); null when none. */
export function intervalInNote(note: string): { level: number; low: number; high: number } | null {
  const m = /(\d+)% CI ~?([\d.,]*\d)\s*[-–]\s*([\d.,]*\d)/.exec(note);
  if (m === null) return null;
  const num = (s: string): number => Number(s.replace(/,/g, ''));
  return { level: Number(m[1]) / 100, low: num(m[2] as string), high: num(m[3] as string) };
}

export const GPU_PRICE_PERFORMANCE_ROW = 'GPU FLOP/s per $ doubling time, all GPUs';
export const ALGORITHMIC_PROGRESS_ROW = 'LM pre-training algorithmic progress: compute to reach fixed perplexity halves every';
export const OPEN_MODEL_ON_HOSTS = 'Llama 3.1 8B Instruct';

/**
 * The drivers of the decline as yearly factors, from the reference data: GPU price-performance
 * (doubling time), algorithmic efficiency (halving time), the two combined, and the same open model
 * getting cheaper on hosting providers. Intervals come from the sources' own (95%) intervals;
 * for the open model, from the fit at `level`.
 */
export function declineDrivers(data: ReferenceData, blend: PriceBlend, level = 0.9): FactorEstimate[] {
  const gpu = trendRow(data.trends, GPU_PRICE_PERFORMANCE_ROW);
  const gpuCi = intervalInNote(gpu.note);
  const algo = trendRow(data.trends, ALGORITHMIC_PROGRESS_ROW);
  const algoCi = intervalInNote(algo.note);
  const hardware = yearlyFactorFromDoublingYears(gpu.value);
  const algorithms = yearlyFactorFromHalvingMonths(algo.value);
  const open = sameModelTrend(data.prices, OPEN_MODEL_ON_HOSTS, blend, level);
  return [
    {
      label: `GPU FLOP/s per $ (doubles every ${gpu.value} years; 95% CI)`,
      yearlyFactor: hardware,
      ...(gpuCi ? { low: yearlyFactorFromDoublingYears(gpuCi.high), high: yearlyFactorFromDoublingYears(gpuCi.low) } : {}),
      sourceUrl: gpu.sourceUrl,
    },
    {
      label: `algorithmic efficiency (compute halves every ${algo.value} months; 95% CI)`,
      yearlyFactor: algorithms,
      ...(algoCi ? { low: yearlyFactorFromHalvingMonths(algoCi.high), high: yearlyFactorFromHalvingMonths(algoCi.low) } : {}),
      sourceUrl: algo.sourceUrl,
    },
    { label: 'hardware × algorithms', yearlyFactor: hardware * algorithms },
    {
      label: `same open model on hosts (${OPEN_MODEL_ON_HOSTS}, n = ${open.fit.n}; ${Math.round(level * 100)}% CI)`,
      yearlyFactor: open.fit.yearlyFactor,
      low: open.fit.yearlyFactorLow,
      high: open.fit.yearlyFactorHigh,
      sourceUrl: open.rows[0]?.sourceUrl,
    },
  ];
}

/**
 * The May 2024 price war as one factor for the drivers' chart: the median of the priced cuts (cuts to
 * free are left out, having no finite factor), low and high the smallest and largest cut. A one-off
 * step within days, not a rate per year: the label says so.
 */
export function priceWarFactor(cuts: readonly PriceCut[]): FactorEstimate {
  const factors = cuts.flatMap((c) => (c.factor === null ? [] : [c.factor])).sort((a, b) => a - b);
  if (factors.length === 0) throw new RangeError('priceWarFactor: no priced cuts');
  const free = cuts.length - factors.length;
  // Factors multiply, so the median is taken on the log scale: for an even count, the geometric mean of the middle two.
  const middle = Math.exp(median(factors.map(Math.log)));
  return {
    label: `competition: May 2024 price war, ${factors.length % 2 === 0 ? 'geometric mean of the middle two' : 'median'} one-off cuts (${factors.length} priced cuts${free > 0 ? `, ${free} more to free` : ''}; the bar spans them; not per year)`,
    yearlyFactor: middle,
    low: factors[0]!,
    high: factors.at(-1)!,
    sourceUrl: cuts[0]?.after.sourceUrl,
  };
}

/**
 * What the measured drivers leave unexplained: the observed yearly factor divided by the product of
 * the drivers' factors. Its interval is given twice: the observed interval divided the same way
 * (`low`, `high`: the drivers taken as exact), and, when the drivers' product has an interval, the
 * widest quotient of the two intervals (`lowWithDrivers`, `highWithDrivers`: every end at its worst,
 * so wider than any combination of the levels). A residual, not a measurement of any named cause.
 */
export function unexplainedFactor(
  observed: { yearlyFactor: number; low: number; high: number },
  explained: number,
  explainedInterval?: { low: number; high: number },
): { yearlyFactor: number; low: number; high: number; lowWithDrivers?: number; highWithDrivers?: number } {
  if (!(explained > 0)) throw new RangeError(`unexplainedFactor: explained factor ${explained} is not positive`);
  const residual = { yearlyFactor: observed.yearlyFactor / explained, low: observed.low / explained, high: observed.high / explained };
  if (explainedInterval === undefined) return residual;
  if (!(explainedInterval.low > 0 && explainedInterval.high >= explainedInterval.low)) {
    throw new RangeError(`unexplainedFactor: explained interval ${explainedInterval.low}-${explainedInterval.high} is not a positive range`);
  }
  return { ...residual, lowWithDrivers: observed.low / explainedInterval.high, highWithDrivers: observed.high / explainedInterval.low };
}

/** Yearly factor of a price that fell from `before` to `after` over `months` (e.g. H100 rent, 2023 → Oct 2024). */
export function yearlyFactorOverMonths(before: number, after: number, months: number): YearlyFactor {
  if (!(before > 0 && after > 0 && months > 0)) throw new RangeError(`yearlyFactorOverMonths: ${before} -> ${after} over ${months} months`);
  return (before / after) ** (12 / months);
}

export type FactorKind = 'price decline' | 'range end' | 'other rate';

/**
 * Sorts published rates so a comparison sets like against like: the end of a range ("slowest",
 * "fastest", "(low)", "(high)") is not an estimate of its own, and a rate that is not a price decline
 * (algorithmic efficiency) is not a price decline.
 */
export function factorKind(row: TrendRow): FactorKind {
  if (/slowest|fastest|\((low|high)\)/i.test(row.quantity)) return 'range end';
  if (/efficiency|algorithmic/i.test(row.quantity)) return 'other rate';
  return 'price decline';
}

/** Published yearly factors from trends.csv, with the interval where the note gives one ("90% CI a-b"). */
export function publishedFactors(trends: readonly TrendRow[], kinds: readonly FactorKind[] = ['price decline', 'range end', 'other rate']): FactorEstimate[] {
  return trends
    .filter((t) => t.unit === 'x per year' && !t.quantity.includes('(rising)') && kinds.includes(factorKind(t)))
    .map((t) => {
      const ci = intervalInNote(t.note);
      return { label: t.quantity, yearlyFactor: t.value, low: ci?.low, high: ci?.high, sourceUrl: t.sourceUrl };
    });
}
