/** The runner's examples in the README and docs/, run as shown with their output folders in temporary ones. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLock, writeLock } from '../../src/facts';
import { projectRoot } from '../../src/paths';
import { documentedCommand } from './commands';
import { cleanEnv, runShell, substitute } from './run';

/** Two smoke notebooks in parallel, with the server and kernel starts: under a minute idle, more when busy. */
const RUN_TIMEOUT_MS = 300_000;

const dir = mkdtempSync(join(tmpdir(), 'readme-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  notebooks: { name: string; status: string; parameters: Record<string, unknown> }[];
}

describe('the runner as the README shows it', () => {
  it('npm run run-notebooks runs 03 and 04 with smoke parameters and seed 1', async () => {
    const shown = documentedCommand(
      'npm run run-notebooks -- notebooks/03-algorithms.ipynb notebooks/04-math.ipynb --profile smoke -p seed 1 -j 2 -o build/try --junit build/try/junit.xml',
    );
    const out = join(dir, 'try');
    const result = await runShell(substitute(shown, { 'build/try': out }), { env: cleanEnv(), timeoutMs: RUN_TIMEOUT_MS });
    expect(result.code, `${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`).toBe(0);
    expect(result.stdout).toMatch(/2\/2 notebooks passed/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const byName = new Map(report.notebooks.map((n) => [n.name, n]));
    expect([...byName.keys()].sort()).toEqual(['03-algorithms', '04-math']);
    // The smoke file's values, then -p on top: 03's smoke file sets hidden 8 and samples 16, 04's samples 50 and steps 25.
    expect(byName.get('03-algorithms')).toMatchObject({ status: 'passed', parameters: { hidden: 8, samples: 16, seed: 1 } });
    expect(byName.get('04-math')).toMatchObject({ status: 'passed', parameters: { samples: 50, steps: 25, seed: 1 } });
    for (const name of ['03-algorithms', '04-math']) {
      const notebook = JSON.parse(readFileSync(join(out, 'notebooks', `${name}.ipynb`), 'utf8')) as { cells: { metadata: { tags?: string[] }; source: string | string[] }[] };
      const injected = notebook.cells.find((cell) => cell.metadata.tags?.includes('injected-parameters'));
      expect([injected?.source].flat().join('')).toMatch(/const seed = 1;/);
      expect(existsSync(join(out, 'html', `${name}.html`))).toBe(true);
    }
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(2);
    expect(junit).not.toMatch(/<failure/);
  }, RUN_TIMEOUT_MS);

  it('refreshes the facts lock of a notebook for the profile it ran, keeping the other profiles', async () => {
    // A copy of 04 and its files in a folder of its own, so the project's lock is never rewritten.
    const copy = join(dir, 'facts');
    mkdirSync(copy);
    for (const file of ['04-math.ipynb', '04-math.smoke.json', '04-math.facts.json']) copyFileSync(join(projectRoot(), 'notebooks', file), join(copy, file));
    const lockFile = join(copy, '04-math.facts.json');
    const before = readLock(lockFile);
    const firstName = Object.keys(before.smoke!)[0]!;
    writeLock(lockFile, { ...before, smoke: { ...before.smoke!, [firstName]: { value: 'stale', tolerance: before.smoke![firstName]!.tolerance } }, default: { ...before.default!, stale: { value: 1, tolerance: null } } });
    const notebook = join(copy, '04-math.ipynb');
    const out = { '--refresh-facts': `--refresh-facts -o ${join(dir, 'facts-out')} --no-html --progress none` };
    const smoke = await runShell(substitute(documentedCommand('node dist/src/runner/bin.js run notebooks/04-math.ipynb --profile smoke --refresh-facts'), { 'notebooks/04-math.ipynb': notebook, ...out }), {
      env: cleanEnv(),
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(smoke.stdout).toContain(`facts of 04-math: ${lockFile} refreshed for the smoke profile`);
    const afterSmoke = readLock(lockFile);
    // The smoke profile took the run's values (the stale one replaced, its tolerance kept); the default one was left alone.
    expect(afterSmoke.smoke![firstName]).toEqual(before.smoke![firstName]);
    expect(afterSmoke.default!.stale).toEqual({ value: 1, tolerance: null });
    const plain = await runShell(substitute(documentedCommand('node dist/src/runner/bin.js run notebooks/04-math.ipynb --refresh-facts'), { 'notebooks/04-math.ipynb': notebook, ...out }), {
      env: cleanEnv(),
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`facts of 04-math: ${lockFile} refreshed for the default profile`);
    // A value the run no longer has leaves the lock with the refresh.
    expect(readLock(lockFile).default!.stale).toBeUndefined();
    expect(Object.keys(readLock(lockFile).default!)).toEqual(Object.keys(before.default!));
  }, RUN_TIMEOUT_MS);
});
