import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemPython } from '../../src/machine';
import { projectJupyterPath, projectRoot } from '../../src/paths';

/** Debian's Python, which has jupyter_client, nbconvert and jupyter_kernel_test. */
export const SYSTEM_PYTHON = systemPython();

/**
 * An environment in which Jupyter sees the project-local kernelspec and keeps its runtime, data
 * and config files in a temporary folder: the user's own Jupyter is never read or written.
 */
export function isolatedJupyterEnv(): { env: NodeJS.ProcessEnv; dispose(): void } {
  const home = mkdtempSync(join(tmpdir(), 'kernel-jupyter-'));
  return {
    env: {
      ...process.env,
      JUPYTER_PATH: projectJupyterPath(),
      JUPYTER_DATA_DIR: join(home, 'data'),
      JUPYTER_RUNTIME_DIR: join(home, 'runtime'),
      JUPYTER_CONFIG_DIR: join(home, 'config'),
      JUPYTER_PLATFORM_DIRS: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    dispose: () => rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * Runs a jupyter_client driver of this folder (`<name>.py`, whose one argument is a file for the
 * kernel's stderr) in an isolated Jupyter environment, from the kernel fixtures folder, and returns
 * the JSON object it printed. A failing driver throws with its stderr and the kernel's.
 */
export function runDriver(script: string, timeoutMs: number): Record<string, any> {
  const jupyter = isolatedJupyterEnv();
  const dir = mkdtempSync(join(tmpdir(), 'kernel-driver-'));
  try {
    const logFile = join(dir, 'kernel-stderr.log');
    const run = spawnSync(SYSTEM_PYTHON, [join(projectRoot(), 'tests', 'kernel', script), logFile], {
      cwd: join(projectRoot(), 'tests', 'fixtures', 'kernel'),
      env: jupyter.env,
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    const kernelLog = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (run.status !== 0) throw new Error(`${script} failed (${run.status}): ${run.stderr.slice(-3000)}\nkernel: ${kernelLog.slice(-2000)}`);
    return { ...(JSON.parse(run.stdout) as Record<string, any>), kernelLog };
  } finally {
    jupyter.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
