/** The facts lock in a run: the summary compared with `<notebook>.facts.json`, refreshed on request, and reported (src/runner/facts.ts). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { indexHtml } from '../../src/runner/export';
import { checkFacts, summaryValues } from '../../src/runner/facts';
import { parametersFor, profileOf } from '../../src/runner/index';
import { consoleSummary } from '../../src/runner/report';
import type { Notebook, NotebookReport } from '../../src/runner/types';

function executed(summary: Record<string, unknown> | undefined): Notebook {
  const outputs = [
    { output_type: 'display_data' as const, data: { 'application/json': { points: 3 } }, metadata: {} },
    ...(summary ? [{ output_type: 'execute_result' as const, execution_count: 2, data: { 'application/json': { title: '05 · results', ...summary }, 'text/plain': 'x' }, metadata: {} }] : []),
  ];
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: 'a', cell_type: 'code', metadata: {}, source: '', outputs, execution_count: 2 }],
  };
}

describe('facts of a run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-facts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const source = join(dir, '05-x.ipynb');
  const lockFile = join(dir, '05-x.facts.json');

  it('reads the summary, and only an application/json output with a title is one', () => {
    expect(summaryValues(executed({ testAccuracy: 0.97 }))).toEqual({ testAccuracy: 0.97 });
    expect(summaryValues(executed(undefined))).toBeUndefined();
    expect(checkFacts(source, executed(undefined), 'default', false)).toBeUndefined();
  });

  it('runs a notebook under a profile only when the profile has a file for it, otherwise as default', () => {
    writeFileSync(join(dir, '05-x.full.json'), '{ "profile": "full", "seedStudy": true }');
    expect(profileOf(source, { profile: 'full' })).toBe('full');
    expect(parametersFor(source, { notebooks: [], profile: 'full' })).toEqual({ profile: 'full', seedStudy: true });
    const other = join(dir, '06-y.ipynb');
    expect(profileOf(other, { profile: 'full' })).toBe('default');
    expect(parametersFor(other, { notebooks: [], profile: 'full' })).toEqual({});
    expect(profileOf(source, {})).toBe('default');
  });

  it('leaves a notebook without a lock file unlocked, unless asked to make one', () => {
    expect(checkFacts(join(dir, 'unlocked.ipynb'), executed({ testAccuracy: 0.97 }), 'default', false)).toBeUndefined();
  });

  it('writes the lock for the profile on refresh, keeping other profiles, then lists what moved beyond tolerance', () => {
    writeFileSync(lockFile, JSON.stringify({ smoke: { testAccuracy: { value: 0.8, tolerance: { abs: 0.05 } } } }));
    expect(checkFacts(source, executed({ testAccuracy: 0.97, backend: 'wasm', samplesPerSecond: 900 }), 'default', true)).toMatchObject({ refreshed: true, movements: [] });
    const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
    expect(Object.keys(lock)).toEqual(['smoke', 'default']);
    expect(lock.default).toEqual({
      testAccuracy: { value: 0.97, tolerance: { rel: 1e-9 } },
      backend: { value: 'wasm', tolerance: { abs: 0 } },
      samplesPerSecond: { value: 900, tolerance: null },
    });
    expect(checkFacts(source, executed({ testAccuracy: 0.97, backend: 'wasm', samplesPerSecond: 5 }), 'default', false)).toMatchObject({ movements: [] });
    const moved = checkFacts(source, executed({ testAccuracy: 0.95, backend: 'wasm', samplesPerSecond: 5 }), 'default', false);
    expect(moved?.movements).toEqual([{ name: 'testAccuracy', kind: 'moved', locked: 0.97, now: 0.95, tolerance: '±1e-7%' }]);
  });

  it('says when the lock has no entry for the profile, or cannot be read, without failing the run', () => {
    expect(checkFacts(source, executed({ testAccuracy: 0.97 }), 'full', false)?.error).toBe('no "full" profile in the lock: refresh it with --refresh-facts after review');
    writeFileSync(lockFile, '{');
    expect(checkFacts(source, executed({ testAccuracy: 0.97 }), 'default', false)?.error).toMatch(/05-x\.facts\.json: not JSON/);
  });

  it('lists moved figures in the console summary and the HTML index', () => {
    const report: NotebookReport = {
      notebook: source,
      name: '05-x',
      status: 'passed',
      seconds: 1,
      cellsRun: 1,
      codeCells: 1,
      allowedErrors: 0,
      parameters: {},
      facts: { profile: 'default', lockFile, refreshed: false, movements: [{ name: 'testAccuracy', kind: 'moved', locked: 0.97, now: 0.95, tolerance: '±0.01' }] },
    };
    const text = consoleSummary({ startedAt: '', seconds: 1, jobs: 1, server: 'private', notebooks: [report], exitCode: 0 });
    expect(text).toContain(`facts of 05-x (default profile, ${lockFile}):\n  testAccuracy moved: 0.97 → 0.95 (tolerance ±0.01)`);
    const html = indexHtml([report], dir);
    expect(html).toContain('<summary>1 moved (default)</summary><ul><li>testAccuracy moved: 0.97 → 0.95 (tolerance ±0.01)</li></ul>');
    expect(indexHtml([{ ...report, facts: { ...report.facts!, movements: [] } }], dir)).toContain('<td>held (default)</td>');
  });
});
