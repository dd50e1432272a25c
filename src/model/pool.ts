import type * as tf from '@tensorflow/tfjs';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../paths';
import { applyGradients, averageGradients, gradientUnsupportedReason, readTrainableWeights, sharesSummary, type BatchArrays, type BatchGradients, type ShareResult } from './gradients';
import { adamConstants, adamStateOf, advanceAdam, writeAdamState } from './adam';
import { shareAdamState, shareSizes, stopSharedSteps } from './shared-step';
import { trainingCores } from './threads';

export { shareSizes };
import { modelArtifacts } from './persist';
import { TRAINING_WORKER_ROLE, type FromWorker, type LocalTraining, type ToWorker } from './train-protocol';
import { ProjectError } from '../errors';
import { recordScript } from '../provenance';

/**
 * Synchronous data-parallel training on worker threads. Each thread holds its own wasm backend and
 * a copy of the model; per step the main thread sends every thread its share of the batch, the
 * threads compute their shares' gradients at the same time, and ONE optimizer step follows with
 * their sum weighted by share size (the gradient of the whole batch's mean loss), so every thread
 * starts every step from identical weights. With tfjs' Adam (the article's optimizer) the weights and
 * Adam's state live in memory the threads share and the step is theirs: after a barrier each thread
 * updates its own range of the weights (`shared-step.ts`); `syncModel` hands weights and Adam's state
 * back to the model. With any other optimizer the threads return their gradients and the main
 * thread averages them and steps the model.
 *
 * Threads never keep the process alive (they are unref'd while idle) and never outlive the pool:
 * an error in any thread, an AbortSignal or SIGINT (a kernel interrupt) fails the pool and
 * terminates them all; an interrupt lets a step on shared memory end first.
 */

/** Seconds a thread may take to load tfjs, its wasm backend and the model (slow on a busy machine). */
export const WORKER_START_TIMEOUT_MS = 120_000;

/** How long an interrupt waits for the step in flight to end before it stops the threads regardless. */
export const STEP_END_GRACE_MS = 5_000;

const WORKER_FILE = 'train-worker.js';
/** The TypeScript sources a worker runs, checked against a compiled worker's age when running from sources. */
const WORKER_SOURCES = ['train-worker.ts', 'train-protocol.ts', 'shared-step.ts', 'train.ts', 'gradients.ts', 'fused-gradients.ts', 'fused-trainer.ts', 'adam.ts', 'backend.ts', 'wasm-kernels.ts', 'persist.ts', '../display.ts'];

/** A training thread failed (or could not start); names the thread and what happened. */
export class TrainingPoolError extends ProjectError<{ thread: number | undefined; problem: string }> {
  constructor(
    readonly thread: number | undefined,
    readonly problem: string,
  ) {
    super(thread === undefined ? `training pool: ${problem}` : `training thread ${thread}: ${problem}`, { thread, problem });
  }
}

/** Training stopped by SIGINT (e.g. a kernel interrupt) or an AbortSignal; the threads are gone. */
export class TrainingInterruptedError extends ProjectError<{ by: 'SIGINT' | 'abort' }> {
  constructor(readonly by: 'SIGINT' | 'abort') {
    super(`training interrupted by ${by === 'SIGINT' ? 'SIGINT' : 'an abort signal'}; its worker threads were stopped`, { by });
  }
}

export interface TrainingPoolOptions {
  /** Worker threads (default: `trainingCores()`, this kernel's share of the cores). */
  threads?: number;
  /** Aborting it stops the pool. */
  signal?: AbortSignal;
  /** The worker script (default: the compiled `train-worker.js`, see `trainingWorkerEntry`). */
  entry?: string;
}

export interface StepResult {
  readonly loss: number;
  /** The model's first metric (accuracy for the article's CNN). */
  readonly metric: number;
  readonly count: number;
}

export interface TrainingPool {
  readonly threads: number;
  /** Whether every thread computes gradients with the fused pass (`fused-gradients.ts`) rather than tfjs' automatic differentiation. */
  readonly fused: boolean;
  /** The gradient of the model's mean loss over `batch`, computed in shares on the threads. */
  gradients(batch: BatchArrays): Promise<BatchGradients>;
  /** `gradients`, then one optimizer step with them on the main thread. */
  trainStep(batch: BatchArrays): Promise<StepResult>;
  /**
   * Trains a fresh copy of the model (its compiled optimizer starting afresh) for each job, the
   * jobs spread over the threads; resolves with each job's final weights, in job order.
   */
  trainLocal(jobs: readonly LocalTraining[]): Promise<Float32Array[][]>;
  /** Writes the current weights (and Adam's state) into the model; call before using the model. */
  syncModel(): Promise<void>;
  /** Terminates every thread (idempotent); resolves once all have exited, with their exit codes. */
  close(): Promise<number[]>;
}

/**
 * The worker script. Compiled code (`dist/`, which notebooks import) finds it beside this module.
 * From TypeScript sources (vitest) a worker thread still needs JavaScript: the compiled copy under
 * the project's `dist/` is used, and refused when older than the sources it runs.
 */
export function trainingWorkerEntry(here: string = __dirname): string {
  const beside = join(here, WORKER_FILE);
  if (existsSync(beside)) return beside;
  const compiled = join(projectRoot(here), 'dist', 'src', 'model', WORKER_FILE);
  if (!existsSync(compiled)) throw new TrainingPoolError(undefined, `${compiled} is missing: worker threads run compiled JavaScript (run npm run build)`);
  const built = statSync(compiled).mtimeMs;
  for (const name of WORKER_SOURCES) {
    const source = join(here, name);
    if (existsSync(source) && statSync(source).mtimeMs > built) {
      throw new TrainingPoolError(undefined, `${compiled} is older than ${source} (run npm run build)`);
    }
  }
  return compiled;
}

/** A copy of `values` in shared memory. */
function shared(values: Float32Array): Float32Array {
  const copy = new Float32Array(new SharedArrayBuffer(values.byteLength));
  copy.set(values);
  return copy;
}

interface Pending {
  resolve(message: FromWorker): void;
  reject(error: Error): void;
}

interface Thread {
  readonly index: number;
  readonly worker: Worker;
  readonly exited: Promise<number>;
  pending?: Pending;
}

/** Starts `threads` workers, each with a copy of `model` (compiled, on any backend) on wasm. */
export async function createTrainingPool(model: tf.LayersModel, options: TrainingPoolOptions = {}): Promise<TrainingPool> {
  const unsupported = gradientUnsupportedReason(model);
  if (unsupported) throw new TrainingPoolError(undefined, `cannot train this model on threads: ${unsupported}`);
  const count = options.threads ?? trainingCores();
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`createTrainingPool: threads = ${count} is not a positive integer`);
  options.signal?.throwIfAborted();
  const entry = options.entry ?? trainingWorkerEntry();
  const artifacts = await modelArtifacts(model);

  let failure: Error | undefined;
  let fused = false;
  /** The step barrier's cells once the threads share Adam's state. */
  let control: Int32Array | undefined;
  let closing: Promise<number[]> | undefined;
  let nextId = 1;

  const fail = (error: Error): void => {
    if (failure !== undefined || closing !== undefined) return;
    failure = error;
    // A thread waiting at the step barrier for one that failed gives up.
    if (control) stopSharedSteps(control);
    for (const thread of threads) {
      const pending = thread.pending;
      thread.pending = undefined;
      pending?.reject(error);
    }
    void close();
  };

  const threads: Thread[] = Array.from({ length: count }, (_, index) => {
    recordScript(entry);
    const worker = new Worker(entry, { workerData: { role: TRAINING_WORKER_ROLE } });
    worker.unref();
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const thread: Thread = { index, worker, exited };
    worker.on('message', (message: FromWorker) => {
      const pending = thread.pending;
      if (message.kind === 'error' && pending === undefined) {
        fail(new TrainingPoolError(index, message.message));
        return;
      }
      if (pending === undefined) return;
      thread.pending = undefined;
      worker.unref();
      if (message.kind === 'error') fail(new TrainingPoolError(index, message.message));
      else pending.resolve(message);
    });
    worker.on('error', (error) => fail(new TrainingPoolError(index, `crashed: ${error.message}`)));
    worker.on('messageerror', (error) => fail(new TrainingPoolError(index, `sent a message that could not be read: ${error.message}`)));
    void exited.then((code) => {
      if (closing === undefined) fail(new TrainingPoolError(index, `exited unexpectedly with code ${code}`));
    });
    return thread;
  });

  function request(thread: Thread, message: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (failure !== undefined) return Promise.reject(failure);
    if (closing !== undefined) return Promise.reject(new TrainingPoolError(thread.index, 'the pool is closed'));
    return new Promise<FromWorker>((resolve, reject) => {
      thread.pending = { resolve, reject };
      // Referenced while a reply is awaited, so a script awaiting training is not ended early.
      thread.worker.ref();
      thread.worker.postMessage(message, transfer);
    });
  }

  /** The step on shared memory in flight, if any: an interrupt lets it end (see `interrupt`). */
  let stepping: Promise<unknown> | undefined;
  /** An interrupt waiting for the step in flight to end. */
  let interrupted: TrainingInterruptedError | undefined;
  /**
   * Stops the pool for an interrupt. A step on shared memory ends first (a few milliseconds): its
   * threads update their ranges of the weights at once, and stopping them in the middle would leave
   * some ranges stepped and others not. A step that has not ended within `STEP_END_GRACE_MS` is
   * stopped all the same. Resolves once the pool is failed and closing.
   */
  const interrupt = async (by: TrainingInterruptedError['by']): Promise<void> => {
    if (failure !== undefined || closing !== undefined || interrupted !== undefined) return;
    interrupted = new TrainingInterruptedError(by);
    if (stepping) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, STEP_END_GRACE_MS)));
      await Promise.race([stepping.catch(() => undefined), grace]);
      clearTimeout(timer);
    }
    fail(interrupted);
  };
  const onSigint = (): void => {
    const alone = process.listenerCount('SIGINT') === 1;
    // With no other SIGINT handler (a plain script) Ctrl-C keeps its usual meaning once the threads are gone.
    void interrupt('SIGINT').then(() => {
      if (alone) void closing?.then(() => process.kill(process.pid, 'SIGINT'));
    });
  };
  const onAbort = (): void => void interrupt('abort');
  process.on('SIGINT', onSigint);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  function close(): Promise<number[]> {
    closing ??= (async () => {
      process.off('SIGINT', onSigint);
      options.signal?.removeEventListener('abort', onAbort);
      for (const thread of threads) {
        const pending = thread.pending;
        thread.pending = undefined;
        pending?.reject(failure ?? new TrainingPoolError(thread.index, 'the pool was closed during a step'));
      }
      return Promise.all(threads.map(async (t) => {
        await t.worker.terminate();
        return t.exited;
      }));
    })();
    return closing;
  }

  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TrainingPoolError(undefined, `the threads did not start within ${WORKER_START_TIMEOUT_MS / 1000} s`)), WORKER_START_TIMEOUT_MS);
    });
    try {
      const ready = await Promise.race([Promise.all(threads.map((t) => request(t, { kind: 'init', artifacts }))), timeout]);
      fused = ready.every((reply) => reply.kind === 'ready' && reply.fused);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)));
    await close();
    throw failure ?? error;
  }

  // The weights every thread reads, in shared memory: a step's message carries them without a copy.
  // With Adam its moments are shared too and the threads update the weights; otherwise the main
  // thread writes them, between steps only. The threads run already: whatever fails here closes them.
  let adam: Awaited<ReturnType<typeof adamStateOf>>;
  let steps = 0;
  let weights: Float32Array[];
  try {
    adam = await adamStateOf(model);
    if (adam) {
      const { memory, views } = shareAdamState(adam, count);
      weights = adam.weights;
      control = views.control;
      await Promise.all(threads.map((t, i) => request(t, { kind: 'share', memory: memory[i]! })));
    } else {
      weights = (await readTrainableWeights(model)).map(shared);
    }
  } catch (error) {
    await close();
    throw error;
  }

  /**
   * One public call at a time: each thread answers one request at a time, and a shared step's barrier
   * counts every thread once per step, so overlapping calls would leave a promise that never settles
   * or put the barrier out of step. A second call while one is in flight is refused, naming both.
   */
  let inFlight: string | undefined;
  async function exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (inFlight !== undefined) {
      throw new TrainingPoolError(undefined, `${name}() called while ${inFlight}() is in flight: await it first (a pool takes one call at a time)`);
    }
    inFlight = name;
    try {
      return await work();
    } finally {
      inFlight = undefined;
    }
  }

  /** The batch cut into one share per thread (some empty when it holds fewer samples than threads). */
  function cutBatch(batch: BatchArrays): BatchArrays[] {
    const pixels = batch.images.length / batch.count;
    const outputs = batch.targets.length / batch.count;
    let start = 0;
    return shareSizes(batch.count, threads.length).map((size) => {
      const share: BatchArrays = {
        // Copies: a view would send its whole underlying buffer.
        images: batch.images.slice(start * pixels, (start + size) * pixels),
        targets: batch.targets.slice(start * outputs, (start + size) * outputs),
        count: size,
      };
      start += size;
      return share;
    });
  }
  const transfers = (share: BatchArrays): ArrayBuffer[] => [share.images.buffer as ArrayBuffer, share.targets.buffer as ArrayBuffer];

  /** One step with Adam on the shared memory: every thread takes part, also with an empty share. */
  async function sharedAdamStep(state: NonNullable<typeof adam>, batch: BatchArrays): Promise<StepResult> {
    if (failure !== undefined || interrupted !== undefined) throw failure ?? interrupted;
    const shares = cutBatch(batch);
    const counts = shares.map((s) => s.count);
    const constants = adamConstants(state);
    steps += 1;
    const replying = Promise.all(
      shares.map((share, i) => request(threads[i]!, { kind: 'step', id: nextId++, step: steps, batch: share, counts, constants }, transfers(share))),
    );
    stepping = replying;
    let replies: FromWorker[];
    try {
      replies = await replying;
    } finally {
      stepping = undefined;
    }
    const results: ShareResult[] = [];
    for (const reply of replies) {
      if (reply.kind !== 'stepped') throw new TrainingPoolError(undefined, `a thread answered a step with ${reply.kind}`);
      results.push(reply);
    }
    advanceAdam(state);
    const { loss, metric, count: samples } = sharesSummary(results);
    return { loss, metric, count: samples };
  }

  /** Each thread's gradient over its share of `batch`. */
  async function shareGradients(batch: BatchArrays): Promise<BatchGradients[]> {
    if (failure !== undefined) throw failure;
    if (!adam) (await readTrainableWeights(model)).forEach((w, i) => weights[i]!.set(w));
    const replies = cutBatch(batch).map((share, i) => {
      if (share.count === 0) return Promise.resolve(undefined);
      return request(threads[i]!, { kind: 'gradients', id: nextId++, weights, batch: share }, transfers(share));
    });
    const shares: BatchGradients[] = [];
    for (const reply of await Promise.all(replies)) {
      if (reply?.kind === 'gradients') shares.push(reply.result);
    }
    return shares;
  }

  async function gradients(batch: BatchArrays): Promise<BatchGradients> {
    return averageGradients(await shareGradients(batch));
  }

  async function trainLocal(jobs: readonly LocalTraining[]): Promise<Float32Array[][]> {
    if (failure !== undefined) throw failure;
    const results: Float32Array[][] = new Array(jobs.length);
    let next = 0;
    // Each thread takes the next job as soon as it is free.
    await Promise.all(
      threads.map(async (thread) => {
        for (let k = next++; k < jobs.length; k = next++) {
          const job = jobs[k]!;
          const reply = await request(thread, { kind: 'train', id: nextId++, job });
          if (reply.kind !== 'trained') throw new TrainingPoolError(thread.index, `answered a training request with ${reply.kind}`);
          results[k] = reply.weights;
        }
      }),
    );
    return results;
  }

  return {
    threads: count,
    fused,
    gradients: (batch) => exclusive('gradients', () => gradients(batch)),
    trainLocal: (jobs) => exclusive('trainLocal', () => trainLocal(jobs)),
    trainStep: (batch) =>
      exclusive('trainStep', async () => {
        if (adam) return sharedAdamStep(adam, batch);
        const shares = await shareGradients(batch);
        applyGradients(model, averageGradients(shares).gradients);
        const { loss, metric, count } = sharesSummary(shares);
        return { loss, metric, count };
      }),
    async syncModel() {
      if (adam) await writeAdamState(model, adam);
    },
    close,
  };
}
