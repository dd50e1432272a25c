/**
 * The reasons prices fall, each turned into a yearly factor so they can be compared and combined:
 * GPU price-performance, algorithmic efficiency, the same open model getting cheaper on hosting
 * providers, and the one-off cuts of the May 2024 Chinese price war. Taught in notebook 02 (§2.3).
 */
import { CostInputError, ReferenceDataError, requirePositive } from './errors';
import type { LlmPriceRow, TrendRow } from './reference';
import { fitExponentialTrend, type ExponentialFit, type PriceBlend, blendedUsdPerMTok } from './trend';

/** Yearly factor of a quantity that doubles every `years` years: 2^(1/years). */
export function yearlyFactorFromDoublingYears(years: number): number {
  requirePositive('years', years);
  return 2 ** (1 / years);
}

/** Yearly factor of a cost that halves every `months` months: 2^(12/months). */
export function yearlyFactorFromHalvingMonths(months: number): number {
  requirePositive('months', months);
  return 2 ** (12 / months);
}

/** Yearly factor of a `total`-fold change spread evenly over `years` years. */
export function yearlyFactorFromTotal(total: number, years: number): number {
  requirePositive('total', total);
  requirePositive('years', years);
  return total ** (1 / years);
}

/** Yearly factor of a cost that falls `percent` % a year: 1 / (1 − p). */
export function yearlyFactorFromPercentDecline(percent: number): number {
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
