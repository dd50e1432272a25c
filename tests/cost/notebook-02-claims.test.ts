/** The numbers notebook 02's summary states for its default parameters (the smoke profile changes mfu and busy). */
import { describe, expect, it } from 'vitest';
import { gpuHoursFromFlops, gpuPeakFlopsPerSecond, rentalCostUsd } from '../../src/cost';
import { declineDrivers, priceCuts, priceWarFactor, unexplainedFactor, yearlyFactorOverMonths } from '../../src/cost/drivers';
import { dateParameter, loadReferenceData } from '../../src/cost/reference';
import { cheapestAboveThreshold, fitExponentialTrend } from '../../src/cost/trend';

const data = loadReferenceData();

describe("notebook 02's claims at its default parameters", () => {
  it("GPT-3's compute at 40% of an H100 at $2/GPU-h: about 0.22M GPU-hours, $0.44M", () => {
    const hours = gpuHoursFromFlops({ flops: 3.14e23, peakFlopsPerSecond: gpuPeakFlopsPerSecond(data.hardware, 'NVIDIA H100 SXM5'), mfu: 0.4 });
    expect(hours / 1e6).toBeCloseTo(0.22, 2);
    expect(rentalCostUsd(hours, 2) / 1e6).toBeCloseTo(0.44, 2);
  });

  it('drivers: 1.33x and 2.83x multiply to 3.75x; 2.7x (2.0-3.6) of the observed 10.0x is left unexplained', () => {
    const drivers = declineDrivers(data, 'mean', 0.9);
    const [hardware, algorithms, product, open] = drivers;
    expect([hardware!.yearlyFactor, hardware!.low!, hardware!.high!].map((v) => Number(v.toFixed(2)))).toEqual([1.33, 1.29, 1.36]);
    expect([algorithms!.yearlyFactor, algorithms!.low!, algorithms!.high!].map((v) => Number(v.toFixed(2)))).toEqual([2.83, 1.81, 5.28]);
    expect(product!.yearlyFactor).toBeCloseTo(3.75, 2);
    expect([open!.yearlyFactor, open!.low!, open!.high!].map((v) => Number(v.toFixed(1)))).toEqual([3.4, 1.2, 9.4]);
    const observed = fitExponentialTrend(cheapestAboveThreshold(data.prices, { minMmlu: 42, blend: 'mean', fromYear: dateParameter('fromDate', '2021-11-01') }), 0.9);
    const residual = unexplainedFactor({ yearlyFactor: observed.yearlyFactor, low: observed.yearlyFactorLow, high: observed.yearlyFactorHigh }, product!.yearlyFactor);
    expect([residual.yearlyFactor, residual.low, residual.high].map((v) => Number(v.toFixed(1)))).toEqual([2.7, 2.0, 3.6]);
    // With the drivers' own intervals at their ends: roughly 1.0 to 5.7.
    const withDrivers = unexplainedFactor(
      { yearlyFactor: observed.yearlyFactor, low: observed.yearlyFactorLow, high: observed.yearlyFactorHigh },
      product!.yearlyFactor,
      { low: hardware!.low! * algorithms!.low!, high: hardware!.high! * algorithms!.high! },
    );
    expect([withDrivers.lowWithDrivers!, withDrivers.highWithDrivers!].map((v) => Number(v.toFixed(1)))).toEqual([1.0, 5.7]);
  });

  it('the price war: priced cuts of 5x and 40x, three more to free; H100 rent 4x down from its peak', () => {
    const war = priceWarFactor(priceCuts(data.prices));
    expect([Math.round(war.low!), Math.round(war.high!)]).toEqual([5, 40]);
    expect(war.label).toContain('2 priced cuts, 3 more to free');
    expect(yearlyFactorOverMonths(8, 2, 18)).toBeCloseTo(2.52, 2);
    expect(() => yearlyFactorOverMonths(8, 0, 18)).toThrow(/8 -> 0/);
  });
});
