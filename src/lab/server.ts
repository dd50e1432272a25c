/**
 * The project's JupyterLab: the front end built in `lab/build` (by `node scripts/setup.mjs --lab`),
 * served by `lab/server.py` (a jupyterlab_server LabServerApp) with Debian's Python, started, watched
 * and stopped by `src/jupyter/process.ts` like every Jupyter server of the project: 127.0.0.1, a
 * token, the project kernelspec, a private runtime folder, its own process group (a terminal's
 * Ctrl-C reaches only the caller, which then stops it in order), and nothing left behind when the
 * caller stops, crashes or is killed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectError } from '../errors';
import { startJupyterProcess } from '../jupyter/process';
import { labPython } from '../machine';
import { projectRoot } from '../paths';

/** jupyterlab_server answers within seconds; a cold disk cache on a busy machine can take much longer. */
export const LAB_START_TIMEOUT_MS = 90_000;
/** After POST /api/shutdown the server stops its kernels and exits, usually within two seconds. */
const LAB_STOP_GRACE_MS = 10_000;

/** The server could not start: missing front-end build or Python package, or it never answered. */
export class LabStartError extends ProjectError<{ url?: string; log?: string[] }> {
  constructor(message: string, context: { url?: string; log?: string[] } = {}) {
    super(message, context);
  }
}

export interface LabOptions {
  /** Folder shown in the file browser; sessions' paths are relative to it. */
  rootDir: string;
  /** Port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Token; default: JUPYTER_TOKEN when set, else a fresh random one. */
  token?: string;
  /** Folder for user settings, workspaces and (with `isolated`) Jupyter's data files. */
  stateDir?: string;
  /** Keep Jupyter's data folder (notebook trust database) inside `stateDir` instead of the user's. */
  isolated?: boolean;
  /** Each line the server logs. */
  onLog?(line: string): void;
}

export interface RunningLab {
  /** `http://127.0.0.1:PORT/` */
  baseUrl: string;
  token: string;
  /** The address to open: `${baseUrl}lab?token=…`. */
  url: string;
  /** Process id (and process group id) of the server. */
  pid: number;
  /** The server's private runtime folder: every kernel's command line names its connection file here. */
  runtimeDir: string;
  /** The last lines the server logged. */
  log(): string[];
  /** Stops kernels and server; safe to call more than once. */
  stop(): Promise<void>;
}

export function labDir(root: string = projectRoot()): string {
  return join(root, 'lab');
}

export async function startLab(options: LabOptions): Promise<RunningLab> {
  const dir = labDir();
  if (!existsSync(join(dir, 'build', 'bundle.js'))) {
    throw new LabStartError(`the JupyterLab front end is not built (${join(dir, 'build')}): run node scripts/setup.mjs --lab`);
  }
  const stateDir = options.stateDir ?? join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const server = await startJupyterProcess({
    label: 'JupyterLab server',
    command: labPython(),
    args: [join(dir, 'server.py'), `--LlmPriceLab.state_dir=${stateDir}`],
    rootDir: options.rootDir,
    ...(options.port !== undefined ? { port: options.port } : {}),
    token: options.token ?? (process.env.JUPYTER_TOKEN || randomBytes(24).toString('hex')),
    runtimePrefix: 'llm-price-lab-lab-',
    env: {
      ...(options.isolated ? { JUPYTER_DATA_DIR: join(stateDir, 'data') } : {}),
      // debugpy (imported by Jupyter Server) warns about frozen modules on every start.
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
    },
    startTimeoutMs: LAB_START_TIMEOUT_MS,
    stopGraceMs: LAB_STOP_GRACE_MS,
    logLines: 300,
    ...(options.onLog ? { onLog: options.onLog } : {}),
    startError: (message, context) => new LabStartError(message, context),
  });
  return { baseUrl: server.baseUrl, token: server.token, url: `${server.baseUrl}lab?token=${server.token}`, pid: server.pid, runtimeDir: server.runtimeDir, log: server.log, stop: server.stop };
}
