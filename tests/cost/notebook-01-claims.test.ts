/**
 * The numbers notebook 01's prose states for its default parameters, computed from the same library
 * functions and data (the notebook tests run the smoke profile, whose confidence level differs).
 */
import { describe, expect, it } from 'vitest';
import { factorKind, publishedFactors } from '../../src/cost/drivers';
import { dateParameter, loadReferenceData } from '../../src/cost/reference';
import { breakEvenInputRatio, jiaServingScenario, JIA_2024_INPUT_RATIO_RANGE, servingEconomics } from '../../src/cost/serving';
import { cheapestAboveThreshold, fitExponentialTrend, thresholdSensitivity } from '../../src/cost/trend';
import { intervalInNote, trendRow } from '../../src/cost/drivers';

const data = loadReferenceData();
const fitFrom = (from: string, level = 0.9) => fitExponentialTrend(cheapestAboveThreshold(data.prices, { minMmlu: 42, blend: 'mean', fromYear: dateParameter('fromDate', from) }), level);

describe("notebook 01's claims at its default parameters", () => {
  it('10.0x per year, 90% CI 7.4-13.4, n = 12; 6.9x (5.1-9.4) with 2020 taken in', () => {
    const fit = fitFrom('2021-11-01');
    expect(fit.n).toBe(12);
    expect([fit.yearlyFactor, fit.yearlyFactorLow, fit.yearlyFactorHigh].map((v) => Number(v.toFixed(1)))).toEqual([10.0, 7.4, 13.4]);
    const with2020 = fitFrom('2020-01-01');
    expect([with2020.yearlyFactor, with2020.yearlyFactorLow, with2020.yearlyFactorHigh].map((v) => Number(v.toFixed(1)))).toEqual([6.9, 5.1, 9.4]);
  });

  it("Epoch's 11.8x lies inside the fit's interval, and the fit inside Epoch's; on Epoch's bar and 3:1 blend up to its end date this data gives 11.0x (6.9-17.6, n = 9)", () => {
    const onEpochTerms = fitExponentialTrend(
      cheapestAboveThreshold(data.prices, { minMmlu: 43.9, blend: 'blend3to1', fromYear: dateParameter('fromDate', '2021-11-01'), toYear: dateParameter('end', '2024-10-03') }),
      0.9,
    );
    expect(onEpochTerms.n).toBe(9);
    expect([onEpochTerms.yearlyFactor, onEpochTerms.yearlyFactorLow, onEpochTerms.yearlyFactorHigh].map((v) => Number(v.toFixed(1)))).toEqual([11.0, 6.9, 17.6]);
    const fit = fitFrom('2021-11-01');
    const epoch = trendRow(data.trends, 'Epoch: MMLU at GPT-3 level (>=43.9)');
    const ci = intervalInNote(epoch.note)!;
    expect(epoch.value).toBeGreaterThan(fit.yearlyFactorLow);
    expect(epoch.value).toBeLessThan(fit.yearlyFactorHigh);
    expect(fit.yearlyFactor).toBeGreaterThan(ci.low);
    expect(fit.yearlyFactor).toBeLessThan(ci.high);
  });

  it('the sensitivity table stays between 8.4x and 12.2x', () => {
    const rows = thresholdSensitivity(data.prices, { bars: [42, 60, 64.8, 70, 86], blends: ['mean', 'blend3to1'], fromYear: dateParameter('fromDate', '2021-11-01'), level: 0.9 });
    expect(rows).toHaveLength(10);
    expect(Number(Math.min(...rows.map((r) => r.yearlyFactor)).toFixed(1))).toBe(8.4);
    expect(Number(Math.max(...rows.map((r) => r.yearlyFactor)).toFixed(1))).toBe(12.2);
  });

  it("the comparison chart holds price declines only: range ends and algorithmic rates are kept apart", () => {
    const kinds = Object.fromEntries(data.trends.filter((t) => t.unit === 'x per year').map((t) => [t.quantity, factorKind(t)]));
    expect(kinds['Epoch: price decline to reach fixed benchmark milestone, fastest']).toBe('range end');
    expect(kinds['Price for fixed benchmark performance, frontier models (low)']).toBe('range end');
    expect(kinds['Algorithmic efficiency in inference (open models, hardware-adjusted)']).toBe('other rate');
    expect(kinds['Epoch: MMLU at GPT-3 level (>=43.9)']).toBe('price decline');
    const charted = publishedFactors(data.trends, ['price decline']);
    expect(charted.every((f) => !/slowest|fastest|efficiency/.test(f.label))).toBe(true);
  });

  it("Jia's profit: 16.1% at 10:1, break-even at 8.2:1, a loss of $379.78 a day at 3:1", () => {
    const input = jiaServingScenario(data.prices, data.hardware).input;
    expect(servingEconomics(input).marginFraction).toBeCloseTo(0.161, 3);
    const ratio = breakEvenInputRatio(input);
    expect(ratio).toBeCloseTo(8.23, 2);
    expect(servingEconomics({ ...input, inputPerOutputToken: ratio }).marginUsdPerDay).toBeCloseTo(0, 6);
    expect(servingEconomics({ ...input, inputPerOutputToken: JIA_2024_INPUT_RATIO_RANGE.low }).marginUsdPerDay).toBeCloseTo(-379.78, 2);
    expect(breakEvenInputRatio({ ...input, busyFraction: 0.5 })).toBeGreaterThan(JIA_2024_INPUT_RATIO_RANGE.high);
  });
});
