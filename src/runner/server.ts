/**
 * A private Jupyter Server for one run: 127.0.0.1, a free port, a random token (passed through the
 * environment, never on the command line), the project kernelspec on JUPYTER_PATH and a private
 * runtime folder. `stop()` shuts kernels and server down and waits until the process is gone.
 *
 * Nothing outlives the runner: an exit hook kills the server's process group and its kernels when
 * the runner exits without stop() (a crash); on Linux the server is started through util-linux's
 * `setpriv --pdeathsig SIGTERM`, so a runner killed with SIGKILL still ends it — on SIGTERM
 * Jupyter Server shuts its kernels down before it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { jupyterCommand, setprivCommand } from '../machine';
import { projectJupyterPath } from '../paths';
import { sleep, within } from '../wait';
import { InfrastructureError } from './errors';
import { captureChildLog } from './child-log';

/** Jupyter Server 1.23 answers in 2-5 s here; a cold disk cache on a busy machine can take longer. */
export const SERVER_START_TIMEOUT_MS = 60_000;
/** After POST /api/shutdown the server stops its kernels; it usually exits within a second. */
const SERVER_STOP_GRACE_MS = 8_000;
const POLL_INTERVAL_MS = 150;
/** The command that starts the server: through setpriv where available, so it dies with the runner. */
export function serverCommand(args: string[]): { command: string; args: string[] } {
  const setpriv = process.platform === 'linux' ? setprivCommand() : undefined;
  if (setpriv !== undefined) {
    return { command: setpriv, args: ['--pdeathsig', 'SIGTERM', '--', jupyterCommand(), ...args] };
  }
  return { command: jupyterCommand(), args };
}

export interface ServerEndpoint {
  baseUrl: string;
  token: string;
}

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
}

/** A port the OS says is free now (the server is started with port_retries=0 and retried on a clash). */
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
export async function stopServerProcess(child: ChildProcess, endpoint: ServerEndpoint, graceMs: number = SERVER_STOP_GRACE_MS): Promise<void> {
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

/**
 * Kernels run in their own sessions (jupyter_client starts them so), so killing the server's
 * process group does not reach them. Any process still holding a connection file in this server's
 * private runtime folder is one of its kernels: kill it. Linux (/proc) only; elsewhere a no-op.
 */
export function strayKernelPids(runtimeDir: string): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(runtimeDir)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * The server's token goes in a config file only its user can read, in the server's private runtime
 * folder, never in its environment: kernels inherit the server's environment, so a cell printing
 * `process.env` would publish the token in the executed notebook, its HTML and the logs. Returns the
 * `--config=` argument naming the file (Jupyter Server reads JSON config files).
 */
export function tokenConfigArgument(runtimeDir: string, token: string): string {
  const file = join(runtimeDir, 'llm-price-lab-server-config.json');
  writeFileSync(file, `${JSON.stringify({ ServerApp: { token } })}\n`, { mode: 0o600 });
  return `--config=${file}`;
}

/** This process's environment without `JUPYTER_TOKEN`, for a server (and so its kernels) to inherit. */
export function environmentWithoutToken(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { JUPYTER_TOKEN: _token, ...rest } = env;
  return rest;
}

/** Kills what `strayKernelPids` finds. */
export function killStrays(runtimeDir: string): void {
  for (const pid of strayKernelPids(runtimeDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Starts the server and resolves once `/api/status` answers with the token. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startOnce(options, await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof InfrastructureError
    ? lastError
    : new InfrastructureError(`Jupyter Server could not start: ${String(lastError)}`, { cause: lastError });
}

async function startOnce(options: StartServerOptions, port: number): Promise<RunningServer> {
  const jupyter = jupyterCommand();
  if (isAbsolute(jupyter) && !existsSync(jupyter)) throw new InfrastructureError(`cannot run ${jupyter}: no such file`);
  const token = randomBytes(24).toString('hex');
  const runtimeDir = mkdtempSync(join(tmpdir(), 'llm-price-lab-jupyter-'));
  const jupyterPath = [...(options.jupyterPath ?? []), projectJupyterPath(), process.env.JUPYTER_PATH]
    .filter((p): p is string => Boolean(p))
    .join(delimiter);
  const args = [
    'server',
    '--no-browser',
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${options.rootDir}`,
    '--ServerApp.open_browser=False',
    // The runner bounds what it keeps of a cell's output itself; the server's IOPub rate limit would
    // instead drop output depending on timing, so that a notebook's result would depend on load.
    '--ServerApp.iopub_data_rate_limit=0',
    '--ServerApp.iopub_msg_rate_limit=0',
    // Containers and CI often run as root; the server then refuses to start without this.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    tokenConfigArgument(runtimeDir, token),
  ];
  // Its own process group: a terminal's Ctrl-C reaches the runner only, which then shuts down in order.
  const command = serverCommand(args);
  const child = spawn(command.command, command.args, {
    cwd: options.rootDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...environmentWithoutToken(), JUPYTER_PATH: jupyterPath, JUPYTER_RUNTIME_DIR: runtimeDir },
  });
  const log = captureChildLog(child, 500, options.onLog);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });

  const baseUrl = `http://127.0.0.1:${port}/`;
  // Runs when the runner exits without stop() (a crash, process.exit): synchronous, so only signals.
  const onExit = () => {
    killProcessGroupNow(child.pid);
    killStrays(runtimeDir);
    rmSync(runtimeDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  const unexpectedExit = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) resolve(`the Jupyter server exited unexpectedly (${signal ?? `code ${code}`})`);
    });
  });
  const stop = () => {
    stopping ??= (async () => {
      await stopServerProcess(child, { baseUrl, token });
      killStrays(runtimeDir);
      rmSync(runtimeDir, { recursive: true, force: true });
      process.off('exit', onExit);
    })();
    return stopping;
  };

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  try {
    for (;;) {
      if (spawnError) throw new InfrastructureError(`cannot run ${command.command}: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new InfrastructureError(
          `Jupyter Server exited (${child.exitCode ?? child.signalCode}) before answering: ${log.slice(-5).join(' | ')}`,
          { url: baseUrl },
        );
      }
      if (Date.now() > deadline) {
        throw new InfrastructureError(
          `Jupyter Server did not answer at ${baseUrl} within ${SERVER_START_TIMEOUT_MS / 1000} s`,
          { url: baseUrl },
        );
      }
      try {
        const response = await fetch(`${baseUrl}api/status`, {
          headers: { Authorization: `token ${token}` },
          signal: AbortSignal.timeout(2_000),
        });
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const logLines = (text: string) => log.filter((line) => line.includes(text)).map((line) => line.replace(/^\[\w [^\]]*\]\s*/, ''));
  return { baseUrl, token, pid: child.pid ?? 0, logLines, unexpectedExit, stop };
}
