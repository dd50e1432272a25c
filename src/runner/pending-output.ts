/**
 * Waiting, after a notebook's last cell, for the output its kernel is still finishing (charts'
 * images, `src/pending.ts`): one request whose code settles it, so that the executed copy carries
 * every image. Its own output is not recorded; the images arrive as display updates, which the
 * notebook's recorder applies whatever request they come under.
 */
import { PENDING_SYMBOL } from '../pending';
import { quietRequest } from './quiet-request';
import type { KernelSession } from './session';

/** How long a kernel may take to finish its pending output. */
export const SETTLE_MS = 120_000;

/** The code, in the kernel's language; it does not import the library. */
export function settleCode(): string {
  // Not `await (globalThis …)`: the kernel's compiler does not take an await before a parenthesis as top-level.
  return `await Promise.resolve((globalThis as any)[Symbol.for(${JSON.stringify(PENDING_SYMBOL)})]?.settle());`;
}

/** Resolves whether the kernel answered (or died: then there is nothing more to wait for). Never throws. */
export async function settleKernelOutputs(session: KernelSession): Promise<boolean> {
  return (await quietRequest(session, settleCode(), { silent: true, timeoutMs: SETTLE_MS })) !== 'timeout';
}
