import * as tf from '@tensorflow/tfjs';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { selectBackend } from './backend';
import { fusedGradients, fusedPlanOf, type FusedPlan } from './fused-gradients';
import { batchGradients, readTrainableWeights, writeTrainableWeights } from './gradients';
import { TRAINING_WORKER_ROLE, type FromWorker, type ToWorker } from './train-protocol';
import { trainCnn } from './train';

/**
 * One thread of the data-parallel trainer (`pool.ts`): its own wasm backend and a copy of the
 * model; for each step it takes the current weights and its share of the batch and returns the
 * gradients. It never applies them: the optimizer step happens once, on the main thread. It also
 * trains a fresh copy of the model on its own (one federated client's local training), with the
 * model's compiled optimizer starting afresh, as `trainCnn` on the main thread would.
 */

/** Answers the pool's requests on `port` until the thread is terminated. */
export function serveTrainingWorker(port: MessagePort): void {
  let model: tf.LayersModel | undefined;
  let plan: FusedPlan | undefined;
  let artifacts: tf.io.ModelArtifacts | undefined;
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
          plan = fusedPlanOf(model);
          artifacts = message.artifacts;
          reply({ kind: 'ready', backend: report.device, fused: plan !== undefined });
        } catch (error) {
          fail(error);
        }
        return;
      }
      if (message.kind === 'train') {
        try {
          if (artifacts === undefined) throw new Error('a training request came before the model');
          const local = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
          try {
            writeTrainableWeights(local, message.job.weights);
            const { data, epochs, batchSize, seed } = message.job;
            await trainCnn(local, { train: data }, { epochs, batchSize, seed, threads: 1 });
            const weights = await readTrainableWeights(local);
            reply({ kind: 'trained', id: message.id, weights }, weights.map((w) => w.buffer as ArrayBuffer));
          } finally {
            local.dispose();
          }
        } catch (error) {
          fail(error, message.id);
        }
        return;
      }
      try {
        if (model === undefined) throw new Error('a gradient request came before the model');
        let result;
        if (plan !== undefined) {
          result = await fusedGradients(plan, message.weights, message.batch);
        } else {
          writeTrainableWeights(model, message.weights);
          result = await batchGradients(model, message.batch);
        }
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
