import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { SYSTEM_PYTHON, isolatedJupyterEnv } from './jupyter-env';

/** kernel:install / kernel:uninstall against a temporary JUPYTER_DATA_DIR (never the user's). */
describe('kernel:install and kernel:uninstall', () => {
  const jupyter = isolatedJupyterEnv();
  const env: NodeJS.ProcessEnv = { ...jupyter.env, JUPYTER_PATH: '' };
  const dataDir = env.JUPYTER_DATA_DIR!;
  const script = join(projectRoot(), 'dist', 'kernel', 'install.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  // What jupyter_client (the library JupyterLab's server uses) finds: kernel name → folder.
  const listed = (): Record<string, string> =>
    JSON.parse(
      spawnSync(SYSTEM_PYTHON, ['-c', 'import json; from jupyter_client.kernelspec import KernelSpecManager as M; print(json.dumps(M().find_kernel_specs()))'], { env, encoding: 'utf8' }).stdout,
    ) as Record<string, string>;
  afterAll(() => jupyter.dispose());

  it('installs into the Jupyter data dir, where Jupyter lists it, and uninstalls', () => {
    const installed = run('install');
    expect(installed.status, installed.stderr).toBe(0);
    expect(listed()['llm-price-lab']).toBe(join(dataDir, 'kernels', 'llm-price-lab'));
    const spec = JSON.parse(readFileSync(join(dataDir, 'kernels', 'llm-price-lab', 'kernel.json'), 'utf8')) as { argv: string[]; display_name: string; env: unknown };
    expect(spec.display_name).toBe('TypeScript (llm-price-lab)');
    expect(spec.argv[1]).toBe(join(projectRoot(), 'dist', 'kernel', 'main.js'));
    expect(spec.env).toEqual({ NODE_PATH: join(projectRoot(), 'node_modules') });
    expect(run('install').status).toBe(0);
    const removed = run('uninstall');
    expect(removed.status).toBe(0);
    expect(listed()['llm-price-lab']).toBeUndefined();
    expect(run('uninstall').stdout).toMatch(/nothing to remove/);
  });

  it('leaves another kernel of the same name alone', () => {
    const dir = join(dataDir, 'kernels', 'llm-price-lab');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kernel.json'), JSON.stringify({ argv: ['x'], display_name: 'Someone else', language: 'x' }));
    for (const command of ['install', 'uninstall']) {
      const result = run(command);
      expect(result.status).not.toBe(0);
      expect(result.stderr.trim()).toMatch(/belongs to another kernel \("Someone else"\); not touching it$/);
    }
    expect(existsSync(join(dir, 'kernel.json'))).toBe(true);
  });

  it('refuses an unknown command with one line', () => {
    const result = run('frobnicate');
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^kernel: usage: install\.js install\|uninstall/)]);
  });
});
