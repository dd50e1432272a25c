/**
 * Waiting, done one way everywhere: a pause, and a promise given a time limit. Timers never keep
 * the process alive past what they wait for: each is cleared as soon as the promise settles.
 */
import { ProjectError } from './errors';

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What `within` found: the promise's value, or that the time ran out first. */
export type Timed<T> = { kind: 'done'; value: T } | { kind: 'timeout' };

/**
 * `promise`'s value, or `{ kind: 'timeout' }` after `ms` (a rejection passes through). The timer is
 * cleared when the promise settles and is never what keeps the process alive.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<Timed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Timed<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then((value): Timed<T> => ({ kind: 'done', value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise did not settle within its time limit. */
export class TimeoutError extends ProjectError {
  constructor(message: string) {
    super(message, {});
  }
}

/** `promise`, or a `TimeoutError` "`what` did not happen within N s" after `ms`. */
export async function orTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const outcome = await within(promise, ms);
  if (outcome.kind === 'timeout') throw new TimeoutError(`${what} did not happen within ${ms / 1000} s`);
  return outcome.value;
}
