/** The facts lock: comparing a run with it, refreshing it, and its file (src/facts/lock*.ts). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFacts, describeMovement, FactsLockError, lockPathFor, readLock, refreshLock, writeLock, lockedFigures, type ProfileLock } from '../../src/facts';
import { notebooksDir } from '../../src/paths';

const lock: ProfileLock = {
  testAccuracy: { value: 0.97, tolerance: { abs: 0.01 } },
  costUsd: { value: 100, tolerance: { rel: 0.05 } },
  backend: { value: 'wasm', tolerance: { abs: 0 } },
  samplesPerSecond: { value: 900, tolerance: null },
};

describe('facts lock', () => {
  it('lists nothing for a run within every tolerance', () => {
    expect(compareFacts({ testAccuracy: 0.975, costUsd: 104.9, backend: 'wasm', samplesPerSecond: 3, curve: [1, 2] }, lock)).toEqual([]);
  });

  it('lists every figure that moved beyond its tolerance, went missing or is new', () => {
    const moved = compareFacts({ testAccuracy: 0.95, costUsd: 106, backend: 'cpu', samplesPerSecond: 1, misclassified: 30 }, lock);
    expect(moved.map(describeMovement)).toEqual([
      'testAccuracy moved: 0.97 → 0.95 (tolerance ±0.01)',
      'costUsd moved: 100 → 106 (tolerance ±5%)',
      'backend moved: "wasm" → "cpu" (tolerance exact)',
      'misclassified is new (30) and not locked yet',
    ]);
    expect(compareFacts({ costUsd: 100, backend: 'wasm', samplesPerSecond: 1 }, lock).map(describeMovement)).toEqual([
      'testAccuracy is locked (0.97) but the run has no such value',
    ]);
  });

  it('refreshes values from a run, keeping tolerances; new timings are recorded uncompared, other new facts exact', () => {
    const refreshed = refreshLock({ testAccuracy: 0.96, costUsd: 100, backend: 'wasm', samplesPerSecond: 950, trainSeconds: 12.5, misclassified: 31, ratio: 1.5 }, lock);
    expect(refreshed).toEqual({
      testAccuracy: { value: 0.96, tolerance: { abs: 0.01 } },
      costUsd: { value: 100, tolerance: { rel: 0.05 } },
      backend: { value: 'wasm', tolerance: { abs: 0 } },
      samplesPerSecond: { value: 950, tolerance: null },
      trainSeconds: { value: 12.5, tolerance: null },
      misclassified: { value: 31, tolerance: { abs: 0 } },
      ratio: { value: 1.5, tolerance: { rel: 1e-9 } },
    });
  });
});

describe('facts lock file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facts-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lives beside its notebook', () => {
    expect(lockPathFor('notebooks/05-project-practice.ipynb')).toBe('notebooks/05-project-practice.facts.json');
  });

  it('round-trips with one fact per line, and an absent file is an empty lock', () => {
    const path = join(dir, 'a.facts.json');
    expect(readLock(path)).toEqual({});
    writeLock(path, { default: lock });
    expect(readLock(path)).toEqual({ default: lock });
    expect(readFileSync(path, 'utf8')).toBe(
      [
        '{',
        '  "default": {',
        '    "testAccuracy": {"value":0.97,"tolerance":{"abs":0.01}},',
        '    "costUsd": {"value":100,"tolerance":{"rel":0.05}},',
        '    "backend": {"value":"wasm","tolerance":{"abs":0}},',
        '    "samplesPerSecond": {"value":900,"tolerance":null}',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('names the file and what is wrong in a damaged lock', () => {
    const path = join(dir, 'bad.facts.json');
    writeFileSync(path, '{"default": {"x": {"value": 1}}}');
    expect(() => readLock(path)).toThrow(FactsLockError);
    expect(() => readLock(path)).toThrow(`${path}: default.x must be {"value": …, "tolerance": …}`);
    writeFileSync(path, '{"default": {"x": {"value": 1, "tolerance": {"abs": -1}}}}');
    expect(() => readLock(path)).toThrow(`${path}: default.x: tolerance must be null, {"abs": n} or {"rel": n} with n ≥ 0, not {"abs":-1}`);
    writeFileSync(path, '{"default": ');
    expect(() => readLock(path)).toThrow(/: not JSON/);
  });
});

describe('locked figures quoted by a notebook', () => {
  it("reads one profile's values of a project notebook's lock, and names the file when the profile is missing", () => {
    const full = lockedFigures('05-project-practice', 'full');
    expect(full.studyProfile).toBe('full');
    expect(full.seedCount).toBeGreaterThanOrEqual(3);
    const path = join(notebooksDir(), '05-project-practice.facts.json');
    expect(() => lockedFigures('05-project-practice', 'nightly')).toThrow(FactsLockError);
    expect(() => lockedFigures('05-project-practice', 'nightly')).toThrow(`${path}: no "nightly" profile in the lock`);
  });
});
