/**
 * How many GPUs a training run needs (taught in notebook 09, FAQ Q1): training FLOPs C = 6·N·D,
 * GPU-hours at a peak throughput and utilisation, and the GPUs that finish those hours by a deadline.
 * Composed from the compute functions of this folder; pure.
 */
import { gpuHoursFromFlops, gpusForDeadline, trainingFlops } from './compute';
import type { Flops, FlopsPerSecond, Fraction, GpuHours } from './units';

export interface GpuCountInput {
  /** Parameters used per token (the active ones for a mixture of experts). */
  readonly params: number;
  readonly tokens: number;
  /** Wall-clock days allowed. */
  readonly days: number;
  readonly peakFlopsPerSecond: FlopsPerSecond;
  readonly mfu: Fraction;
}

export interface GpuCount {
  readonly params: number;
  readonly tokens: number;
  readonly flops: Flops;
  readonly gpuHours: GpuHours;
  /** GPUs needed to finish within `days` (rounded up). */
  readonly gpus: number;
}

/** FLOPs, GPU-hours and GPU count of one training run. */
export function gpusToTrain({ params, tokens, days, peakFlopsPerSecond, mfu }: GpuCountInput): GpuCount {
  const flops = trainingFlops(params, tokens);
  const gpuHours = gpuHoursFromFlops({ flops, peakFlopsPerSecond, mfu });
  return { params, tokens, flops, gpuHours, gpus: gpusForDeadline(gpuHours, days) };
}

export interface GpuCountGridInput {
  readonly params: readonly number[];
  readonly tokens: readonly number[];
  readonly days: number;
  readonly peakFlopsPerSecond: FlopsPerSecond;
  readonly mfu: Fraction;
}

/** `grid[i][j]`: the run with `params[i]` parameters on `tokens[j]` tokens. */
export function gpuCountGrid({ params, tokens, ...rest }: GpuCountGridInput): GpuCount[][] {
  return params.map((n) => tokens.map((d) => gpusToTrain({ params: n, tokens: d, ...rest })));
}
