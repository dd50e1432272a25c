/**
 * A private Jupyter Server for one run: Jupyter Server's `jupyter server` with the output limits the
 * runner needs, started, watched and stopped by `src/jupyter/process.ts` (127.0.0.1, a free port, a
 * token kept out of the command line and the environment, the project kernelspec, a private runtime
 * folder, and nothing left behind when the runner stops, crashes or is killed).
 */
import { startJupyterProcess, type ServerEndpoint } from '../jupyter/process';
import { jupyterCommand } from '../machine';
import { InfrastructureError } from './errors';

export type { ServerEndpoint } from '../jupyter/process';

/** Jupyter Server answers within seconds; a cold disk cache on a busy machine can take much longer. */
export const SERVER_START_TIMEOUT_MS = 60_000;
/** After POST /api/shutdown the server stops its kernels; it usually exits within a second. */
const SERVER_STOP_GRACE_MS = 8_000;

export interface RunningServer extends ServerEndpoint {
  /** Process id of the server (for diagnostics and tests). */
  pid: number;
  /** The server's recent log lines that mention `text` (e.g. a kernel id), oldest first. */
  logLines(text: string): string[];
  /** Resolves with a one-line reason if the server process exits without stop() (never otherwise). */
  unexpectedExit: Promise<string>;
  /** Stops kernels and server; safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** Folder the server serves; sessions' paths are relative to it. */
  rootDir: string;
  /** Extra JUPYTER_PATH entries, first wins; the project's kernelspec folder is always included. */
  jupyterPath?: string[];
  /** Lines of the server's own log, for diagnostics. */
  onLog?(line: string): void;
  /** More environment for the server, and so for its kernels. */
  env?: NodeJS.ProcessEnv;
}

/** Starts the server (on a fresh free port up to three times, as another process may take one) and resolves once it answers. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const jupyter = jupyterCommand();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const server = await startJupyterProcess({
        label: 'Jupyter Server',
        command: jupyter,
        args: [
          'server',
          '--no-browser',
          // The runner bounds what it keeps of a cell's output itself; the server's IOPub rate limit would
          // instead drop output depending on timing, so that a notebook's result would depend on load.
          '--ServerApp.iopub_data_rate_limit=0',
          '--ServerApp.iopub_msg_rate_limit=0',
        ],
        rootDir: options.rootDir,
        runtimePrefix: 'llm-price-lab-jupyter-',
        ...(options.jupyterPath ? { jupyterPath: options.jupyterPath } : {}),
        startTimeoutMs: SERVER_START_TIMEOUT_MS,
        stopGraceMs: SERVER_STOP_GRACE_MS,
        logLines: 500,
        ...(options.onLog ? { onLog: options.onLog } : {}),
        ...(options.env ? { env: options.env } : {}),
        startError: (message, context) => new InfrastructureError(message, { url: context.url }),
      });
      const logLines = (text: string) =>
        server
          .log()
          .filter((line) => line.includes(text))
          .map((line) => line.replace(/^\[\w [^\]]*\]\s*/, ''));
      return { baseUrl: server.baseUrl, token: server.token, pid: server.pid, logLines, unexpectedExit: server.unexpectedExit, stop: server.stop };
    } catch (error) {
      lastError = error;
      if (error instanceof InfrastructureError && error.message.endsWith(': no such file')) break;
    }
  }
  throw lastError instanceof InfrastructureError
    ? lastError
    : new InfrastructureError(`Jupyter Server could not start: ${String(lastError)}`, { cause: lastError });
}
