import { adamUpdate, type AdamState } from './adam';
import type { BatchArrays, BatchGradients, ShareResult } from './gradients';
import { BARRIER_ARRIVED, BARRIER_STOPPED, type SharedTraining, type ToWorker } from './train-protocol';
import { ProjectError } from '../errors';

/**
 * A training step with Adam shared by the pool's threads (`pool.ts`): each thread computes the
 * gradient of its share of the batch into its own array of shared memory, waits at a barrier until
 * every thread has, then runs Adam's update (`adamUpdate`) on its own range of the weights, summing
 * the threads' gradients there. The update runs on every core at once instead of on the main
 * thread while the others wait, and no gradient is copied between threads.
 */

/** How long a thread waits at the barrier before it looks again whether the pool has stopped. */
const BARRIER_POLL_MS = 100;

/** The pool stopped (an error in another thread, an interrupt) while this thread waited for the others. */
export class SharedStepStoppedError extends ProjectError<{ step: number }> {
  constructor(readonly step: number) {
    super(`step ${step}: the pool stopped while this thread waited for the others`, { step });
  }
}

/** The arrays over a `SharedTraining`'s memory. */
export interface SharedViews {
  readonly weights: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** `weights` cut per trainable weight. */
  readonly layers: Float32Array[];
  /** Each thread's gradient array. */
  readonly gradients: Float32Array[];
  readonly control: Int32Array;
}

/** Splits `count` samples (or weights) into `parts` shares as equal as possible (the first ones one larger). */
export function shareSizes(count: number, parts: number): number[] {
  const base = Math.floor(count / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < count % parts ? 1 : 0));
}

/** Cuts `flat` into consecutive views of `sizes` values. */
export function cut(flat: Float32Array, sizes: readonly number[]): Float32Array[] {
  let at = 0;
  return sizes.map((n) => flat.subarray(at, (at += n)));
}

/** The arrays over the memory (what every thread's description of it has in common). */
export function sharedViews(memory: Omit<SharedTraining, 'thread' | 'range'>): SharedViews {
  const total = memory.sizes.reduce((a, b) => a + b, 0);
  const weights = new Float32Array(memory.weights);
  const all = new Float32Array(memory.gradients);
  return {
    weights,
    m: new Float32Array(memory.m),
    v: new Float32Array(memory.v),
    layers: cut(weights, memory.sizes),
    gradients: Array.from({ length: memory.threads }, (_, i) => all.subarray(i * total, (i + 1) * total)),
    control: new Int32Array(memory.control),
  };
}

/**
 * Shared memory for `threads` threads holding `state`'s weights and moments, and `state` changed to
 * hold views of it (so that `writeAdamState` reads what the threads wrote). Returns each thread's
 * description of it; thread i updates the i-th of `threads` nearly equal ranges.
 */
export function shareAdamState(state: AdamState, threads: number): { memory: SharedTraining[]; views: SharedViews } {
  const sizes = state.weights.map((w) => w.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const bytes = total * Float32Array.BYTES_PER_ELEMENT;
  const base = {
    weights: new SharedArrayBuffer(bytes),
    m: new SharedArrayBuffer(bytes),
    v: new SharedArrayBuffer(bytes),
    gradients: new SharedArrayBuffer(bytes * threads),
    control: new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT),
    sizes,
    threads,
  };
  const views = sharedViews(base);
  for (const [flat, layers] of [[views.weights, state.weights], [views.m, state.m], [views.v, state.v]] as const) {
    cut(flat, sizes).forEach((view, k) => {
      view.set(layers[k]!);
      layers[k] = view;
    });
  }
  let from = 0;
  const memory = shareSizes(total, threads).map((size, thread): SharedTraining => ({ ...base, thread, range: [from, (from += size)] }));
  return { memory, views };
}

/** Wakes every thread waiting at the barrier and tells it the pool stopped. */
export function stopSharedSteps(control: Int32Array): void {
  Atomics.store(control, BARRIER_STOPPED, 1);
  Atomics.notify(control, BARRIER_ARRIVED);
}

type StepMessage = Extract<ToWorker, { kind: 'step' }>;

/**
 * One thread's part of a step: its share's gradient by `gradientsOf` (at the shared weights, written
 * into this thread's gradient array), the barrier, then Adam on its range. Returns its share's loss,
 * metric and size.
 */
export async function sharedStep(
  memory: SharedTraining,
  views: SharedViews,
  message: StepMessage,
  gradientsOf: (weights: Float32Array[], batch: BatchArrays, into: Float32Array[]) => Promise<BatchGradients>,
): Promise<ShareResult> {
  const { thread, threads, range } = memory;
  const { step, batch, counts, constants } = message;
  if (counts.length !== threads) throw new RangeError(`shared step ${step}: ${counts.length} share sizes for ${threads} threads`);
  let result: ShareResult = { loss: NaN, metric: NaN, count: 0 };
  if (batch.count > 0) {
    const computed = await gradientsOf(views.layers, batch, cut(views.gradients[thread]!, memory.sizes));
    result = { loss: computed.loss, metric: computed.metric, count: computed.count };
  }
  arriveAndWait(views.control, step, threads);
  const total = counts.reduce((a, b) => a + b, 0);
  const shares = counts.flatMap((count, i) => (count > 0 ? [{ values: views.gradients[i]!, scale: count / total }] : []));
  adamUpdate(constants, views.weights, views.m, views.v, shares, range[0], range[1]);
  return result;
}

function arriveAndWait(control: Int32Array, step: number, threads: number): void {
  const target = step * threads;
  let arrived = Atomics.add(control, BARRIER_ARRIVED, 1) + 1;
  if (arrived === target) {
    Atomics.notify(control, BARRIER_ARRIVED);
    return;
  }
  while (arrived < target) {
    if (Atomics.load(control, BARRIER_STOPPED) !== 0) throw new SharedStepStoppedError(step);
    Atomics.wait(control, BARRIER_ARRIVED, arrived, BARRIER_POLL_MS);
    arrived = Atomics.load(control, BARRIER_ARRIVED);
  }
}
