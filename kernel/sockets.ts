import type { Writable } from 'zeromq';

/**
 * A zeromq socket takes one send at a time; this queues sends in order. Failures are reported
 * to `onError` and do not stop later sends.
 */
export interface SendQueue {
  send(frames: Buffer[]): Promise<void>;
  /** Resolves once everything queued so far is sent. */
  flush(): Promise<void>;
}

export function createSendQueue(socket: Writable, onError: (error: unknown) => void): SendQueue {
  let tail: Promise<void> = Promise.resolve();
  return {
    send(frames) {
      tail = tail.then(() => socket.send(frames)).catch(onError);
      return tail;
    },
    flush() {
      return tail;
    },
  };
}
