/**
 * The facts lock: a notebook's headline values (its summary) committed with a tolerance each, per
 * profile, so that a figure the prose relies on cannot move without someone seeing it. A run is
 * compared with the lock and every figure beyond its tolerance is listed; after review the lock is
 * refreshed from the run. Pure functions; lock-file.ts reads and writes the files.
 *
 * Tolerances: `abs` (absolute) or `rel` (relative to the locked value); `null` records the value
 * without comparing it (timings on a shared machine). Strings and booleans compare exactly.
 */

export type FactValue = number | string | boolean | null;

export interface LockedFact {
  value: FactValue;
  /** Absolute tolerance, or relative (`rel`), or none (`null`: recorded, not compared). */
  tolerance: { abs: number } | { rel: number } | null;
}

/** One profile's locked facts by name. */
export type ProfileLock = Record<string, LockedFact>;
/** A notebook's lock: per profile. */
export type FactsLock = Record<string, ProfileLock>;

export interface Movement {
  name: string;
  kind: 'moved' | 'missing' | 'new';
  locked?: FactValue;
  now?: FactValue;
  /** The tolerance as written (`±0.02`, `±5%`, `exact`). */
  tolerance?: string;
}

export function toleranceText(tolerance: LockedFact['tolerance']): string {
  if (tolerance === null) return 'not compared';
  if ('abs' in tolerance) return tolerance.abs === 0 ? 'exact' : `±${tolerance.abs}`;
  return `±${Number((tolerance.rel * 100).toPrecision(3))}%`;
}

function within(locked: FactValue, now: FactValue, tolerance: LockedFact['tolerance']): boolean {
  if (tolerance === null) return true;
  if (typeof locked !== 'number' || typeof now !== 'number') return locked === now;
  const allowed = 'abs' in tolerance ? tolerance.abs : Math.abs(locked) * tolerance.rel;
  return Math.abs(now - locked) <= allowed + 1e-12 * Math.max(1, Math.abs(locked));
}

/** Only scalar facts are locked; lists and objects in a summary are left out. */
export function scalarFacts(values: Record<string, unknown>): Record<string, FactValue> {
  const facts: Record<string, FactValue> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === null || ['number', 'string', 'boolean'].includes(typeof value)) facts[name] = value as FactValue;
  }
  return facts;
}

/** Every figure of `values` that moved beyond its tolerance, went missing, or is new. */
export function compareFacts(values: Record<string, unknown>, lock: ProfileLock): Movement[] {
  const facts = scalarFacts(values);
  const movements: Movement[] = [];
  for (const [name, locked] of Object.entries(lock)) {
    if (!(name in facts)) movements.push({ name, kind: 'missing', locked: locked.value, tolerance: toleranceText(locked.tolerance) });
    else if (!within(locked.value, facts[name]!, locked.tolerance)) {
      movements.push({ name, kind: 'moved', locked: locked.value, now: facts[name]!, tolerance: toleranceText(locked.tolerance) });
    }
  }
  for (const name of Object.keys(facts)) if (!(name in lock)) movements.push({ name, kind: 'new', now: facts[name]! });
  return movements;
}

/** Names of timing figures (speeds, durations): locked without comparison unless a tolerance is set by hand. */
const TIMING_NAME = /(PerSecond|Seconds|Ms|Speedup|SpeedUp|Throughput|Latency)(Low|High)?$/;

/** The default tolerance of a new fact: none for timings, exact for the rest (widen by hand where a figure varies). */
export function defaultTolerance(name: string, value: FactValue): LockedFact['tolerance'] {
  if (TIMING_NAME.test(name)) return null;
  if (typeof value === 'number' && !Number.isInteger(value)) return { rel: 1e-9 };
  return { abs: 0 };
}

/** The lock refreshed from a run: every value taken from the run, tolerances kept, new facts with the default. */
export function refreshLock(values: Record<string, unknown>, previous: ProfileLock = {}): ProfileLock {
  const facts = scalarFacts(values);
  return Object.fromEntries(
    Object.entries(facts).map(([name, value]) => [name, { value, tolerance: previous[name]?.tolerance !== undefined ? previous[name]!.tolerance : defaultTolerance(name, value) }]),
  );
}

/** One line per movement, for a console or a report: `testAccuracy moved: 0.97 → 0.95 (tolerance ±0.01)`. */
export function describeMovement(m: Movement): string {
  if (m.kind === 'missing') return `${m.name} is locked (${JSON.stringify(m.locked)}) but the run has no such value`;
  if (m.kind === 'new') return `${m.name} is new (${JSON.stringify(m.now)}) and not locked yet`;
  return `${m.name} moved: ${JSON.stringify(m.locked)} → ${JSON.stringify(m.now)} (tolerance ${m.tolerance})`;
}
