import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectJupyterPath } from '../../src/paths';

/** Debian's Python, which has jupyter_client, nbconvert and jupyter_kernel_test. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

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
