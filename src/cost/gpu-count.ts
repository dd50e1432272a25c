/**
 * How many GPUs a training run needs (taught in notebook 09, FAQ Q1): training FLOPs C = 6·N·D,
 * GPU-hours at a peak throughput and utilisation, and the GPUs that finish those hours by a deadline.
 * Composed from the compute functions of this folder; pure.
 */
import { gpuHoursFromFlops, gpusForDeadline, trainingFlops, wallClockDays } from './compute';
import { ReferenceDataError } from './errors';
import { findRow, REFERENCE_FILES, type TrainingRunRow } from './reference';
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

/** A published run set against the calculator (09, Q1), from its row of `training_runs.csv`. */
export interface PublishedRunCheck {
  readonly run: string;
  /** Active parameters for a mixture of experts, else all parameters. */
  readonly paramsUsed: number;
  readonly reportedGpuHours: GpuHours;
  readonly computedGpuHours: GpuHours;
  readonly clusterGpus: number;
  readonly daysOnCluster: number;
  readonly gpusForDeadline: number;
  readonly sourceUrl: string;
}

/**
 * For each named run: the GPU-hours 6·N·D gives at `peakFlopsPerSecond` and `mfu` (N = active
 * parameters where the row has them), the reported GPU-hours, and the wall-clock days they take on
 * the reported cluster. Throws naming a run that lacks tokens, GPU-hours or a cluster size.
 */
export function publishedRunChecks(runs: readonly TrainingRunRow[], models: readonly string[], options: Omit<GpuCountInput, 'params' | 'tokens'>): PublishedRunCheck[] {
  return models.map((model) => {
    const row = findRow(runs, 'model', model, REFERENCE_FILES.trainingRuns);
    if (row.tokens === null || row.gpuHours === null || row.clusterGpus === null || row.params === null) {
      throw new ReferenceDataError(REFERENCE_FILES.trainingRuns, row.line, `${model} needs params, tokens, gpu_hours and cluster_gpus for this check`);
    }
    const paramsUsed = row.activeParams ?? row.params;
    const computed = gpusToTrain({ params: paramsUsed, tokens: row.tokens, ...options });
    return {
      run: model,
      paramsUsed,
      reportedGpuHours: row.gpuHours,
      computedGpuHours: computed.gpuHours,
      clusterGpus: row.clusterGpus,
      daysOnCluster: wallClockDays(row.gpuHours, row.clusterGpus),
      gpusForDeadline: computed.gpus,
      sourceUrl: row.sourceUrl,
    };
  });
}

/** One training run's cost: as reported, or computed from reported GPU-hours at a stated rent. */
export interface TrainingCost {
  readonly model: string;
  readonly year: number;
  readonly usd: number;
  readonly basis: 'reported' | 'GPU-hours x rent';
  readonly sourceUrl: string;
}

/**
 * Every run of `training_runs.csv` with a year and either a reported cost or GPU-hours (priced at
 * `usdPerGpuHour`), oldest first (09, Q3: whether frontier training gets cheaper).
 */
export function trainingCosts(runs: readonly TrainingRunRow[], usdPerGpuHour: number): TrainingCost[] {
  return runs
    .flatMap((r): TrainingCost[] => {
      if (r.year === null) return [];
      if (r.reportedCostUsd !== null) return [{ model: r.model, year: r.year, usd: r.reportedCostUsd, basis: 'reported', sourceUrl: r.sourceUrl }];
      if (r.gpuHours !== null) return [{ model: r.model, year: r.year, usd: r.gpuHours * usdPerGpuHour, basis: 'GPU-hours x rent', sourceUrl: r.sourceUrl }];
      return [];
    })
    .sort((a, b) => a.year - b.year);
}
