import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { SYSTEM_PYTHON, isolatedJupyterEnv } from './jupyter-env';

/** The official jupyter_kernel_test suite (Debian python3-jupyter-kernel-test 0.4.5). */
describe('jupyter_kernel_test conformance suite', () => {
  const jupyter = isolatedJupyterEnv();
  afterAll(() => jupyter.dispose());

  it('passes every test the kernel has samples for', () => {
    const root = projectRoot();
    const run = spawnSync(SYSTEM_PYTHON, ['-m', 'unittest', '-v', 'conformance'], {
      cwd: join(root, 'tests', 'kernel'),
      env: jupyter.env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    const report = run.stderr;
    const ran = /^Ran (\d+) tests?/m.exec(report);
    const skipped = /skipped=(\d+)/.exec(report);
    console.log(`jupyter_kernel_test: ran ${ran?.[1]}, skipped ${skipped?.[1] ?? 0}`);
    expect(report).toMatch(/^OK/m);
    expect(run.status).toBe(0);
    expect(Number(ran?.[1])).toBe(12);
    // Only the pager test has no TypeScript counterpart (IPython's `?` help); nothing else is skipped.
    expect(report.match(/skipped/g) ?? []).toHaveLength(skipped ? 2 : 0);
    expect(report).toMatch(/test_pager .*skipped/);
  }, 300_000);
});
