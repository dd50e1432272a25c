/**
 * Timings as measurements: every speed, latency and speed-up a notebook reports comes from
 * `measure`, which runs the work untimed first (warm-up: compilation, caches, a backend's first
 * upload), then times at least five repetitions and reports their median with the range. One pass
 * on a shared machine is noise; the range says how much.
 */
import { spreadOf } from './summary';

/** The least number of timed repetitions. */
export const MIN_REPETITIONS = 5;

export interface MeasureOptions {
  /** Untimed runs first (default 1). */
  warmup?: number;
  /** Timed runs (default and least: 5). */
  repetitions?: number;
  /** Milliseconds clock (tests pass a fake). */
  now?: () => number;
}

/** Seconds per repetition: median and range of `repetitions` timed runs. */
export interface Measurement {
  readonly median: number;
  readonly low: number;
  readonly high: number;
  readonly repetitions: number;
  /** Every timed run, in order. */
  readonly seconds: readonly number[];
}

/** Times `work` (sync or async) after `warmup` untimed runs; each repetition's seconds are kept. */
export async function measure(work: () => unknown, options: MeasureOptions = {}): Promise<Measurement> {
  const repetitions = options.repetitions ?? MIN_REPETITIONS;
  const warmup = options.warmup ?? 1;
  if (!Number.isInteger(repetitions) || repetitions < MIN_REPETITIONS) {
    throw new RangeError(`measure: repetitions = ${repetitions}; a timing needs at least ${MIN_REPETITIONS} to give a median and a range`);
  }
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`measure: warmup = ${warmup} is not a count`);
  const now = options.now ?? (() => performance.now());
  for (let i = 0; i < warmup; i++) await work();
  const seconds: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = now();
    await work();
    seconds.push((now() - started) / 1000);
  }
  return fromSamples(seconds);
}

/** A measurement from seconds timed elsewhere (at least five). */
export function fromSamples(seconds: readonly number[]): Measurement {
  if (seconds.length < MIN_REPETITIONS) throw new RangeError(`measurement: ${seconds.length} samples; at least ${MIN_REPETITIONS} are needed`);
  const spread = spreadOf(seconds);
  return { median: spread.median, low: spread.min, high: spread.max, repetitions: spread.n, seconds: [...seconds] };
}

/** A rate (items per second) from a measurement of work on `items` items: the range turns over. */
export function rateOf(measurement: Measurement, items: number): { median: number; low: number; high: number } {
  return { median: items / measurement.median, low: items / measurement.high, high: items / measurement.low };
}

/** Whether two measurements of the same thing agree: their ranges overlap. */
export function agree(a: { low: number; high: number }, b: { low: number; high: number }): boolean {
  return a.low <= b.high && b.low <= a.high;
}
