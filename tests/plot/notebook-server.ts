/**
 * The classic Jupyter Notebook server (Debian's notebook 6.4) for browser tests, started, watched and
 * stopped by the project's Jupyter-process module like every server the project starts: 127.0.0.1,
 * a random token, the project's kernelspec on JUPYTER_PATH, its own config folder and a notebook
 * folder of the test's choosing. Always stopped through `stop()` (kernels first).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startJupyterProcess } from '../../src/jupyter/process';
import { jupyterCommand } from '../../src/machine';

/** Notebook 6.4 starts within seconds; slower than this means it will not start. */
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

/**
 * Starts `jupyter notebook` serving `notebookDir`; `stateDir` holds its config files; kernels come
 * from `jupyterPath` first, then the project's kernelspec folder.
 */
export async function startNotebookServer(notebookDir: string, stateDir: string, jupyterPath: string[] = []): Promise<NotebookServer> {
  const configDir = join(stateDir, 'config');
  mkdirSync(configDir, { recursive: true });
  const server = await startJupyterProcess({
    label: 'jupyter notebook',
    command: jupyterCommand(),
    args: ['notebook', '--no-browser'],
    app: 'NotebookApp',
    rootDir: notebookDir,
    runtimePrefix: 'llm-price-lab-notebook-',
    jupyterPath,
    env: { JUPYTER_CONFIG_DIR: configDir },
    startTimeoutMs: NOTEBOOK_SERVER_START_TIMEOUT_MS,
    stopGraceMs: 8_000,
    logLines: 500,
    startError: (message, context) => new Error(`${message}; server log:\n${context.log.join('\n')}`),
  });
  const baseUrl = server.baseUrl.replace(/\/$/, '');
  return {
    baseUrl,
    token: server.token,
    notebookUrl: (name) => `${baseUrl}/notebooks/${encodeURIComponent(name)}?token=${server.token}`,
    log: () => server.log().join('\n'),
    stop: server.stop,
  };
}
