/**
 * Kernel lifecycle through `@jupyterlab/services`, as JupyterLab does it: a notebook session on the
 * server (so the kernel's working directory is the notebook's folder), a websocket kernel
 * connection, and a watch on the kernel's status to tell a death from an ordinary restart.
 */
import {
  KernelAPI,
  KernelConnection,
  KernelSpecAPI,
  ServerConnection,
  SessionAPI,
  type Kernel,
  type KernelMessage,
} from '@jupyterlab/services';
import WebSocket from 'ws';
import { orTimeout, sleep } from '../wait';
import { InfrastructureError, RunnerInputError, errorMessage } from './errors';
import type { ServerEndpoint } from './server';
import { madeByServices, openServicesConsole, type ServicesLogSink } from './services-console';

/**
 * The project kernel answers kernel_info in about a second; a busy 2-core machine needs more room. And
 * a kernel can lose a port to another process between the server choosing it and the kernel binding
 * it ("Address already in use"): the server then waits 60 s for its first kernel_info before it
 * restarts the kernel on new ports, which answers after that. The wait leaves room for both.
 */
export const KERNEL_READY_TIMEOUT_MS = 150_000;
/**
 * services sends one kernel_info request when its websocket connects; on a loaded machine that one
 * can go unanswered (it reached the kernel before the kernel could take it), which left `info`
 * pending for the whole ready timeout. Ask again this often until one is answered.
 */
const KERNEL_INFO_RETRY_MS = 10_000;
/** A restart after a kernel death takes the server 1-3 s; deletes are retried meanwhile. */
const SHUTDOWN_ATTEMPTS = 12;
const SHUTDOWN_RETRY_MS = 500;

export function serverSettings(endpoint: ServerEndpoint): ServerConnection.ISettings {
  const baseUrl = endpoint.baseUrl.endsWith('/') ? endpoint.baseUrl : `${endpoint.baseUrl}/`;
  return ServerConnection.makeSettings({
    baseUrl,
    wsUrl: baseUrl.replace(/^http/, 'ws'),
    token: endpoint.token,
    appendToken: true,
    // Node 20 has fetch but no global WebSocket; `ws` implements the same client interface.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
}

/** The kernel names the server offers. */
export async function availableKernels(settings: ServerConnection.ISettings): Promise<string[]> {
  try {
    const specs = await KernelSpecAPI.getSpecs(settings);
    return Object.keys(specs.kernelspecs);
  } catch (error) {
    throw new InfrastructureError(`cannot list kernels at ${settings.baseUrl}: ${errorMessage(error)}`, {
      url: settings.baseUrl,
      cause: error,
    });
  }
}

/** Checks a notebook's kernel name against the server's kernelspecs (exit 2 when unknown). */
export function checkKernelName(notebook: string, kernelName: string, available: string[]): void {
  if (!available.includes(kernelName)) {
    throw new RunnerInputError(
      `${notebook}: unknown kernel '${kernelName}' (the server offers: ${available.join(', ') || 'none'})`,
      { file: notebook },
    );
  }
}

/** Kernel statuses that mean the kernel process went away without us asking. */
const DEATH_STATUSES: ReadonlySet<KernelMessage.Status> = new Set(['autorestarting', 'dead']);

export interface KernelSession {
  readonly kernel: Kernel.IKernelConnection;
  /** The kernel's id on the server (names it in the server's log). */
  readonly kernelId: string;
  /** Resolves with the server's account of a death; replaced after each restart we ask for. */
  died(): Promise<string>;
  /** Interrupts the kernel (message or signal, as its kernelspec says). */
  interrupt(): Promise<void>;
  /** Restarts the kernel and waits until it answers again. */
  restart(): Promise<void>;
  /** Deletes the session and its kernel; safe to call more than once. */
  shutdown(): Promise<void>;
}


/** Resolves once the kernel has answered a kernel_info request, asking again while none is answered. */
export async function kernelReady(
  kernel: Pick<Kernel.IKernelConnection, 'info' | 'requestKernelInfo'>,
  what: string,
  timing: { readyMs: number; retryMs: number } = { readyMs: KERNEL_READY_TIMEOUT_MS, retryMs: KERNEL_INFO_RETRY_MS },
): Promise<void> {
  const deadline = Date.now() + timing.readyMs;
  for (;;) {
    const wait = Math.min(timing.retryMs, deadline - Date.now());
    try {
      await orTimeout(kernel.info, wait, what);
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`${what} did not happen within ${timing.readyMs / 1000} s`, { cause: error });
      // Its reply resolves `kernel.info`; a failure to send shows as the next wait running out.
      kernel.requestKernelInfo().catch(() => undefined);
    }
  }
}

/** services' connection notices: on stderr with LLM_PRICE_LAB_DEBUG=1 (the runner's debug output), else dropped. */
function debugLog(line: string): void {
  if (process.env.LLM_PRICE_LAB_DEBUG) process.stderr.write(`llm-price-lab debug: ${line}\n`);
}

export interface KernelSessionOptions {
  path: string;
  name: string;
  kernelName: string;
  /**
   * Where the console lines services writes for this kernel's connection go (`Starting WebSocket:
   * …`, reconnect notices); default: the runner's debug output. See services-console.ts.
   */
  servicesLog?: ServicesLogSink;
}

/**
 * Starts a kernel for the notebook at `path` (relative to the server's root) and waits until it
 * answers kernel_info. Throws InfrastructureError when it cannot start.
 */
export async function startKernelSession(settings: ServerConnection.ISettings, options: KernelSessionOptions): Promise<KernelSession> {
  const quiet = openServicesConsole(options.servicesLog ?? debugLog);
  try {
    const session = await quiet.run(() => connectKernelSession(settings, options));
    // Every call into the connection runs in the scope, so that what it schedules does too.
    const shutdown = () => quiet.run(() => session.shutdown()).finally(() => quiet.close());
    return {
      ...session,
      interrupt: () => quiet.run(() => session.interrupt()),
      restart: () => quiet.run(() => session.restart()),
      shutdown,
    };
  } catch (error) {
    quiet.close();
    throw error;
  }
}

async function connectKernelSession(settings: ServerConnection.ISettings, options: KernelSessionOptions): Promise<KernelSession> {
  let model: Awaited<ReturnType<typeof SessionAPI.startSession>>;
  try {
    model = await SessionAPI.startSession(
      { path: options.path, name: options.name, type: 'notebook', kernel: { name: options.kernelName } },
      settings,
    );
  } catch (error) {
    throw new InfrastructureError(`kernel '${options.kernelName}' could not start: ${errorMessage(error)}`, {
      url: settings.baseUrl,
      notebook: options.path,
      cause: error,
    });
  }
  if (!model.kernel) {
    throw new InfrastructureError(`the server started no kernel for ${options.path}`, { notebook: options.path });
  }
  const kernel = new KernelConnection({ model: model.kernel, serverSettings: settings, handleComms: false });
  let restarting = false;
  // Until the kernel first answers, a restart by the server is part of its start (see KERNEL_READY_TIMEOUT_MS).
  let starting = true;
  let reportDeath: (message: string) => void = () => {};
  let death = new Promise<string>((resolve) => (reportDeath = resolve));
  kernel.statusChanged.connect((_, status) => {
    if (restarting || starting) return;
    if (DEATH_STATUSES.has(status)) {
      reportDeath(`the server reported the kernel '${status}' (its process exited)`);
    }
  });
  kernel.connectionStatusChanged.connect((_, status) => {
    if (!restarting && status === 'disconnected' && !kernel.isDisposed) {
      reportDeath('the kernel websocket was closed by the server');
    }
  });

  let closed: Promise<void> | undefined;
  const shutdown = () => {
    closed ??= (async () => {
      try {
        // The server cannot delete a kernel while it auto-restarts after a death (jupyter_client
        // raises InvalidStateError until the restart completes): retry for a few seconds.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await SessionAPI.shutdownSession(model.id, settings);
            break;
          } catch (error) {
            const gone = error instanceof ServerConnection.ResponseError && error.response.status === 404;
            // An unreachable server will not become reachable by retrying.
            const unreachable = error instanceof ServerConnection.NetworkError;
            if (gone || unreachable || attempt >= SHUTDOWN_ATTEMPTS) throw error;
            await sleep(SHUTDOWN_RETRY_MS);
          }
        }
      } catch {
        // Last resort: the kernel alone (the private server's stop also kills what is left).
        await KernelAPI.shutdownKernel(kernel.id, settings).catch(() => undefined);
      } finally {
        kernel.dispose();
      }
    })();
    return closed;
  };

  try {
    await kernelReady(kernel, `kernel '${options.kernelName}' ready`);
    starting = false;
  } catch (error) {
    await shutdown();
    throw new InfrastructureError(`kernel '${options.kernelName}' did not answer: ${errorMessage(error)}`, {
      notebook: options.path,
      cause: error,
    });
  }

  return {
    kernel,
    kernelId: kernel.id,
    died: () => death,
    interrupt: () => kernel.interrupt(),
    async restart() {
      restarting = true;
      try {
        await kernel.restart();
        await kernelReady(kernel, 'kernel ready after restart');
      } finally {
        restarting = false;
        death = new Promise<string>((resolve) => (reportDeath = resolve));
      }
    },
    shutdown,
  };
}

/**
 * A rejection `@jupyterlab/services` leaves unhandled when a kernel dies or is disposed while it
 * reconnects (its own fire-and-forget promises: "Kernel connection disconnected", "Canceled future
 * for …"). Recognised by where the error was made, the first frame of its stack lying in services'
 * own files, not by its wording. They carry nothing the runner has not already recorded through the
 * kernel's status.
 */
export function isServicesRejection(reason: unknown): boolean {
  return reason instanceof Error && madeByServices(reason.stack);
}

/**
 * While `work` runs, swallows services' own rejections (`isServicesRejection`). Any other unhandled
 * rejection is a bug: it is passed to `onUnexpected` (which should stop the work, e.g. abort it) instead of
 * crashing the process past every cleanup, and thrown once `work` has settled.
 */
export async function withServicesRejectionsHandled<T>(
  work: () => Promise<T>,
  onUnexpected: (error: Error) => void,
): Promise<T> {
  let unexpected: Error | undefined;
  const handler = (reason: unknown) => {
    if (isServicesRejection(reason)) return;
    const error = reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`);
    if (!unexpected) {
      unexpected = error;
      onUnexpected(error);
    }
  };
  process.on('unhandledRejection', handler);
  try {
    const result = await work().catch((error: unknown) => {
      throw unexpected ?? error;
    });
    if (unexpected) throw unexpected;
    return result;
  } finally {
    // Late rejections from connections disposed at the very end arrive on the next ticks.
    await sleep(50);
    process.off('unhandledRejection', handler);
  }
}
