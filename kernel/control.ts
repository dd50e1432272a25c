import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Reply, Router } from 'zeromq';
import { endpoint, type ConnectionInfo } from './connection';
import { replyTo, type Content, type Sender } from './messages';
import { createSendQueue } from './sockets';
import { createSigner, decode, encode } from './wire';

/**
 * The control channel and heartbeat run in a worker thread, so they answer while a cell blocks
 * the main thread: `interrupt_request` raises SIGINT in this process, which stops a synchronous
 * loop (V8 checks it during `vm` execution) and abandons a pending top-level await.
 */

export interface ControlData {
  connection: ConnectionInfo;
  sender: Sender;
  kernelInfo: Content;
}

/** What the control thread tells the main thread. */
export type ControlEvent = { type: 'shutdown'; restart: boolean } | { type: 'ready' };

/** If the main thread has not shut down this long after a shutdown_request, the process ends itself. */
export const SHUTDOWN_GRACE_MS = 5_000;

export function log(line: string): void {
  writeSync(2, `[llm-price-lab kernel] ${line}\n`);
}

export interface ControlThread {
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Starts the control thread; `onShutdown` runs on the main thread when a shutdown is requested. */
export function startControlThread(data: ControlData, onShutdown: (restart: boolean) => void): ControlThread {
  const worker = new Worker(join(__dirname, 'control-worker.js'), { workerData: data });
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (event: ControlEvent) => {
      if (event.type === 'ready') resolve();
      else onShutdown(event.restart);
    });
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    ready,
    async close() {
      // The worker closes its sockets and ends; terminating it with sockets open crashes zeromq.
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), SHUTDOWN_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The worker's body: answers control requests and echoes heartbeats until terminated. */
export async function runControl(
  data: ControlData,
  post: (event: ControlEvent) => void,
  onCloseRequest: (close: () => void) => void,
): Promise<void> {
  const { connection, sender, kernelInfo } = data;
  const signer = createSigner(connection.signature_scheme, connection.key);
  const control = new Router();
  const heartbeat = new Reply();
  await Promise.all([control.bind(endpoint(connection, 'control')), heartbeat.bind(endpoint(connection, 'hb'))]);
  onCloseRequest(() => {
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
    const decoded = decode(frames, signer);
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
        process.kill(process.pid, 'SIGINT');
        await reply('interrupt_reply', { status: 'ok' });
        break;
      case 'shutdown_request': {
        const restart = request.content.restart === true;
        await reply('shutdown_reply', { status: 'ok', restart });
        post({ type: 'shutdown', restart });
        setTimeout(() => process.kill(process.pid, 'SIGTERM'), SHUTDOWN_GRACE_MS).unref();
        break;
      }
      default:
        log(`control: unknown message type ${JSON.stringify(request.header.msg_type)} ignored`);
    }
  }
}
