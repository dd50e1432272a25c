/**
 * Output a cell left to finish after it ended: a chart's static image, drawn once the chart itself
 * is shown. A client that records a notebook waits for it before the notebook is final — the kernel
 * before it shuts down, or before it answers a client that stops listening at the end of each cell
 * (nbclient); the headless runner before its last request.
 *
 * The work is kept on `globalThis` under a registered symbol, shared by the kernel and every copy of
 * the library in it, and can be settled by a snippet that does not import the library:
 * `await globalThis[Symbol.for('llm-price-lab.pending-output')]?.settle()`.
 */

/**
 * Execute-request metadata by which a client says it applies `update_display_data` to earlier
 * outputs after their cell ended (the headless runner does; JupyterLab and jupyter console allow
 * input, which says as much). Without either, the kernel delivers a cell's pending output before
 * its reply: nbclient stops listening once a cell is idle.
 */
export const FOLLOWS_UPDATES_METADATA = 'llm-price-lab.follows-display-updates';

/** The symbol the registry is kept under (`Symbol.for`). */
export const PENDING_SYMBOL = 'llm-price-lab.pending-output';

interface PendingRegistry {
  readonly work: Set<Promise<unknown>>;
  /** Resolves once nothing is pending, including work added while it waits. Never rejects. */
  settle(): Promise<void>;
}

function registry(): PendingRegistry {
  const holder = globalThis as unknown as Record<symbol, PendingRegistry | undefined>;
  const key = Symbol.for(PENDING_SYMBOL);
  if (!holder[key]) {
    const work = new Set<Promise<unknown>>();
    holder[key] = {
      work,
      async settle() {
        while (work.size > 0) await Promise.allSettled([...work]);
      },
    };
  }
  return holder[key];
}

/** Keeps `work` pending until it settles; its failure is its own to report (it is never rethrown here). */
export function trackPending(work: Promise<unknown>): void {
  const { work: pending } = registry();
  const tracked = work.then(
    () => undefined,
    () => undefined,
  );
  pending.add(tracked);
  void tracked.then(() => pending.delete(tracked));
}

/** How many outputs are still being finished. */
export function pendingOutputs(): number {
  return registry().work.size;
}

/** Resolves once every output left to finish has been sent (also those started meanwhile). */
export function settleOutputs(): Promise<void> {
  return registry().settle();
}
