/** The README's `npm run run-notebooks` example, run as shown with its output folder in a temporary one. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeCommand } from './commands';
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
    const shown = readmeCommand(
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
});
