import { describe, expect, it } from 'vitest';
import {
  CostInputError,
  UnknownGpuError,
  findGpu,
  gpuHoursFromFlops,
  gpuPeakFlopsPerSecond,
  gpuUsdPerHour,
  gpusForDeadline,
  impliedMfu,
  inferenceFlopsPerToken,
  loadReferenceData,
  trainingFlops,
  wallClockDays,
} from '../../src/cost';

const data = loadReferenceData();

describe('training and inference compute', () => {
  it('reproduces GPT-3 175B on 300B tokens within 1% of the reported 3.14e23 FLOPs', () => {
    const flops = trainingFlops(175e9, 300e9);
    expect(flops).toBeCloseTo(3.15e23, -20);
    expect(Math.abs(flops / 3.14e23 - 1)).toBeLessThan(0.01);
  });

  it('agrees with the FLOPs the reference data reports for GPT-3 and Llama 3.1 405B', () => {
    for (const model of ['GPT-3 175B', 'Llama 3.1 405B']) {
      const run = data.trainingRuns.find((r) => r.model === model);
      if (!run?.params || !run.tokens || !run.trainFlops) throw new Error(`${model} row incomplete`);
      expect(Math.abs(trainingFlops(run.params, run.tokens) / run.trainFlops - 1)).toBeLessThan(0.02);
    }
  });

  it('counts 2 FLOPs per parameter per generated token', () => {
    expect(inferenceFlopsPerToken(405e9)).toBe(8.1e11);
  });

  it('turns FLOPs into GPU-hours at a peak and utilisation, and back into an implied MFU', () => {
    const peak = gpuPeakFlopsPerSecond(data.hardware, 'NVIDIA V100');
    expect(peak).toBe(125e12);
    const hours = gpuHoursFromFlops({ flops: 3.14e23, peakFlopsPerSecond: peak, mfu: 0.5 });
    expect(hours).toBeCloseTo(3.14e23 / (62.5e12 * 3600), 0);
    expect(impliedMfu({ flops: 3.14e23, gpuHours: hours, peakFlopsPerSecond: peak })).toBeCloseTo(0.5, 12);
    // Lambda's 355 V100-years for GPT-3 imply about 22% utilisation.
    expect(impliedMfu({ flops: 3.14e23, gpuHours: 3.11e6, peakFlopsPerSecond: peak })).toBeCloseTo(0.224, 3);
  });

  it('spreads GPU-hours over GPUs and deadlines', () => {
    expect(wallClockDays(2400, 100)).toBe(1);
    expect(gpusForDeadline(2401, 1)).toBe(101);
  });

  it('looks GPUs up by exact name in hardware.csv', () => {
    expect(findGpu(data.hardware, 'NVIDIA H100 SXM5').peakTflops).toBe(989);
    expect(gpuUsdPerHour(data.hardware, 'NVIDIA H800 (China export variant of H100)')).toBe(2);
  });
});

describe('invalid inputs', () => {
  it('rejects negative sizes', () => {
    expect(() => trainingFlops(-1, 300e9)).toThrow(CostInputError);
    expect(() => trainingFlops(-1, 300e9)).toThrow('params = -1: must not be negative');
    expect(() => trainingFlops(1, Number.NaN)).toThrow('tokens = NaN: must be a finite number');
    expect(() => inferenceFlopsPerToken(-5)).toThrow(CostInputError);
    expect(() => wallClockDays(10, 0)).toThrow('gpus = 0: must be greater than 0');
  });

  it.each([0, -0.1, 1.01, Number.POSITIVE_INFINITY])('rejects MFU %s outside (0, 1]', (mfu) => {
    expect(() => gpuHoursFromFlops({ flops: 1e20, peakFlopsPerSecond: 1e15, mfu })).toThrow(CostInputError);
  });

  it('names the parameter and the domain in a one-line message', () => {
    try {
      gpuHoursFromFlops({ flops: 1e20, peakFlopsPerSecond: 1e15, mfu: 1.5 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CostInputError);
      const e = error as CostInputError;
      expect(e.parameter).toBe('mfu');
      expect(e.value).toBe(1.5);
      expect(e.message).toBe('mfu = 1.5: must lie in (0, 1]');
    }
  });

  it('rejects reported runs that would need more than 100% utilisation', () => {
    expect(() => impliedMfu({ flops: 1e24, gpuHours: 1, peakFlopsPerSecond: 1e15 })).toThrow(/utilisation .* > 1/);
  });

  it('rejects unknown GPUs, listing the known names', () => {
    expect(() => findGpu(data.hardware, 'NVIDIA B200')).toThrow(UnknownGpuError);
    expect(() => findGpu(data.hardware, 'NVIDIA B200')).toThrow(/unknown GPU "NVIDIA B200"; hardware.csv lists: NVIDIA V100 SXM2; /);
    // H800 is listed, but without a peak throughput.
    expect(() => gpuPeakFlopsPerSecond(data.hardware, 'NVIDIA H800 (China export variant of H100)')).toThrow(
      /^GPU "NVIDIA H800 \(China export variant of H100\)" has no peak_tflops_dense_bf16_or_fp16 in hardware.csv; rows with one: NVIDIA V100 SXM2;/,
    );
    expect(() => gpuUsdPerHour(data.hardware, 'NVIDIA H100 SXM5')).toThrow(UnknownGpuError);
  });
});
