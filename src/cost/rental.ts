/**
 * What compute costs: renting GPU-hours, and the energy those hours draw. The cost breakdown puts
 * computed items next to labelled assumptions (R&D, maintenance) so a chart never mixes the two
 * silently. Taught in notebook 02.
 */
import { CostInputError, requireFinite, requireNonNegative } from './errors';
import type { GpuHours, Kwh, Usd, UsdPerGpuHour, UsdPerKwh, Watts } from './units';

/** Rental cost = GPU-hours × price per GPU-hour. */
export function rentalCostUsd(gpuHours: GpuHours, usdPerGpuHour: UsdPerGpuHour): Usd {
  requireNonNegative('gpuHours', gpuHours);
  requireNonNegative('usdPerGpuHour', usdPerGpuHour);
  return gpuHours * usdPerGpuHour;
}

export interface EnergyInput {
  readonly gpuHours: GpuHours;
  /** Power of one GPU in watts (board power; CPUs, network and storage not included). */
  readonly gpuWatts: Watts;
  /** Power usage effectiveness of the data centre, ≥ 1. */
  readonly pue: number;
}

/** Facility energy = GPU-hours × GPU power × PUE, in kWh. */
export function energyKwh({ gpuHours, gpuWatts, pue }: EnergyInput): Kwh {
  requireNonNegative('gpuHours', gpuHours);
  requireNonNegative('gpuWatts', gpuWatts);
  requireFinite('pue', pue);
  if (pue < 1) throw new CostInputError('pue', pue, 'must be at least 1 (facility energy ≥ IT energy)');
  return (gpuHours * gpuWatts * pue) / 1000;
}

/** Energy cost = energy × electricity price. */
export function energyCostUsd(input: EnergyInput & { readonly usdPerKwh: UsdPerKwh }): Usd {
  requireNonNegative('usdPerKwh', input.usdPerKwh);
  return energyKwh(input) * input.usdPerKwh;
}

/** Where a cost item's number comes from. */
export type CostBasis = 'computed' | 'assumption';

export interface CostItem {
  readonly label: string;
  readonly usd: Usd;
  readonly basis: CostBasis;
  /** How the number was obtained, shown under the chart. */
  readonly note: string;
}

export interface TrainingCostInput {
  readonly gpuHours: GpuHours;
  readonly usdPerGpuHour: UsdPerGpuHour;
  readonly gpuWatts: Watts;
  readonly pue: number;
  readonly usdPerKwh: UsdPerKwh;
  /** R&D (people, experiments, ablations) as a multiple of the final run's rental cost: an assumption. */
  readonly rdMultipleOfRun: number;
  /** Yearly maintenance (serving infrastructure upkeep, retraining, fixes) as a fraction of the run cost: an assumption. */
  readonly maintenanceFractionOfRun: number;
}

/**
 * The price composition of a model as labelled items: the final run's GPU rental (computed), the
 * part of it that pays for electricity (computed, already inside the rent), and R&D and
 * maintenance (assumptions, scaled from the run cost by the given multiples).
 */
export function trainingCostBreakdown(input: TrainingCostInput): CostItem[] {
  requireNonNegative('rdMultipleOfRun', input.rdMultipleOfRun);
  requireNonNegative('maintenanceFractionOfRun', input.maintenanceFractionOfRun);
  const run = rentalCostUsd(input.gpuHours, input.usdPerGpuHour);
  const energy = energyCostUsd(input);
  return [
    { label: 'final training run (GPU rent)', usd: run, basis: 'computed', note: `${fmt(input.gpuHours)} GPU-h × $${input.usdPerGpuHour}/GPU-h` },
    { label: 'of which electricity', usd: energy, basis: 'computed', note: `${input.gpuWatts} W × PUE ${input.pue} × $${input.usdPerKwh}/kWh (inside the rent)` },
    { label: 'R&D (assumption)', usd: run * input.rdMultipleOfRun, basis: 'assumption', note: `${input.rdMultipleOfRun} × the final run` },
    { label: 'maintenance per year (assumption)', usd: run * input.maintenanceFractionOfRun, basis: 'assumption', note: `${input.maintenanceFractionOfRun} × the final run` },
  ];
}

function fmt(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: 0 });
}
