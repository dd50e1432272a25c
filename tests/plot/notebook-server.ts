/**
 * The classic Jupyter Notebook server (Debian's notebook 6.4) for browser tests: on 127.0.0.1 with a
 * random token, the project's kernelspec on JUPYTER_PATH, its own config and runtime folders, and a
 * notebook folder of the test's choosing. Always stopped through `stop()` (kernels first).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jupyterCommand, projectJupyterPath } from '../../src/paths';
import { freePort, stopServerProcess } from '../../src/runner/server';

/** Notebook 6.4 starts in 2–5 s here; slower than this means it will not start. */
export const NOTEBOOK_SERVER_START_TIMEOUT_MS = 60_000;

export interface NotebookServer {
  baseUrl: string;
  token: string;
  /** `url` of a notebook page with the token, e.g. `notebookUrl('charts.ipynb')`. */
  notebookUrl(name: string): string;
  /** Server log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} within ${timeoutMs} ms; server log:\n${log()}`);
}

/**
 * Starts `jupyter notebook` serving `notebookDir`; `stateDir` holds its config and runtime files;
 * kernels come from `jupyterPath` (default: the project's kernelspec folder).
 */
export async function startNotebookServer(
  notebookDir: string,
  stateDir: string,
  jupyterPath: string = projectJupyterPath(),
): Promise<NotebookServer> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const configDir = join(stateDir, 'config');
  const runtimeDir = join(stateDir, 'runtime');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(runtimeDir, { recursive: true });
  const child = spawn(
    jupyterCommand(),
    [
      'notebook',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${notebookDir}`,
      // CI containers run as root; the server refuses to start as root without this.
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    {
      env: { ...process.env, JUPYTER_PATH: jupyterPath, JUPYTER_CONFIG_DIR: configDir, JUPYTER_RUNTIME_DIR: runtimeDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const log = () => output;
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = (path: string, init?: RequestInit) => fetch(`${baseUrl}${path}${path.includes('?') ? '&' : '?'}token=${token}`, init);

  // Kernels first (the server's shutdown endpoint stops them), then the server itself.
  const stop = (): Promise<void> => stopServerProcess(child, { baseUrl, token });

  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`jupyter notebook exited with ${child.exitCode}:\n${output}`);
        const response = await api('/api/kernelspecs').catch(() => undefined);
        return response?.ok === true;
      },
      NOTEBOOK_SERVER_START_TIMEOUT_MS,
      'jupyter notebook did not answer',
      log,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    baseUrl,
    token,
    notebookUrl: (name) => `${baseUrl}/notebooks/${encodeURIComponent(name)}?token=${token}`,
    log,
    stop,
  };
}
