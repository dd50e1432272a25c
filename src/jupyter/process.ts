/**
 * The life of a Jupyter server process that the project starts (the runner's private Jupyter
 * Server, the JupyterLab of `npm run lab`, the servers of the tests), in one place:
 *
 * - **Start.** 127.0.0.1 and a free port (or the one asked for), a token written to a config file
 *   only its user can read (never on the command line, never in the environment its kernels
 *   inherit), the project's kernelspec on JUPYTER_PATH, and a private runtime folder: every kernel's
 *   command line names its connection file there, which is how its kernels are found later.
 * - **Readiness.** `/api/status` answers with the token; an exit, a spawn error or the deadline
 *   before that is the caller's typed error, with the server's last log lines.
 * - **Stop.** `POST /api/shutdown` (the server stops its kernels, then exits), a grace period,
 *   SIGTERM and SIGKILL to its process group, then any kernel still holding a connection file in the
 *   runtime folder (kernels run in sessions of their own, out of the server's group).
 * - **Parent death.** The server runs in its own process group, so a terminal's Ctrl-C reaches only
 *   the caller, which then stops it in order. If the caller exits without stopping it, an exit hook
 *   kills the group and the kernels; if the caller is killed outright (SIGKILL), util-linux's
 *   `setpriv --pdeathsig SIGTERM` (Linux) gives the server SIGTERM, on which Jupyter shuts its
 *   kernels down. A kernel watching its own server (`kernel/parent.ts`, through Jupyter's
 *   `JPY_PARENT_PID`) is the other half: it is started by jupyter_client, not by the project.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { setprivCommand } from '../machine';
import { projectJupyterPath } from '../paths';
import { captureChildLog } from './child-log';
import { sleep, within } from '../wait';
import { listProcesses } from './process-table';

export interface ServerEndpoint {
  baseUrl: string;
  token: string;
}

/** A port the OS says is free now (servers are started with port_retries=0 and retried on a clash). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * `command args` started so that it gets SIGTERM when the process that started it dies, even by
 * SIGKILL (through setpriv on Linux; elsewhere as given, and the exit hook is all there is).
 */
export function withParentDeathSignal(command: string, args: readonly string[]): { command: string; args: string[] } {
  const setpriv = process.platform === 'linux' ? setprivCommand() : undefined;
  return setpriv === undefined ? { command, args: [...args] } : { command: setpriv, args: ['--pdeathsig', 'SIGTERM', '--', command, ...args] };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * SIGKILL to the process group that `pid` leads, synchronously (exit hooks). Does nothing without a
 * positive pid: `kill(-0)` would signal the caller's own group. True when the signal was sent.
 */
export function killProcessGroupNow(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false; // the group is gone already
  }
}

/**
 * Stops a Jupyter server process and resolves once it is gone: POST /api/shutdown with the token
 * (the server stops its kernels, then exits), a grace period, then SIGTERM and SIGKILL to its process
 * group, or to the process itself when it was not started in a group of its own.
 */
export async function stopServerProcess(child: ChildProcess, endpoint: ServerEndpoint, graceMs: number): Promise<void> {
  // No pid: it never started (and -0 would signal this process's own group).
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  let accepted = false;
  try {
    const response = await fetch(`${endpoint.baseUrl.replace(/\/?$/, '/')}api/shutdown`, {
      method: 'POST',
      headers: { Authorization: `token ${endpoint.token}` },
      signal: AbortSignal.timeout(3_000),
    });
    accepted = response.ok;
  } catch {
    // The server may already be going down; the signals below make sure it does.
  }
  // On SIGTERM the server also shuts its kernels down, so a refused request costs no wait.
  if (accepted) await within(exited(child), graceMs);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      process.kill(-pid, signal);
    } catch {
      child.kill(signal);
    }
    await within(exited(child), 3_000);
  }
}

/** Processes still holding a connection file in this server's private runtime folder: its kernels. */
export function strayKernelPids(runtimeDir: string): number[] {
  return listProcesses()
    .filter((p) => p.command.includes(runtimeDir))
    .map((p) => p.pid);
}

/** Kills what `strayKernelPids` finds, without waiting (exit hooks); returns the pids signalled. */
export function killStrays(runtimeDir: string): number[] {
  const pids = strayKernelPids(runtimeDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/**
 * Kills what `strayKernelPids` finds and resolves once the process table no longer lists them (a
 * SIGKILLed process on a loaded machine runs on for a moment), or after `ms`.
 */
export async function stopStrays(runtimeDir: string, ms = 5_000): Promise<void> {
  const pids = new Set(killStrays(runtimeDir));
  const deadline = Date.now() + ms;
  while (pids.size > 0 && Date.now() < deadline) {
    const running = new Set(listProcesses().map((p) => p.pid));
    for (const pid of pids) if (!running.has(pid)) pids.delete(pid);
    if (pids.size > 0) await sleep(20);
  }
}

/**
 * The server's token goes in a config file only its user can read, in the server's private runtime
 * folder, never in its environment: kernels inherit the server's environment, so a cell printing
 * `process.env` would publish the token in the executed notebook, its HTML and the logs. Returns the
 * `--config=` argument naming the file (Jupyter Server reads JSON config files).
 */
export function tokenConfigArgument(runtimeDir: string, token: string, app: JupyterApp = 'ServerApp'): string {
  const file = join(runtimeDir, 'llm-price-lab-server-config.json');
  writeFileSync(file, `${JSON.stringify({ [app]: { token } })}\n`, { mode: 0o600 });
  return `--config=${file}`;
}

/** This process's environment without `JUPYTER_TOKEN`, for a server (and so its kernels) to inherit. */
export function environmentWithoutToken(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { JUPYTER_TOKEN: _token, ...rest } = env;
  return rest;
}

/**
 * The application the server settings go to: Jupyter Server's `ServerApp` (Jupyter Server, JupyterLab,
 * Notebook 7), or the classic Notebook 6's own `NotebookApp`.
 */
export type JupyterApp = 'ServerApp' | 'NotebookApp';

export interface JupyterProcessOptions {
  /** What is started, for messages: `Jupyter Server`, `JupyterLab server`. */
  readonly label: string;
  /** The program (`jupyter`, a Python) and its arguments before the server settings this module adds. */
  readonly command: string;
  readonly args: readonly string[];
  /** Default `ServerApp`. */
  readonly app?: JupyterApp;
  /** Folder the server serves, and its working folder. */
  readonly rootDir: string;
  /** Port on 127.0.0.1; default: a free one. */
  readonly port?: number;
  /** Default: a fresh random one. */
  readonly token?: string;
  /** Prefix of the private runtime folder's name in the temp folder. */
  readonly runtimePrefix: string;
  /** JUPYTER_PATH entries before the project's kernelspec folder and the caller's JUPYTER_PATH. */
  readonly jupyterPath?: readonly string[];
  /** More environment for the server (and so its kernels). */
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs: number;
  readonly stopGraceMs: number;
  /** Lines of the server's log kept for messages and look-ups. */
  readonly logLines: number;
  readonly onLog?: (line: string) => void;
  /** The caller's typed error for a start that failed. */
  startError(message: string, context: { url: string; log: string[] }): Error;
}

export interface JupyterProcess extends ServerEndpoint {
  /** Process id (and process group id) of the server. */
  readonly pid: number;
  /** The server's private runtime folder. */
  readonly runtimeDir: string;
  /** The last lines the server logged, oldest first. */
  log(): string[];
  /** Resolves with a one-line reason if the server exits without stop() (never otherwise). */
  readonly unexpectedExit: Promise<string>;
  /** Stops kernels and server, and removes the runtime folder; safe to call more than once. */
  stop(): Promise<void>;
}

const POLL_INTERVAL_MS = 150;

/** Starts a Jupyter server process and resolves once `/api/status` answers with the token. */
export async function startJupyterProcess(options: JupyterProcessOptions): Promise<JupyterProcess> {
  // Through setpriv a missing program is only setpriv's exit code 127: say it plainly first.
  if (isAbsolute(options.command) && !existsSync(options.command)) throw options.startError(`cannot run ${options.command}: no such file`, { url: '', log: [] });
  const port = options.port ?? (await freePort());
  const token = options.token ?? randomBytes(24).toString('hex');
  const runtimeDir = mkdtempSync(join(tmpdir(), options.runtimePrefix));
  const jupyterPath = [...(options.jupyterPath ?? []), projectJupyterPath(), process.env.JUPYTER_PATH].filter(Boolean).join(delimiter);
  const app = options.app ?? 'ServerApp';
  const command = withParentDeathSignal(options.command, [
    ...options.args,
    `--${app}.ip=127.0.0.1`,
    `--${app}.port=${port}`,
    `--${app}.port_retries=0`,
    `--${app}.${app === 'ServerApp' ? 'root_dir' : 'notebook_dir'}=${options.rootDir}`,
    `--${app}.open_browser=False`,
    // Containers and CI often run as root; the server then refuses to start without this.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    tokenConfigArgument(runtimeDir, token, app),
  ]);
  const child = spawn(command.command, command.args, {
    cwd: options.rootDir,
    // Its own process group: a terminal's Ctrl-C reaches the caller only, which then stops it in order.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...environmentWithoutToken(), ...options.env, JUPYTER_PATH: jupyterPath, JUPYTER_RUNTIME_DIR: runtimeDir },
  });
  const log = captureChildLog(child, options.logLines, options.onLog);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });

  const baseUrl = `http://127.0.0.1:${port}/`;
  // Runs when the caller exits without stop() (a crash, process.exit): synchronous, so only signals.
  const onExit = () => {
    killProcessGroupNow(child.pid);
    killStrays(runtimeDir);
    rmSync(runtimeDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  const unexpectedExit = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) resolve(`the ${options.label} exited unexpectedly (${signal ?? `code ${code}`})`);
    });
  });
  const stop = () => {
    stopping ??= (async () => {
      await stopServerProcess(child, { baseUrl, token }, options.stopGraceMs);
      await stopStrays(runtimeDir);
      rmSync(runtimeDir, { recursive: true, force: true });
      process.off('exit', onExit);
    })();
    return stopping;
  };

  const deadline = Date.now() + options.startTimeoutMs;
  try {
    for (;;) {
      if (spawnError) throw options.startError(`cannot run ${options.command}: ${spawnError.message}`, { url: baseUrl, log: [...log] });
      if (child.exitCode !== null || child.signalCode !== null) {
        throw options.startError(`${options.label} exited (${child.exitCode ?? child.signalCode}) before answering: ${log.slice(-5).join(' | ')}`, { url: baseUrl, log: [...log] });
      }
      if (Date.now() > deadline) {
        throw options.startError(`${options.label} did not answer at ${baseUrl} within ${options.startTimeoutMs / 1000} s`, { url: baseUrl, log: [...log] });
      }
      const ready = await fetch(`${baseUrl}api/status`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false, // not listening yet
      );
      if (ready) break;
      await sleep(POLL_INTERVAL_MS);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, token, pid: child.pid ?? 0, runtimeDir, log: () => [...log], unexpectedExit, stop };
}
