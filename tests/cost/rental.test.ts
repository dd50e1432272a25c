import { describe, expect, it } from 'vitest';
import { CostInputError, energyCostUsd, energyKwh, loadReferenceData, rentalCostUsd, trainingCostBreakdown } from '../../src/cost';

describe('rental and energy', () => {
  it("reproduces DeepSeek-V3's $5.576M from its 2.788M H800 GPU-hours at $2/GPU-h", () => {
    const run = loadReferenceData().trainingRuns.find((r) => r.model === 'DeepSeek-V3');
    if (!run?.gpuHours || !run.reportedCostUsd) throw new Error('DeepSeek-V3 row incomplete');
    const cost = rentalCostUsd(run.gpuHours, 2);
    expect(cost).toBe(5_576_000);
    expect(cost).toBe(run.reportedCostUsd);
  });

  it('computes facility energy as GPU-hours × watts × PUE and prices it', () => {
    expect(energyKwh({ gpuHours: 1000, gpuWatts: 700, pue: 1.2 })).toBeCloseTo(840, 9);
    expect(energyCostUsd({ gpuHours: 1000, gpuWatts: 700, pue: 1.2, usdPerKwh: 0.1 })).toBeCloseTo(84, 9);
  });

  it('labels R&D and maintenance as assumptions scaled from the run', () => {
    const items = trainingCostBreakdown({
      gpuHours: 1000, usdPerGpuHour: 2, gpuWatts: 700, pue: 1.2, usdPerKwh: 0.1, rdMultipleOfRun: 3, maintenanceFractionOfRun: 0.5,
    });
    expect(items.map((i) => [i.basis, i.usd])).toEqual([
      ['computed', 2000],
      ['computed', expect.closeTo(84, 9)],
      ['assumption', 6000],
      ['assumption', 1000],
    ]);
  });

  it('rejects negative hours, prices and a PUE below 1', () => {
    expect(() => rentalCostUsd(-1, 2)).toThrow('gpuHours = -1: must not be negative');
    expect(() => rentalCostUsd(1, -2)).toThrow(CostInputError);
    expect(() => energyKwh({ gpuHours: 1, gpuWatts: 700, pue: 0.9 })).toThrow('pue = 0.9: must be at least 1');
    expect(() => energyCostUsd({ gpuHours: 1, gpuWatts: 700, pue: 1.1, usdPerKwh: -0.1 })).toThrow(CostInputError);
    expect(() =>
      trainingCostBreakdown({ gpuHours: 1, usdPerGpuHour: 2, gpuWatts: 700, pue: 1.2, usdPerKwh: 0.1, rdMultipleOfRun: -1, maintenanceFractionOfRun: 0 }),
    ).toThrow('rdMultipleOfRun = -1');
  });
});
