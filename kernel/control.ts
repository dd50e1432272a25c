import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Reply, Router, type Socket } from 'zeromq';
import { endpoint, type Channel, type ConnectionInfo } from './connection';
import { replyTo, type Content, type Sender } from './messages';
import { watchParent, type ParentInfo } from './parent';
import { createInterruptCounter } from './interrupts';
import { createSendQueue } from './sockets';
import { serveStdin, type StdinLinkEnd, type StdinServer } from './stdin-link';
import { createReplayGuard, createSigner, decode, encode } from './wire';
import { ProjectError } from '../src/errors';

/**
 * The control channel and heartbeat run in a worker thread, so they answer while a cell blocks
 * the main thread: `interrupt_request` raises SIGINT in this process, which stops a synchronous
 * loop (V8 checks it during `vm` execution) and abandons a pending top-level await. The same
 * thread watches the kernel's parent process, since the main thread may be busy for ever, and
 * serves the stdin socket, since a cell's `prompt()` blocks the main thread until its answer
 * comes (stdin-link.ts).
 */

export interface ControlData {
  connection: ConnectionInfo;
  sender: Sender;
  kernelInfo: Content;
  parent: ParentInfo;
  /** Shared with the main thread: interrupt requests are counted there before SIGINT (interrupts.ts). */
  interrupts?: SharedArrayBuffer;
  /** The control thread's end of the link to the cell thread's input requests; binds stdin when given. */
  stdin?: StdinLinkEnd;
}

/** What the control thread tells the main thread. */
export type ControlEvent = { type: 'shutdown'; restart: boolean } | { type: 'ready' };

/** If the main thread has not shut down this long after a shutdown_request, the process ends itself. */
export const SHUTDOWN_GRACE_MS = 5_000;
/** Once the parent is gone, the main thread gets this long to shut down before the process ends itself. */
export const PARENT_GONE_GRACE_MS = 1_000;

export function log(line: string): void {
  writeSync(2, `[llm-price-lab kernel] ${line}\n`);
}

/** The control thread could not start or ended without being asked to; the kernel cannot go on. */
export class ControlThreadError extends ProjectError<{ reason: string }> {
  constructor(readonly reason: string) {
    super(reason, { reason });
  }
}

export interface ControlHandlers {
  /** A shutdown was requested on the control channel, or the parent process is gone. */
  onShutdown(restart: boolean): void;
  /** The thread died after it was ready (one-line reason). */
  onFailure(error: ControlThreadError): void;
}

export interface ControlThread {
  /** Resolves once control and heartbeat are bound; rejects with a ControlThreadError if the thread ends first. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the control thread (`workerFile` runs `runControl`); `handlers` run on the main thread.
 */
export function startControlThread(
  data: ControlData,
  handlers: ControlHandlers,
  workerFile: string = join(__dirname, 'control-worker.js'),
): ControlThread {
  const worker = new Worker(workerFile, { workerData: data, transferList: data.stdin ? [data.stdin.port] : [] });
  let closing = false;
  let isReady = false;
  let failed = false;
  let rejectReady: (error: ControlThreadError) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    rejectReady = reject;
    worker.on('message', (event: ControlEvent) => {
      if (event.type === 'ready') {
        isReady = true;
        resolve();
      } else handlers.onShutdown(event.restart);
    });
  });
  const fail = (reason: string): void => {
    if (failed || closing) return;
    failed = true;
    const error = new ControlThreadError(reason);
    if (isReady) handlers.onFailure(error);
    else rejectReady(error);
  };
  // An uncaught error comes first ('error', with its message), then 'exit'.
  worker.on('error', (error) => fail(isReady ? `control thread failed: ${error.message}` : error.message));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      fail(`control thread ended unexpectedly (exit code ${code})`);
      resolve();
    }),
  );
  return {
    ready,
    async close() {
      closing = true;
      // The worker closes its sockets and ends; terminating it with sockets open crashes zeromq.
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), SHUTDOWN_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

const SOCKET_NAMES: Partial<Record<Channel, string>> = { control: 'control', hb: 'heartbeat', stdin: 'stdin' };

/** Binds `socket` to its channel's endpoint; a failure names the socket and the address. */
export async function bindChannel(socket: Socket, connection: ConnectionInfo, channel: Channel): Promise<void> {
  const address = endpoint(connection, channel);
  try {
    await socket.bind(address);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot bind the ${SOCKET_NAMES[channel] ?? channel} socket to ${address}: ${reason}`);
  }
}

/** The worker's body: answers control requests and echoes heartbeats until asked to close. */
export async function runControl(
  data: ControlData,
  post: (event: ControlEvent) => void,
  onCloseRequest: (close: () => void) => void,
): Promise<void> {
  const { connection, sender, kernelInfo } = data;
  const interrupts = data.interrupts ? createInterruptCounter(data.interrupts) : undefined;
  const signer = createSigner(connection.signature_scheme, connection.key);
  const replays = createReplayGuard();
  const control = new Router();
  const heartbeat = new Reply();
  const stdinSocket = data.stdin ? new Router() : undefined;
  try {
    await bindChannel(control, connection, 'control');
    await bindChannel(heartbeat, connection, 'hb');
    if (stdinSocket) await bindChannel(stdinSocket, connection, 'stdin');
  } catch (error) {
    control.close();
    heartbeat.close();
    stdinSocket?.close();
    throw error;
  }
  const stdin: StdinServer | undefined = data.stdin && stdinSocket ? serveStdin(data.stdin, stdinSocket, signer, log) : undefined;
  const stopWatching = watchParent(data.parent, (reason) => {
    log(`${reason}; shutting down`);
    stdin?.abandon();
    post({ type: 'shutdown', restart: false });
    setTimeout(() => process.kill(process.pid, 'SIGTERM'), PARENT_GONE_GRACE_MS).unref();
  });
  onCloseRequest(() => {
    stopWatching();
    stdin?.close();
    control.close();
    heartbeat.close();
  });
  post({ type: 'ready' });
  void (async () => {
    for await (const frames of heartbeat) await heartbeat.send(frames);
  })().catch((error: unknown) => {
    if (!heartbeat.closed) log(`heartbeat failed: ${String(error)}`);
  });
  const queue = createSendQueue(control, (error) => log(`control send failed: ${String(error)}`));
  for await (const frames of control) {
    const decoded = decode(frames, signer, replays);
    if (decoded.kind !== 'ok') {
      log(`control: message dropped: ${decoded.reason}`);
      continue;
    }
    const request = decoded.message;
    const reply = (msgType: string, content: Content) => queue.send(encode(replyTo(sender, request, msgType, content), signer));
    switch (request.header.msg_type) {
      case 'kernel_info_request':
        await reply('kernel_info_reply', kernelInfo);
        break;
      case 'interrupt_request':
        interrupts?.raise();
        // A cell waiting for input (blocked in prompt(), or awaiting input()) is woken with the
        // interrupt through the stdin link, and only so: a SIGINT as well would arrive as the cell
        // ends and could stop the next one.
        if (stdin?.interrupt() !== true) process.kill(process.pid, 'SIGINT');
        await reply('interrupt_reply', { status: 'ok' });
        break;
      case 'shutdown_request': {
        const restart = request.content.restart === true;
        await reply('shutdown_reply', { status: 'ok', restart });
        stdin?.abandon();
        post({ type: 'shutdown', restart });
        setTimeout(() => process.kill(process.pid, 'SIGTERM'), SHUTDOWN_GRACE_MS).unref();
        break;
      }
      default:
        log(`control: unknown message type ${JSON.stringify(request.header.msg_type)} ignored`);
    }
  }
}
