import { Router, XPublisher } from 'zeromq';
import { type ConnectionInfo } from './connection';
import { createComms, type CommExtras } from './comms';
import { bindChannel, log, startControlThread, type ControlThreadError } from './control';
import { createCellRunner } from './execution';
import { createHistory } from './history';
import { createInterruptCounter } from './interrupts';
import { kernelInfo } from './kernelinfo';
import { createSender, makeHeader, replyTo, type Content, type Message } from './messages';
import { createOutputRouter } from './output';
import { parentInfo, type ParentInfo } from './parent';
import { createShellHandlers, createShellQueue } from './shell';
import { createStdin, installInput, PROMPT_DECLARATION } from './stdin';
import { createStdinLink } from './stdin-link';
import { createSendQueue } from './sockets';
import { createUncaughtErrors } from './uncaught';
import { createReplayGuard, createSigner, decode, encode } from './wire';
import { settleOutputs } from '../src/pending';
import { within } from '../src/wait';

export interface KernelOptions {
  connection: ConnectionInfo;
  /** Folder cells run in and resolve imports from (Jupyter starts kernels in the notebook's folder). */
  rootDir: string;
  /** The process whose end ends the kernel (default: from JPY_PARENT_PID and the parent pid). */
  parent?: ParentInfo;
}

export interface RunningKernel {
  /**
   * Resolves when the kernel has shut down (by request, `shutdown()` or its parent ending);
   * rejects with a ControlThreadError once shut down after its control thread died.
   */
  closed: Promise<void>;
  shutdown(restart: boolean): Promise<void>;
}

/** Lets messages that already arrived on a socket reach the queue: two turns of the event loop. */
async function drain(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** How long a shutdown waits for output still being finished (below the control thread's SHUTDOWN_GRACE_MS). */
const SETTLE_AT_SHUTDOWN_MS = 4_000;

/** Binds the kernel's sockets and serves requests until shutdown. */
export async function startKernel({ connection, rootDir, parent = parentInfo() }: KernelOptions): Promise<RunningKernel> {
  const sender = createSender();
  const signer = createSigner(connection.signature_scheme, connection.key);
  const info = kernelInfo();
  // XPUB, so that each new subscriber can be greeted (JEP 65's iopub_welcome): it then knows that the
  // output of what it sends next will reach it. Every subscription is seen, duplicates included.
  const iopub = new XPublisher();
  iopub.verbosity = 'allSubs';
  // Sends complete at once (a PUB socket never blocks: past its high-water mark it drops), so a
  // message is with zeromq when publish returns, even if this thread then blocks in prompt().
  iopub.sendTimeout = 0;
  const shell = new Router();
  // The stdin socket is the control thread's (stdin-link.ts): a prompt() blocks this thread.
  const stdinLink = createStdinLink();

  let shuttingDown: Promise<void> | undefined;
  let failure: ControlThreadError | undefined;
  let resolveClosed: () => void = () => {};
  let rejectClosed: (error: ControlThreadError) => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    resolveClosed = resolve;
    rejectClosed = reject;
  });
  /** What serving installs once the sockets are bound; a shutdown before that has none of it to undo. */
  let serving: { flush(): Promise<void>; restore(): void } | undefined;
  const shutdown = (restart: boolean): Promise<void> =>
    (shuttingDown ??= (async () => {
      log(`shutting down${restart ? ' for a restart' : ''}${serving ? '' : ' before serving'}`);
      try {
        // A chart's image still being drawn goes out first, within the control thread's grace.
        await within(settleOutputs(), SETTLE_AT_SHUTDOWN_MS);
        if (serving) {
          await serving.flush();
          serving.restore();
        }
        runner.close();
        await control.close();
      } finally {
        for (const socket of [iopub, shell]) socket.close();
        stdinLink.asker.close();
        if (failure) rejectClosed(failure);
        else resolveClosed();
      }
    })());

  // The compiler (about a second of CPU) is created by the first request that needs it (execute,
  // complete, inspect), never in the background: a request that needs none (kernel_info, history,
  // is_complete, comm_info) never waits behind it (jupyter console gives its first requests one
  // second), and start to ready stays short.
  const interrupts = createInterruptCounter();
  const control = startControlThread(
    { connection, sender, kernelInfo: info, parent, interrupts: interrupts.buffer, stdin: stdinLink.worker },
    {
      onShutdown: (restart) => void shutdown(restart),
      onFailure(error) {
        failure = error;
        void shutdown(false);
      },
    },
  );
  const runner = createCellRunner({ rootDir, log, interrupts: () => interrupts.count(), globals: PROMPT_DECLARATION });
  const bound = Promise.all([
    bindChannel(iopub, connection, 'iopub'),
    bindChannel(shell, connection, 'shell'),
    control.ready,
  ]);
  try {
    await bound;
  } catch (error) {
    // A shutdown while binding (the parent gone, a shutdown_request) closed the sockets under it: done.
    if (shuttingDown) {
      await shuttingDown.catch(() => undefined);
      return { closed, shutdown };
    }
    runner.close();
    for (const socket of [iopub, shell]) socket.close();
    stdinLink.asker.close();
    await control.close();
    throw error;
  }
  // Shut down while binding: nothing more to start.
  if (shuttingDown) return { closed, shutdown };

  const shellQueue = createSendQueue(shell, (error) => log(`shell send failed: ${String(error)}`));
  const publish = (msgType: string, content: Content, parent: Message | undefined, extras: CommExtras = {}): void => {
    const topic = Buffer.from(`kernel.${sender.session}.${msgType}`);
    const message: Message = parent
      ? replyTo(sender, parent, msgType, content, [topic])
      : { identities: [topic], header: makeHeader(sender, msgType), parent_header: {}, metadata: {}, content, buffers: [] };
    if (extras.metadata) message.metadata = { ...extras.metadata };
    if (extras.buffers) message.buffers = extras.buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    iopub.send(encode(message, signer)).catch((error: unknown) => log(`iopub send failed: ${String(error)}`));
  };

  const output = createOutputRouter(publish);
  const restoreOutput = output.install();
  const comms = createComms({ publish, parent: () => output.parent(), setParent: (message) => output.setParent(message), log });
  const restoreComms = comms.install();
  publish('status', { execution_state: 'starting' }, undefined);
  const history = createHistory();
  // Errors no cell catches: always logged; while a cell runs, also that cell's error.
  const uncaught = createUncaughtErrors({ log, describe: (error) => runner.describeError(error), publish });
  const restoreUncaught = uncaught.install();
  serving = {
    async flush() {
      await shellQueue.flush();
    },
    restore() {
      restoreOutput();
      restoreUncaught();
      restoreComms();
      restoreInput();
    },
  };
  const input = createStdin({
    encode(content, parent) {
      const message = replyTo(sender, parent, 'input_request', content);
      return { msgId: message.header.msg_id, frames: encode(message, signer) };
    },
    asker: stdinLink.asker,
  });
  const restoreInput = installInput(input);
  const handlers = new Map([...createShellHandlers({ runner, output, history, uncaught, publish, kernelInfo: info, shutdown, stdin: input }), ...comms.handlers]);
  const queue = createShellQueue({
    handlers,
    // A request's outputs are with zeromq before its reply (publish sends at once): a client that
    // reads iopub once it has the reply (jupyter console does) finds them there.
    reply: async (request, msgType, content) => {
      await shellQueue.send(encode(replyTo(sender, request, msgType, content), signer));
    },
    status: (state, parent) => publish('status', { execution_state: state }, parent),
    log,
    drain,
  });

  // A SIGINT (from Jupyter in signal mode, or from the control thread) interrupts the running cell.
  const onSigint = () => runner.interrupt();
  process.on('SIGINT', onSigint);
  const replays = createReplayGuard();
  void (async () => {
    for await (const frames of shell) {
      const decoded = decode(frames, signer, replays);
      if (decoded.kind === 'ok') queue.push(decoded.message);
      else log(`shell: message dropped: ${decoded.reason}`);
    }
  })().catch((error: unknown) => {
    if (!shuttingDown) log(`shell receive failed: ${String(error)}`);
  });
  // Subscriptions (a first byte 1, then the topic) arrive on the XPUB socket; each is welcomed.
  void (async () => {
    for await (const [frame] of iopub) {
      if (frame !== undefined && frame[0] === 1) publish('iopub_welcome', { subscription: frame.subarray(1).toString('utf8') }, undefined);
    }
  })().catch((error: unknown) => {
    if (!shuttingDown) log(`iopub subscription receive failed: ${String(error)}`);
  });
  publish('status', { execution_state: 'idle' }, undefined);
  const stopListening = () => void process.off('SIGINT', onSigint);
  closed.then(stopListening, stopListening);
  return { closed, shutdown };
}
