import { describe, expect, it } from 'vitest';
import {
  CostInputError,
  blendedUsdPerMTok,
  cheapestAboveThreshold,
  decimalYear,
  fitExponentialTrend,
  loadReferenceData,
  priceCuts,
  priceWarFactor,
  sameModelTrend,
  trendValueAt,
  yearlyFactorFromDoublingYears,
  yearlyFactorFromHalvingMonths,
  yearlyFactorFromPercentDecline,
  yearlyFactorFromTotal,
  type LlmPriceRow,
  type PriceCut,
} from '../../src/cost';

const data = loadReferenceData();

function row(model: string, date: string, input: number | null, output: number | null, mmlu: number | null): LlmPriceRow {
  const year = decimalYear(date);
  if (year === null) throw new Error(date);
  return { provider: 'p', model, date, year, inputUsdPerMTok: input, outputUsdPerMTok: output, mmlu, sourceUrl: 'https://example.org', note: '', line: 2 };
}

describe('exponential trend fit', () => {
  it('recovers a known yearly factor exactly from noiseless data', () => {
    const points = [2020, 2020.5, 2021.25, 2022, 2023.75].map((year) => ({ year, value: 60 * 10 ** -(year - 2020) }));
    const fit = fitExponentialTrend(points);
    expect(fit.yearlyFactor).toBeCloseTo(10, 10);
    expect(fit.yearlyFactorLow).toBeCloseTo(10, 8);
    expect(fit.yearlyFactorHigh).toBeCloseTo(10, 8);
    expect(fit.rSquared).toBeCloseTo(1, 12);
    expect(trendValueAt(fit, 2021)).toBeCloseTo(6, 10);
  });

  it('gives the t interval of scipy on noisy data', () => {
    // ln y = 5 − 2x + e with residuals ±0.1 alternating. scipy.stats.linregress(x, ln y) gives slope
    // −2.0171428571428573, stderr 0.02799416848894081, r² 0.9992301832324291; with
    // t = scipy.stats.t.ppf(0.975, 4) the 95% interval of exp(−slope) is 6.95470622486421–8.124361408240015.
    const xs = [0, 1, 2, 3, 4, 5];
    const e = [0.1, -0.1, 0.1, -0.1, 0.1, -0.1];
    const fit = fitExponentialTrend(xs.map((x, i) => ({ year: x, value: Math.exp(5 - 2 * x + (e[i] as number)) })), 0.95);
    expect(fit.slopePerYear).toBeCloseTo(-2.0171428571428573, 12);
    expect(fit.slopeStdError).toBeCloseTo(0.02799416848894081, 12);
    expect(fit.rSquared).toBeCloseTo(0.9992301832324291, 12);
    expect(fit.yearlyFactor).toBeCloseTo(7.516817601813509, 10);
    expect(fit.yearlyFactorLow).toBeCloseTo(6.95470622486421, 8);
    expect(fit.yearlyFactorHigh).toBeCloseTo(8.124361408240015, 8);
  });

  it('rejects too few points, zero prices, a single date and a bad level', () => {
    expect(() => fitExponentialTrend([{ year: 1, value: 1 }, { year: 2, value: 1 }])).toThrow('points.length = 2');
    expect(() => fitExponentialTrend([1, 2, 3].map((year) => ({ year, value: year - 1 })))).toThrow('points[0].value = 0: must be > 0');
    expect(() => fitExponentialTrend([1, 1, 1].map((year) => ({ year, value: 2 })))).toThrow(/same date/);
    expect(() => fitExponentialTrend([1, 2, 3].map((year) => ({ year, value: 2 })), 1)).toThrow(CostInputError);
  });
});

describe('cheapest model above a capability threshold', () => {
  it('keeps only rows that undercut every earlier qualifying row', () => {
    const rows = [
      row('a', '2021-01-01', 10, 10, 50),
      row('weak', '2021-06-01', 0.1, 0.1, 30),
      row('b', '2022-01-01', 12, 12, 60),
      row('c', '2022-06-01', 4, 6, 55),
      row('free', '2022-07-01', 0, 0, 70),
      row('d', '2023-01-01', 1, null, 90),
    ];
    expect(cheapestAboveThreshold(rows, { minMmlu: 45, blend: 'mean' }).map((p) => [p.row.model, p.usdPerMTok])).toEqual([
      ['a', 10],
      ['c', 5],
    ]);
    expect(cheapestAboveThreshold(rows, { minMmlu: 45, blend: 'input' }).map((p) => p.row.model)).toEqual(['a', 'c', 'd']);
    expect(blendedUsdPerMTok(rows[3] as LlmPriceRow, 'blend3to1')).toBe(4.5);
  });

  it("fits about 10x per year at MMLU ≥ 42 since Nov 2021, as a16z reports, inside the range Epoch reports", () => {
    const frontier = cheapestAboveThreshold(data.prices, { minMmlu: 42, blend: 'mean', fromYear: 2021.8 });
    expect(frontier[0]?.row.model).toBe('GPT-3 davinci');
    const fit = fitExponentialTrend(frontier, 0.9);
    expect(fit.yearlyFactorLow).toBeLessThan(10);
    expect(fit.yearlyFactorHigh).toBeGreaterThan(10);
    expect(fit.yearlyFactor).toBeGreaterThan(9);
    expect(fit.yearlyFactor).toBeLessThan(900);
  });
});

describe('decline drivers', () => {
  it('converts doubling, halving, totals and percentages into yearly factors', () => {
    expect(yearlyFactorFromDoublingYears(1)).toBe(2);
    expect(yearlyFactorFromHalvingMonths(6)).toBe(4);
    expect(yearlyFactorFromTotal(1000, 3)).toBeCloseTo(10, 12);
    expect(yearlyFactorFromPercentDecline(90)).toBeCloseTo(10, 12);
    expect(() => yearlyFactorFromPercentDecline(100)).toThrow(CostInputError);
    expect(() => yearlyFactorFromHalvingMonths(0)).toThrow(CostInputError);
  });

  it('pairs the May 2024 price-war rows before and after each cut', () => {
    const cuts = priceCuts(data.prices);
    expect(cuts.map((c) => c.model)).toEqual(['GLM-3-Turbo', 'Qwen-Long', 'ERNIE-Speed-8K', 'ERNIE-Lite-8K', 'Hunyuan-lite']);
    expect(cuts[0]?.factor).toBeCloseTo(5, 2);
    expect(cuts[1]?.factor).toBeCloseTo(40, 1);
    expect(cuts[2]?.factor).toBeNull();
  });

  it('takes the median cut of the price war on the log scale', () => {
    const before = row('m', '2024-05-01', 1, 1, null);
    const cut = (factor: number | null): PriceCut => ({ provider: 'p', model: 'm', before, after: before, factor });
    // Odd count: the middle cut. Even count: √(5 · 40) = 14.142135623730951, the geometric mean of the middle two.
    expect(priceWarFactor([cut(40), cut(2), cut(5)]).yearlyFactor).toBeCloseTo(5, 12);
    const war = priceWarFactor([cut(5), cut(null), cut(40)]);
    expect(war.yearlyFactor).toBeCloseTo(14.142135623730951, 12);
    expect([war.low, war.high]).toEqual([5, 40]);
    expect(() => priceWarFactor([cut(null)])).toThrow(/no priced cuts/);
  });

  it('fits the falling price of one open model on hosting providers', () => {
    const { fit, rows } = sameModelTrend(data.prices, 'Llama 3.1 8B Instruct', 'mean');
    expect(rows).toHaveLength(3);
    expect(fit.yearlyFactor).toBeGreaterThan(1);
  });
});
