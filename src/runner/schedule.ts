/**
 * The order notebooks run in: in the order given, `jobs` at a time, except that a notebook may
 * declare in its metadata that it uses what other notebooks write —
 * `metadata["llm-price-lab"].after = ["05-project-practice"]` — and then starts only once those
 * notebooks (when they are part of the same run) have finished, whatever their outcome. So what
 * a notebook reads never depends on `-j`. Of the notebooks ready to start, those that more others
 * wait for (directly or not) start first, so that the waiting ones are not held up.
 */
import { RunnerInputError } from './errors';
import type { Notebook } from './types';

/** The notebook metadata key the runner reads its own settings from. */
export const METADATA_KEY = 'llm-price-lab';

/** The names (file names without `.ipynb`) a notebook waits for; checked at the trust boundary. */
export function declaredAfter(path: string, notebook: Notebook): string[] {
  const own = notebook.metadata[METADATA_KEY];
  if (own === undefined) return [];
  const after = typeof own === 'object' && own !== null && !Array.isArray(own) ? (own as { after?: unknown }).after : own;
  if (after === undefined) return [];
  if (!Array.isArray(after) || !after.every((name): name is string => typeof name === 'string' && name.length > 0)) {
    throw new RunnerInputError(
      `${path}: metadata["${METADATA_KEY}"].after must be a list of notebook names (e.g. ["05-project-practice"])`,
      { file: path },
    );
  }
  return after.map((name) => name.replace(/\.ipynb$/, ''));
}

export interface Scheduled {
  name: string;
  path: string;
  /** Names this one waits for; names not in the run are ignored. */
  after: string[];
}

/** Throws RunnerInputError when notebooks of the run wait for each other in a circle. */
export function checkOrder(items: Scheduled[]): void {
  const byName = new Map(items.map((item) => [item.name, item]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: Scheduled, trail: string[]) => {
    if (state.get(item.name) === 'done') return;
    if (state.get(item.name) === 'visiting') {
      const circle = [...trail.slice(trail.indexOf(item.name)), item.name].join(' → ');
      throw new RunnerInputError(`${item.path}: notebooks wait for each other in a circle: ${circle}`, { file: item.path });
    }
    state.set(item.name, 'visiting');
    for (const name of item.after) {
      const other = byName.get(name);
      if (other) visit(other, [...trail, item.name]);
    }
    state.set(item.name, 'done');
  };
  for (const item of items) visit(item, []);
}

/** For each item, how many items of the run wait for it, directly or through others. */
export function waitingCounts(items: readonly Scheduled[]): Map<string, number> {
  const byName = new Map(items.map((item) => [item.name, item]));
  const counts = new Map(items.map((item) => [item.name, 0]));
  for (const item of items) {
    // Everything `item` waits for, transitively (the order has no circle: checkOrder).
    const seen = new Set<string>();
    const stack = [...item.after];
    for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
      const other = byName.get(name);
      if (!other || seen.has(name)) continue;
      seen.add(name);
      stack.push(...other.after);
    }
    for (const name of seen) counts.set(name, counts.get(name)! + 1);
  }
  return counts;
}

/**
 * Runs `work` for every item, at most `jobs` at once, each item only after the items it waits for
 * have finished, those more items wait for first. `slot` (0 … jobs-1) names the worker, e.g. to pick a server. Once `signal`
 * aborts, items not yet started get `notRun(item)` instead. A throwing `work` does not stop the
 * others (allSettled semantics): its item gets `failed(item, error)`. Results in input order.
 */
export async function runInOrder<T extends Scheduled, R>(
  items: T[],
  jobs: number,
  handlers: {
    work(item: T, slot: number): Promise<R>;
    failed(item: T, error: unknown): R;
    notRun(item: T): R;
  },
  signal?: AbortSignal,
): Promise<R[]> {
  checkOrder(items);
  const inRun = new Set(items.map((item) => item.name));
  const results: R[] = new Array(items.length);
  const started = new Array<boolean>(items.length).fill(false);
  const finished = new Set<string>();
  let wake: () => void = () => {};
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const signalChange = () => {
    wake();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };
  const ready = (item: T) => item.after.every((name) => !inRun.has(name) || finished.has(name));
  const waiting = waitingCounts(items);
  /** The ready item that most others wait for; the first given among equals. */
  const next = (): number => {
    let best = -1;
    items.forEach((item, i) => {
      if (started[i] || !ready(item)) return;
      if (best < 0 || waiting.get(item.name)! > waiting.get(items[best]!.name)!) best = i;
    });
    return best;
  };

  const worker = async (slot: number) => {
    for (;;) {
      if (signal?.aborted) return;
      const index = next();
      if (index < 0) {
        if (started.every(Boolean)) return;
        await changed;
        continue;
      }
      started[index] = true;
      const item = items[index];
      try {
        results[index] = await handlers.work(item, slot);
      } catch (error) {
        results[index] = handlers.failed(item, error);
      }
      finished.add(item.name);
      signalChange();
    }
  };
  const workers = Math.max(1, Math.min(jobs, items.length));
  // An abort wakes waiting workers so that they return.
  signal?.addEventListener('abort', signalChange);
  try {
    await Promise.allSettled(Array.from({ length: workers }, (_, slot) => worker(slot)));
  } finally {
    signal?.removeEventListener('abort', signalChange);
  }
  items.forEach((item, i) => {
    if (!started[i]) results[i] = handlers.notRun(item);
  });
  return results;
}
