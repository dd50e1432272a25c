/**
 * Compute: how many FLOPs training and inference take, and how many GPU-hours that is at a
 * stated peak throughput and utilisation. Taught in notebook 02 (price composition).
 */
import { CostInputError, UnknownGpuError, requireFraction, requireNonNegative, requirePositive } from './errors';
import type { HardwareRow } from './reference';
import { SECONDS_PER_HOUR, TERA, type Flops, type FlopsPerSecond, type Fraction, type GpuHours } from './units';

/** FLOPs per parameter per training token (forward 2 + backward 4; Kaplan et al. 2020). */
export const TRAIN_FLOPS_PER_PARAM_TOKEN = 6;
/** FLOPs per parameter per token of a forward pass (one multiply-add per weight). */
export const INFERENCE_FLOPS_PER_PARAM_TOKEN = 2;

/** Training compute C = 6·N·D. */
export function trainingFlops(params: number, tokens: number): Flops {
  requireNonNegative('params', params);
  requireNonNegative('tokens', tokens);
  return TRAIN_FLOPS_PER_PARAM_TOKEN * params * tokens;
}

/** Inference compute per generated token ≈ 2·N (attention over the context ignored). */
export function inferenceFlopsPerToken(params: number): Flops {
  requireNonNegative('params', params);
  return INFERENCE_FLOPS_PER_PARAM_TOKEN * params;
}

export interface GpuHoursInput {
  readonly flops: Flops;
  /** Peak FLOP/s of one GPU at the precision used. */
  readonly peakFlopsPerSecond: FlopsPerSecond;
  /** Model FLOPs utilisation, in (0, 1]. */
  readonly mfu: Fraction;
}

/** GPU-hours needed to do `flops` at `mfu` of `peakFlopsPerSecond`. */
export function gpuHoursFromFlops({ flops, peakFlopsPerSecond, mfu }: GpuHoursInput): GpuHours {
  requireNonNegative('flops', flops);
  requirePositive('peakFlopsPerSecond', peakFlopsPerSecond);
  requireFraction('mfu', mfu);
  return flops / (peakFlopsPerSecond * mfu) / SECONDS_PER_HOUR;
}

export interface MfuInput {
  readonly flops: Flops;
  readonly gpuHours: GpuHours;
  readonly peakFlopsPerSecond: FlopsPerSecond;
}

/**
 * The utilisation a reported run implies: flops / (gpuHours · 3600 · peak). Throws when the result
 * exceeds 1, which means the inputs are inconsistent (wrong peak, GPU-hours or FLOPs).
 */
export function impliedMfu({ flops, gpuHours, peakFlopsPerSecond }: MfuInput): Fraction {
  requirePositive('flops', flops);
  requirePositive('gpuHours', gpuHours);
  requirePositive('peakFlopsPerSecond', peakFlopsPerSecond);
  const mfu = flops / (gpuHours * SECONDS_PER_HOUR * peakFlopsPerSecond);
  if (mfu > 1) throw new CostInputError('gpuHours', gpuHours, `implies utilisation ${mfu.toFixed(2)} > 1 at this peak`);
  return mfu;
}

/** Wall-clock days for `gpuHours` spread over `gpus` GPUs. */
export function wallClockDays(gpuHours: GpuHours, gpus: number): number {
  requireNonNegative('gpuHours', gpuHours);
  requirePositive('gpus', gpus);
  return gpuHours / gpus / 24;
}

/** GPUs needed to finish `gpuHours` within `days` (rounded up). */
export function gpusForDeadline(gpuHours: GpuHours, days: number): number {
  requireNonNegative('gpuHours', gpuHours);
  requirePositive('days', days);
  return Math.ceil(gpuHours / (days * 24));
}

/** The hardware.csv row named exactly `gpu`; throws `UnknownGpuError` listing the known names. */
export function findGpu(hardware: readonly HardwareRow[], gpu: string): HardwareRow {
  const row = hardware.find((r) => r.gpu === gpu);
  if (row === undefined) throw new UnknownGpuError(gpu, [...new Set(hardware.map((r) => r.gpu))]);
  return row;
}

/** Peak dense BF16/FP16 FLOP/s of the GPU named `gpu` in hardware.csv. */
export function gpuPeakFlopsPerSecond(hardware: readonly HardwareRow[], gpu: string): FlopsPerSecond {
  const row = findGpu(hardware, gpu);
  if (row.peakTflops === null) {
    throw new UnknownGpuError(gpu, [...new Set(hardware.filter((r) => r.peakTflops !== null).map((r) => r.gpu))], 'peak_tflops_dense_bf16_or_fp16');
  }
  return row.peakTflops * TERA;
}

/** Rental price in USD per GPU-hour of the row named `gpu`. */
export function gpuUsdPerHour(hardware: readonly HardwareRow[], gpu: string): number {
  const row = findGpu(hardware, gpu);
  if (row.usdPerGpuHour === null) {
    throw new UnknownGpuError(gpu, [...new Set(hardware.filter((r) => r.usdPerGpuHour !== null).map((r) => r.gpu))], 'price_usd_per_hour');
  }
  return row.usdPerGpuHour;
}
