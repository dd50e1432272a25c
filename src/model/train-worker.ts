import * as tf from '@tensorflow/tfjs';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { selectBackend } from './backend';
import { batchGradients, writeTrainableWeights, type BatchArrays, type BatchGradients } from './gradients';

/**
 * One thread of the data-parallel trainer (`pool.ts`): its own wasm backend and a copy of the
 * model; for each step it takes the current weights and its share of the batch and returns the
 * gradients. It never applies them: the optimizer step happens once, on the main thread.
 */

/** Marks a worker started by the training pool (`workerData.role`). */
export const TRAINING_WORKER_ROLE = 'llm-price-lab/train-worker';

export type ToWorker =
  | { kind: 'init'; artifacts: tf.io.ModelArtifacts }
  | { kind: 'gradients'; id: number; weights: Float32Array[]; batch: BatchArrays };

export type FromWorker =
  | { kind: 'ready'; backend: string }
  | { kind: 'gradients'; id: number; result: BatchGradients }
  | { kind: 'error'; id?: number; message: string; stack?: string };

/** Answers the pool's requests on `port` until the thread is terminated. */
export function serveTrainingWorker(port: MessagePort): void {
  let model: tf.LayersModel | undefined;
  const reply = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const fail = (error: unknown, id?: number) => {
    const e = error instanceof Error ? error : new Error(String(error));
    reply({ kind: 'error', ...(id !== undefined ? { id } : {}), message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) });
  };
  // Requests are answered in order: the pool sends the next one only after the previous reply.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    queue = queue.then(async () => {
      if (message.kind === 'init') {
        try {
          const report = await selectBackend({ backend: 'wasm' });
          model = await tf.loadLayersModel(tf.io.fromMemory(message.artifacts));
          reply({ kind: 'ready', backend: report.device });
        } catch (error) {
          fail(error);
        }
        return;
      }
      try {
        if (model === undefined) throw new Error('a gradient request came before the model');
        writeTrainableWeights(model, message.weights);
        const result = await batchGradients(model, message.batch);
        reply({ kind: 'gradients', id: message.id, result }, [...new Set(result.gradients.map((g) => g.buffer as ArrayBuffer))]);
      } catch (error) {
        fail(error, message.id);
      }
    });
  });
}

if (!isMainThread && parentPort !== null && (workerData as { role?: unknown } | undefined)?.role === TRAINING_WORKER_ROLE) {
  serveTrainingWorker(parentPort);
}
