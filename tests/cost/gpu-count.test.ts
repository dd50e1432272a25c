import { describe, expect, it } from 'vitest';
import { gpuCountGrid, gpusToTrain, publishedRunChecks, trainingCosts } from '../../src/cost/gpu-count';
import { gpuPeakFlopsPerSecond } from '../../src/cost/compute';
import { loadReferenceData } from '../../src/cost/reference';

const H100_PEAK = 989e12;

describe('GPUs to train a model by a deadline', () => {
  it('follows 6·N·D, the utilisation and the deadline', () => {
    const run = gpusToTrain({ params: 7e9, tokens: 2e12, days: 90, peakFlopsPerSecond: H100_PEAK, mfu: 0.4 });
    expect(run.flops).toBe(6 * 7e9 * 2e12);
    expect(run.gpuHours).toBeCloseTo(8.4e22 / (H100_PEAK * 0.4) / 3600, 6);
    expect(run.gpus).toBe(Math.ceil(run.gpuHours / (90 * 24)));
    expect(run.gpus).toBe(28);
    const halfTime = gpusToTrain({ params: 7e9, tokens: 2e12, days: 45, peakFlopsPerSecond: H100_PEAK, mfu: 0.4 });
    expect(halfTime.gpus).toBeGreaterThanOrEqual(2 * run.gpus - 1);
    expect(halfTime.gpus).toBeLessThanOrEqual(2 * run.gpus);
  });

  it('puts Llama 3.1 405B on 15.6T tokens within 15% of its reported 30.84M H100-hours at 40% MFU', () => {
    const llama = gpusToTrain({ params: 405e9, tokens: 15.6e12, days: 90, peakFlopsPerSecond: H100_PEAK, mfu: 0.4 });
    expect(Math.abs(llama.gpuHours / 30.84e6 - 1)).toBeLessThan(0.15);
  });

  it('lays out a grid by parameters (rows) and tokens (columns), growing along both', () => {
    const grid = gpuCountGrid({ params: [1e9, 1e10], tokens: [1e11, 1e12, 1e13], days: 30, peakFlopsPerSecond: H100_PEAK, mfu: 0.5 });
    expect(grid).toHaveLength(2);
    expect(grid.map((row) => row.map((c) => [c.params, c.tokens]))).toEqual([
      [[1e9, 1e11], [1e9, 1e12], [1e9, 1e13]],
      [[1e10, 1e11], [1e10, 1e12], [1e10, 1e13]],
    ]);
    expect(grid[1]![2]!.gpus).toBeGreaterThan(grid[0]![2]!.gpus);
    expect(grid[1]![2]!.gpus).toBeGreaterThan(grid[1]![1]!.gpus);
  });

  it('refuses impossible inputs by parameter name', () => {
    expect(() => gpusToTrain({ params: 1e9, tokens: 1e12, days: 0, peakFlopsPerSecond: H100_PEAK, mfu: 0.4 })).toThrow(/days/);
    expect(() => gpusToTrain({ params: 1e9, tokens: 1e12, days: 30, peakFlopsPerSecond: H100_PEAK, mfu: 1.5 })).toThrow(/mfu/);
  });
});

describe('published runs from training_runs.csv', () => {
  const data = loadReferenceData();
  const h100 = gpuPeakFlopsPerSecond(data.hardware, 'NVIDIA H100 SXM5');

  it('use active parameters for a mixture of experts and the reported cluster sizes', () => {
    const [llama, deepseek] = publishedRunChecks(data.trainingRuns, ['Llama 3.1 405B', 'DeepSeek-V3'], { days: 90, peakFlopsPerSecond: h100, mfu: 0.4 });
    expect(llama!.paramsUsed).toBe(405e9);
    expect(llama!.clusterGpus).toBe(16384);
    expect(llama!.daysOnCluster).toBeCloseTo(78.4, 1);
    expect(deepseek!.paramsUsed).toBe(37e9);
    expect(deepseek!.clusterGpus).toBe(2048);
    expect(deepseek!.daysOnCluster).toBeCloseTo(56.7, 1);
    expect(() => publishedRunChecks(data.trainingRuns, ['GPT-4'], { days: 90, peakFlopsPerSecond: h100, mfu: 0.4 })).toThrow(/GPT-4 needs params/);
  });

  it('training costs: the same GPT-3 got cheaper while the costliest runs grew', () => {
    const costs = trainingCosts(data.trainingRuns, 2);
    const gpt3 = costs.filter((c) => c.model.startsWith('GPT-3 175B'));
    expect(gpt3.map((c) => [c.year, c.usd])).toEqual([[2020, 4.6e6], [2023, 1.4e6]]);
    const max2020 = Math.max(...costs.filter((c) => c.year === 2020).map((c) => c.usd));
    const maxLater = Math.max(...costs.filter((c) => c.year >= 2023).map((c) => c.usd));
    expect(maxLater / max2020).toBeGreaterThan(10);
    expect(costs.find((c) => c.model === 'Llama 3.1 405B')).toMatchObject({ basis: 'GPU-hours x rent', usd: 61.68e6 });
  });
});
