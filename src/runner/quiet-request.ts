/**
 * A request of the runner's own between or after a notebook's cells (a thread share, pending output,
 * what the kernel read): never stored in history, saying it follows display updates, bounded in time.
 */
import type { KernelMessage } from '@jupyterlab/services';
import { FOLLOWS_UPDATES_METADATA } from '../pending';
import { within } from '../wait';
import type { KernelSession } from './session';

/** How the request ended: the reply's status, the kernel's death, or no answer within the time given. */
export type QuietOutcome = 'ok' | 'error' | 'died' | 'timeout';

/** Sends `code`; `silent` requests have no output. Never throws. */
export async function quietRequest(
  session: KernelSession,
  code: string,
  options: { silent: boolean; timeoutMs: number; onIOPub?: (message: KernelMessage.IIOPubMessage) => void },
): Promise<QuietOutcome> {
  try {
    const future = session.kernel.requestExecute(
      { code, silent: options.silent, store_history: false, allow_stdin: false, stop_on_error: false },
      true,
      { [FOLLOWS_UPDATES_METADATA]: true },
    );
    if (options.onIOPub) future.onIOPub = options.onIOPub;
    try {
      const answered = future.done.then((reply): QuietOutcome => (reply.content.status === 'ok' ? 'ok' : 'error'));
      const outcome = await within(Promise.race([answered, session.died().then((): QuietOutcome => 'died')]), options.timeoutMs);
      return outcome.kind === 'done' ? outcome.value : 'timeout';
    } finally {
      if (!future.isDisposed) future.dispose();
    }
  } catch {
    return 'died';
  }
}

/**
 * Sends `code` and collects what it prints on stdout: the text once the kernel answered `ok`, else
 * undefined (an error, a death, no answer within `timeoutMs`). Never throws.
 */
export async function quietStdout(session: KernelSession, code: string, timeoutMs: number): Promise<string | undefined> {
  let stdout = '';
  const outcome = await quietRequest(session, code, {
    silent: false,
    timeoutMs,
    onIOPub: (message) => {
      const content = message.content as { name?: string; text?: string };
      if (message.header.msg_type === 'stream' && content.name === 'stdout') stdout += content.text ?? '';
    },
  });
  return outcome === 'ok' ? stdout : undefined;
}
