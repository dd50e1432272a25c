import type * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from '../data/prepare';
import type { AdamConstants } from './adam';
import type { BatchArrays, BatchGradients, ShareResult } from './gradients';

/**
 * The messages between the training pool (`pool.ts`, main thread) and its threads
 * (`train-worker.ts`). Apart from both, so that neither imports the other.
 */

/** Marks a worker started by the training pool (`workerData.role`). */
export const TRAINING_WORKER_ROLE = 'llm-price-lab/train-worker';

/** A model trained on its own from given weights: one federated client's local training. */
export interface LocalTraining {
  /** Starting weights, in `model.trainableWeights` order. */
  readonly weights: Float32Array[];
  readonly data: DigitSplit;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
}

/**
 * The memory the pool's threads share for steps with Adam (`pool.ts`): the weights and Adam's
 * moments, each one flat array of all the weights in `model.trainableWeights` order (`sizes`), one
 * gradient array per thread, and the step barrier. Each thread writes its gradient into its own
 * array, waits at the barrier until every thread has, then updates its range of the weights.
 */
export interface SharedTraining {
  readonly weights: SharedArrayBuffer;
  readonly m: SharedArrayBuffer;
  readonly v: SharedArrayBuffer;
  /** `threads` gradient arrays of all the weights, one after the other. */
  readonly gradients: SharedArrayBuffer;
  /** Int32 cells: `BARRIER_ARRIVED` and `BARRIER_STOPPED`. */
  readonly control: SharedArrayBuffer;
  /** Values per trainable weight. */
  readonly sizes: readonly number[];
  readonly thread: number;
  readonly threads: number;
  /** The places [from, to) of the flat weights this thread updates. */
  readonly range: readonly [number, number];
}

/** Threads that reached the barrier, counted over all steps: step n is through at n · threads. */
export const BARRIER_ARRIVED = 0;
/** Set (with a notify) when the pool stops, so that a thread waiting at the barrier gives up. */
export const BARRIER_STOPPED = 1;

export type ToWorker =
  | { kind: 'init'; artifacts: tf.io.ModelArtifacts }
  | { kind: 'share'; memory: SharedTraining }
  | {
      kind: 'step';
      id: number;
      /** 1-based count of steps on the shared memory: the barrier's target is step · threads. */
      step: number;
      /** This thread's share (possibly empty) and every thread's share size, in thread order. */
      batch: BatchArrays;
      counts: readonly number[];
      constants: AdamConstants;
    }
  | { kind: 'gradients'; id: number; weights: Float32Array[]; batch: BatchArrays }
  | { kind: 'train'; id: number; job: LocalTraining };

export type FromWorker =
  | { kind: 'ready'; backend: string; fused: boolean }
  | { kind: 'shared' }
  | ({ kind: 'stepped'; id: number } & ShareResult)
  | { kind: 'gradients'; id: number; result: BatchGradients }
  | { kind: 'trained'; id: number; weights: Float32Array[] }
  | { kind: 'error'; id?: number; message: string; stack?: string };
