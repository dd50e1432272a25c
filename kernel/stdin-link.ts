/**
 * The stdin socket lives on the control thread, because the cell's thread may be blocked: a
 * synchronous `prompt()` holds it until the answer comes. The link between the two threads is a
 * MessagePort and one shared counter. The cell's thread hands over an encoded `input_request`
 * (`ask`); the control thread sends it, takes the `input_reply` to it from the socket, posts the
 * answer on the port and then bumps the counter, which wakes a thread waiting on it (`Atomics.wait`
 * for `prompt()`, `Atomics.waitAsync` for `await input()`); the waiting thread reads the answer with
 * `receiveMessageOnPort`, so it needs no turn of its event loop. An interrupt or a shutdown on the
 * control thread answers a pending request too, so no wait outlives them.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Router } from 'zeromq';
import { createSendQueue } from './sockets';
import { createReplayGuard, decode, type Signer } from './wire';

/** What ended a wait: the typed value, an interrupt, or the kernel shutting down. */
export type StdinAnswer =
  | { ticket: number; kind: 'reply'; value: string | null }
  | { ticket: number; kind: 'interrupted' }
  | { ticket: number; kind: 'closed' };

/** Cell thread → control thread. */
type StdinCommand = { type: 'ask'; ticket: number; msgId: string; frames: Uint8Array[] } | { type: 'cancel'; ticket: number };

/** What the control thread is given (through workerData; the port in its transfer list). */
export interface StdinLinkEnd {
  port: MessagePort;
  signal: SharedArrayBuffer;
}

/** The cell thread's end. */
export interface StdinAsker {
  /** Hands an encoded `input_request` (whose header has `msgId`) to the control thread; returns its ticket. */
  ask(msgId: string, frames: Buffer[]): number;
  /** Blocks this thread until the answer to `ticket` comes. */
  waitSync(ticket: number): StdinAnswer;
  /** Resolves with the answer to `ticket`; polls `cancelled` at least once a second. */
  wait(ticket: number, cancelled: () => boolean): Promise<StdinAnswer>;
  /** The request is no longer wanted: a late reply to it is dropped. */
  cancel(ticket: number): void;
  close(): void;
}

/** Both ends of a new link: `worker` goes to the control thread. */
export function createStdinLink(): { asker: StdinAsker; worker: StdinLinkEnd } {
  const channel = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const counter = new Int32Array(signal);
  const port = channel.port1;
  port.unref();
  let nextTicket = 0;
  /** Reads the posted answers; returns the one for `ticket`, dropping answers to older tickets. */
  const take = (ticket: number): StdinAnswer | undefined => {
    for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
      const answer = received.message as StdinAnswer;
      if (answer.ticket === ticket) return answer;
    }
    return undefined;
  };
  const asker: StdinAsker = {
    ask(msgId, frames) {
      const ticket = ++nextTicket;
      port.postMessage({ type: 'ask', ticket, msgId, frames } satisfies StdinCommand);
      return ticket;
    },
    waitSync(ticket) {
      for (;;) {
        const seen = Atomics.load(counter, 0);
        const answer = take(ticket);
        if (answer) return answer;
        Atomics.wait(counter, 0, seen);
      }
    },
    async wait(ticket, cancelled) {
      for (;;) {
        const seen = Atomics.load(counter, 0);
        const answer = take(ticket);
        if (answer) return answer;
        if (cancelled()) return { ticket, kind: 'closed' };
        const waiting = Atomics.waitAsync(counter, 0, seen, 1_000);
        if (waiting.async) await waiting.value;
      }
    },
    cancel(ticket) {
      port.postMessage({ type: 'cancel', ticket } satisfies StdinCommand);
    },
    close() {
      port.close();
    },
  };
  return { asker, worker: { port: channel.port2, signal } };
}

export interface StdinServer {
  /** An interrupt request came: a pending request is answered `interrupted`; false when none was pending. */
  interrupt(): boolean;
  /** The kernel shuts down: a pending request is answered `closed`. */
  abandon(): void;
  close(): void;
}

/**
 * The control thread's end: sends what the cell thread asks on `socket` and answers it with the
 * `input_reply` to it. One request is pending at a time (the cell thread runs one cell).
 */
export function serveStdin(
  { port, signal }: StdinLinkEnd,
  socket: Router,
  signer: Signer,
  log: (line: string) => void,
): StdinServer {
  const counter = new Int32Array(signal);
  const queue = createSendQueue(socket, (error) => log(`stdin send failed: ${String(error)}`));
  const replays = createReplayGuard();
  let pending: { ticket: number; msgId: string } | undefined;
  const answer = (reply: StdinAnswer): void => {
    pending = undefined;
    port.postMessage(reply);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  port.on('message', (command: StdinCommand) => {
    if (command.type === 'ask') {
      pending = { ticket: command.ticket, msgId: command.msgId };
      void queue.send(command.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)));
    } else if (pending?.ticket === command.ticket) pending = undefined;
  });
  void (async () => {
    for await (const frames of socket) {
      const decoded = decode(frames, signer, replays);
      if (decoded.kind !== 'ok') {
        log(`stdin: message dropped: ${decoded.reason}`);
        continue;
      }
      const { header, parent_header: parent, content } = decoded.message;
      if (header.msg_type !== 'input_reply') {
        log(`stdin: message dropped: unexpected ${header.msg_type}`);
        continue;
      }
      const repliesTo = (parent as { msg_id?: unknown }).msg_id;
      // A reply with no parent is taken for the pending request, as ipykernel does.
      if (pending === undefined || (repliesTo !== undefined && repliesTo !== pending.msgId)) {
        log('stdin: input_reply to no pending request dropped');
        continue;
      }
      answer({ ticket: pending.ticket, kind: 'reply', value: typeof content.value === 'string' ? content.value : null });
    }
  })().catch((error: unknown) => {
    if (!socket.closed) log(`stdin receive failed: ${String(error)}`);
  });
  return {
    interrupt() {
      if (!pending) return false;
      answer({ ticket: pending.ticket, kind: 'interrupted' });
      return true;
    },
    abandon() {
      if (pending) answer({ ticket: pending.ticket, kind: 'closed' });
    },
    close() {
      port.close();
      socket.close();
    },
  };
}
