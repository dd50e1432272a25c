import { inspect } from 'node:util';
import { Publisher, Router } from 'zeromq';
import { endpoint, type ConnectionInfo } from './connection';
import { log, startControlThread } from './control';
import { createCellRunner } from './execution';
import { createHistory } from './history';
import { kernelInfo } from './kernelinfo';
import { createSender, makeHeader, replyTo, type Content, type Message } from './messages';
import { createOutputRouter } from './output';
import { createShellHandlers, createShellQueue } from './shell';
import { createSendQueue } from './sockets';
import { createSigner, decode, encode } from './wire';

export interface KernelOptions {
  connection: ConnectionInfo;
  /** Folder cells run in and resolve imports from (Jupyter starts kernels in the notebook's folder). */
  rootDir: string;
}

export interface RunningKernel {
  /** Resolves when the kernel has shut down (by request or `shutdown()`). */
  closed: Promise<void>;
  shutdown(restart: boolean): Promise<void>;
}

/** When no kernel_info_request comes, the compiler is created this long after start. */
const WARM_UP_DELAY_MS = 1_000;

/** Lets messages that already arrived on a socket reach the queue: two turns of the event loop. */
async function drain(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Binds the kernel's sockets and serves requests until shutdown. */
export async function startKernel({ connection, rootDir }: KernelOptions): Promise<RunningKernel> {
  const sender = createSender();
  const signer = createSigner(connection.signature_scheme, connection.key);
  const info = kernelInfo();
  const iopub = new Publisher();
  const shell = new Router();
  const stdin = new Router();

  let shuttingDown: Promise<void> | undefined;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const shutdown = (restart: boolean): Promise<void> =>
    (shuttingDown ??= (async () => {
      log(`shutting down${restart ? ' for a restart' : ''}`);
      try {
        await iopubQueue.flush();
        await shellQueue.flush();
        restoreOutput();
        runner.close();
        await control.close();
      } finally {
        for (const socket of [iopub, shell, stdin]) socket.close();
        resolveClosed();
      }
    })());

  const control = startControlThread({ connection, sender, kernelInfo: info }, (restart) => void shutdown(restart));
  await Promise.all([
    iopub.bind(endpoint(connection, 'iopub')),
    shell.bind(endpoint(connection, 'shell')),
    stdin.bind(endpoint(connection, 'stdin')),
    control.ready,
  ]);

  const iopubQueue = createSendQueue(iopub, (error) => log(`iopub send failed: ${String(error)}`));
  const shellQueue = createSendQueue(shell, (error) => log(`shell send failed: ${String(error)}`));
  const publish = (msgType: string, content: Content, parent: Message | undefined): void => {
    const topic = Buffer.from(`kernel.${sender.session}.${msgType}`);
    const message: Message = parent
      ? replyTo(sender, parent, msgType, content, [topic])
      : { identities: [topic], header: makeHeader(sender, msgType), parent_header: {}, metadata: {}, content, buffers: [] };
    void iopubQueue.send(encode(message, signer));
  };

  const output = createOutputRouter(publish);
  const restoreOutput = output.install();
  publish('status', { execution_state: 'starting' }, undefined);
  const runner = createCellRunner({ rootDir, log });
  const history = createHistory();
  const handlers = createShellHandlers({ runner, output, history, publish, kernelInfo: info, shutdown });
  const queue = createShellQueue({
    handlers,
    reply: (request, msgType, content) => {
      if (msgType === 'kernel_info_reply') warm();
      return shellQueue.send(encode(replyTo(sender, request, msgType, content), signer));
    },
    status: (state, parent) => publish('status', { execution_state: state }, parent),
    log,
    drain,
  });

  // A SIGINT (from Jupyter in signal mode, or from the control thread) interrupts the running cell.
  const onSigint = () => runner.interrupt();
  process.on('SIGINT', onSigint);
  // Errors from a cell's callbacks after it returned are reported to the cell that is current.
  const onAsyncError = (label: string) => (error: unknown) =>
    output.stream('stderr', `${label}: ${error instanceof Error ? (error.stack ?? error.message) : inspect(error)}\n`);
  process.on('uncaughtException', onAsyncError('Uncaught exception'));
  process.on('unhandledRejection', onAsyncError('Unhandled promise rejection'));

  void (async () => {
    for await (const frames of shell) {
      const decoded = decode(frames, signer);
      if (decoded.kind === 'ok') queue.push(decoded.message);
      else log(`shell: message dropped: ${decoded.reason}`);
    }
  })().catch((error: unknown) => {
    if (!shuttingDown) log(`shell receive failed: ${String(error)}`);
  });
  publish('status', { execution_state: 'idle' }, undefined);
  // Warm the compiler once the first kernel_info reply is on its way (clients wait for it), or
  // after WARM_UP_DELAY_MS if none comes; a cell arriving earlier creates it itself.
  const warmTimer = setTimeout(warm, WARM_UP_DELAY_MS);
  function warm(): void {
    clearTimeout(warmTimer);
    void (async () => {
      await drain();
      await queue.idle();
      await Promise.all([iopubQueue.flush(), shellQueue.flush()]);
      if (!shuttingDown) runner.warm();
    })();
  }
  closed.finally(() => process.off('SIGINT', onSigint));
  return { closed, shutdown };
}
