/**
 * Telling a kernel its share of the training threads (`thread-budget.ts`): a silent execute between
 * cells that sets the environment variable the library's training reads. Silent requests have no
 * outputs, no execution count and no history, so the executed notebook shows nothing of it.
 */
import { TRAINING_THREADS_ENV } from '../model/threads';
import { quietRequest } from './quiet-request';
import type { KernelSession } from './session';

/** How long a kernel may take to answer the silent request before the runner goes on without it. */
export const SHARE_REPLY_MS = 30_000;

/** The code that sets the share, in the kernel's language (TypeScript). */
export function shareCode(threads: number): string {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`training threads = ${threads} is not a positive integer`);
  return `process.env.${TRAINING_THREADS_ENV} = '${threads}';`;
}

/**
 * Sets the kernel's share; resolves whether it answered ok. Never throws: a kernel that died or does
 * not answer is found by the cell that runs next.
 */
export async function tellTrainingThreads(session: KernelSession, threads: number): Promise<boolean> {
  return (await quietRequest(session, shareCode(threads), { silent: true, timeoutMs: SHARE_REPLY_MS })) === 'ok';
}
