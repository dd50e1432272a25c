import { describe, expect, it } from 'vitest';
import { CostInputError, ReferenceDataError, gpuRentUsdPerDay, jiaServingScenario, loadReferenceData, servingEconomics, usdPerMTokFromThroughput } from '../../src/cost';

const data = loadReferenceData();

describe('serving economics', () => {
  it("reproduces Jia's 2024 Llama 3.1 405B arithmetic: about $798/day against $670/day of 8 H100s", () => {
    const scenario = jiaServingScenario(data.prices, data.hardware);
    expect(scenario.input.inputUsdPerMTok).toBe(2.8);
    expect(scenario.input.usdPerGpuHour).toBe(3.49);
    const e = servingEconomics(scenario.input);
    expect(e.tokensPerDay).toBe(3300 * 86_400);
    expect(e.revenueUsdPerDay).toBeCloseTo(798.34, 2);
    expect(e.gpuRentUsdPerDay).toBeCloseTo(670.08, 9);
    expect(e.marginUsdPerDay).toBeGreaterThan(0);
    expect(e.marginFraction).toBeCloseTo(0.1607, 4);
    // At the break-even price revenue equals rent.
    const even = servingEconomics({ ...scenario.input, inputUsdPerMTok: e.breakEvenUsdPerMTok, outputUsdPerMTok: e.breakEvenUsdPerMTok });
    expect(even.marginUsdPerDay).toBeCloseTo(0, 9);
    expect(scenario.sources).toContain('https://atlascloud.ai/post/the-math-behind-inference-for-llama31-405b');
  });

  it('loses money when the deployment is idle part of the day', () => {
    const scenario = jiaServingScenario(data.prices, data.hardware);
    expect(servingEconomics({ ...scenario.input, busyFraction: 0.5 }).marginUsdPerDay).toBeLessThan(0);
  });

  it('prices a generated token from throughput and rent', () => {
    expect(gpuRentUsdPerDay(8, 2)).toBe(384);
    expect(usdPerMTokFromThroughput(1000, 8, 2)).toBeCloseTo((384 / 86.4e6) * 1e6, 12);
  });

  it('rejects impossible inputs and a missing price row', () => {
    const { input } = jiaServingScenario(data.prices, data.hardware);
    expect(() => servingEconomics({ ...input, busyFraction: 1.2 })).toThrow('busyFraction = 1.2: must lie in (0, 1]');
    expect(() => servingEconomics({ ...input, outputTokensPerSecond: -1 })).toThrow(CostInputError);
    expect(() => gpuRentUsdPerDay(0, 2)).toThrow('gpus = 0');
    expect(() => jiaServingScenario([], data.hardware)).toThrow(ReferenceDataError);
  });
});
