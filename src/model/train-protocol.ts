import type * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from '../data/prepare';
import type { BatchArrays, BatchGradients } from './gradients';

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

export type ToWorker =
  | { kind: 'init'; artifacts: tf.io.ModelArtifacts }
  | { kind: 'gradients'; id: number; weights: Float32Array[]; batch: BatchArrays }
  | { kind: 'train'; id: number; job: LocalTraining };

export type FromWorker =
  | { kind: 'ready'; backend: string; fused: boolean }
  | { kind: 'gradients'; id: number; result: BatchGradients }
  | { kind: 'trained'; id: number; weights: Float32Array[] }
  | { kind: 'error'; id?: number; message: string; stack?: string };
