/**
 * Where a notebook's facts lock lives (`<notebook>.facts.json` beside it) and reading and writing
 * it: a damaged file is named with what is wrong, and a refresh replaces the file atomically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic';
import { notebooksDir } from '../paths';
import type { FactValue, FactsLock, LockedFact } from './lock';
import { FileProblemError } from '../errors';
import { recordRead } from '../provenance';

/** The lock file could not be read as a facts lock. */
export class FactsLockError extends FileProblemError {}

/** `notebooks/05-project-practice.ipynb` → `notebooks/05-project-practice.facts.json`. */
export function lockPathFor(notebookPath: string): string {
  return notebookPath.replace(/\.ipynb$/, '') + '.facts.json';
}

function checkTolerance(path: string, where: string, tolerance: unknown): LockedFact['tolerance'] {
  if (tolerance === null) return null;
  if (typeof tolerance === 'object' && tolerance !== null) {
    const entries = Object.entries(tolerance);
    if (entries.length === 1) {
      const [kind, amount] = entries[0]!;
      if ((kind === 'abs' || kind === 'rel') && typeof amount === 'number' && amount >= 0) return { [kind]: amount } as LockedFact['tolerance'];
    }
  }
  throw new FactsLockError(path, `${where}: tolerance must be null, {"abs": n} or {"rel": n} with n ≥ 0, not ${JSON.stringify(tolerance)}`);
}

/** The lock at `path`; an absent file is an empty lock. */
export function readLock(path: string): FactsLock {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FactsLockError(path, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FactsLockError(path, 'must be an object of profiles');
  const lock: FactsLock = {};
  for (const [profile, facts] of Object.entries(parsed)) {
    if (typeof facts !== 'object' || facts === null || Array.isArray(facts)) throw new FactsLockError(path, `profile "${profile}" must be an object of facts`);
    lock[profile] = {};
    for (const [name, fact] of Object.entries(facts as Record<string, unknown>)) {
      const where = `${profile}.${name}`;
      if (typeof fact !== 'object' || fact === null || !('value' in fact) || !('tolerance' in fact)) {
        throw new FactsLockError(path, `${where} must be {"value": …, "tolerance": …}`);
      }
      const { value, tolerance } = fact as { value: unknown; tolerance: unknown };
      if (value !== null && !['number', 'string', 'boolean'].includes(typeof value)) throw new FactsLockError(path, `${where}: value must be a number, string, boolean or null`);
      lock[profile]![name] = { value: value as LockedFact['value'], tolerance: checkTolerance(path, where, tolerance) };
    }
  }
  return lock;
}

/** The lock as JSON with one fact per line, so that a refresh reads as a short diff in review. */
export function lockText(lock: FactsLock): string {
  const profiles = Object.entries(lock).map(([profile, facts]) => {
    const lines = Object.entries(facts).map(([name, fact]) => `    ${JSON.stringify(name)}: ${JSON.stringify({ value: fact.value, tolerance: fact.tolerance })}`);
    return `  ${JSON.stringify(profile)}: {\n${lines.join(',\n')}\n  }`;
  });
  return `{\n${profiles.join(',\n')}\n}\n`;
}

/** Writes `lock` to `path` (atomically: a reader sees the old file or the new one). */
export function writeLock(path: string, lock: FactsLock): void {
  writeFileAtomic(path, lockText(lock));
}

/**
 * The values one profile of a project notebook's lock holds, for prose that quotes a run too long
 * for the default profile: `lockedFigures('05-project-practice', 'full')` reads
 * `notebooks/05-project-practice.facts.json`. Fails, naming the file, when the lock has no such profile.
 */
export function lockedFigures(notebook: string, profile: string): Record<string, FactValue> {
  const path = lockPathFor(join(notebooksDir(), `${notebook}.ipynb`));
  recordRead(path);
  const facts = readLock(path)[profile];
  if (facts === undefined) throw new FactsLockError(path, `no "${profile}" profile in the lock: run the notebook with --profile ${profile} --refresh-facts first`);
  return Object.fromEntries(Object.entries(facts).map(([name, fact]) => [name, fact.value]));
}
