/**
 * The project's JupyterLab: the front end built in `lab/build` (by `node scripts/setup.mjs --lab`),
 * served by `lab/server.py` (a jupyterlab_server LabServerApp) with Debian's Python, on 127.0.0.1,
 * a token, the project kernelspec on JUPYTER_PATH and a private runtime folder.
 *
 * The server runs in its own process group, so a terminal's Ctrl-C reaches only the caller, which
 * then stops it in order: kernels through the server's shutdown endpoint, then the process group,
 * then any kernel still holding a connection file in the runtime folder. The server also watches
 * its parent and stops itself (and its kernels) when the parent is gone, even after a SIGKILL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ProjectError } from '../errors';
import { labPython } from '../machine';
import { projectJupyterPath, projectRoot } from '../paths';
import { sleep } from '../wait';
import { environmentWithoutToken, freePort, killStrays, stopServerProcess, tokenConfigArgument } from '../runner/server';
import { captureChildLog } from '../runner/child-log';

/** jupyterlab_server answers in 2–5 s here; a cold disk cache on a busy machine can take longer. */
export const LAB_START_TIMEOUT_MS = 90_000;
/** After POST /api/shutdown the server stops its kernels and exits, usually within two seconds. */
const LAB_STOP_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 200;

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
  const port = options.port ?? (await freePort());
  const token = options.token ?? (process.env.JUPYTER_TOKEN || randomBytes(24).toString('hex'));
  const stateDir = options.stateDir ?? join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const runtimeDir = mkdtempSync(join(tmpdir(), 'llm-price-lab-lab-'));
  const jupyterPath = [projectJupyterPath(), process.env.JUPYTER_PATH].filter(Boolean).join(delimiter);
  const args = [
    join(dir, 'server.py'),
    `--LlmPriceLab.state_dir=${stateDir}`,
    `--LlmPriceLab.parent_pid=${process.pid}`,
    `--ServerApp.root_dir=${options.rootDir}`,
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    '--ServerApp.open_browser=False',
    // Containers and CI often run as root; the server then refuses to start without this.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    tokenConfigArgument(runtimeDir, token),
  ];
  const child = spawn(labPython(), args, {
    cwd: options.rootDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...environmentWithoutToken(),
      JUPYTER_PATH: jupyterPath,
      JUPYTER_RUNTIME_DIR: runtimeDir,
      ...(options.isolated ? { JUPYTER_DATA_DIR: join(stateDir, 'data') } : {}),
      // debugpy (imported by Jupyter Server) warns about frozen modules on every start.
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
    },
  });
  const log = captureChildLog(child, 300, options.onLog);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });

  const baseUrl = `http://127.0.0.1:${port}/`;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await stopServerProcess(child, { baseUrl, token }, LAB_STOP_GRACE_MS);
      killStrays(runtimeDir);
      rmSync(runtimeDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + LAB_START_TIMEOUT_MS;
  try {
    for (;;) {
      if (spawnError) throw new LabStartError(`cannot run ${labPython()}: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new LabStartError(`JupyterLab server exited (${child.exitCode ?? child.signalCode}) before answering: ${log.slice(-5).join(' | ')}`, {
          url: baseUrl,
          log: [...log],
        });
      }
      if (Date.now() > deadline) {
        throw new LabStartError(`JupyterLab server did not answer at ${baseUrl} within ${LAB_START_TIMEOUT_MS / 1000} s`, {
          url: baseUrl,
          log: [...log],
        });
      }
      const ok = await fetch(`${baseUrl}api/status`, {
        headers: { Authorization: `token ${token}` },
        signal: AbortSignal.timeout(2_000),
      }).then(
        (response) => response.ok,
        () => false, // not listening yet
      );
      if (ok) break;
      await sleep(POLL_INTERVAL_MS);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, token, url: `${baseUrl}lab?token=${token}`, pid: child.pid ?? 0, runtimeDir, log: () => [...log], stop };
}
