import * as tf from '@tensorflow/tfjs';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { selectBackend } from './backend';
import { fusedGradients, fusedPlanOf, type FusedPlan } from './fused-gradients';
import { batchGradients, readTrainableWeights, writeTrainableWeights, type BatchArrays, type BatchGradients } from './gradients';
import { sharedStep, sharedViews, type SharedViews } from './shared-step';
import { TRAINING_WORKER_ROLE, type FromWorker, type SharedTraining, type ToWorker } from './train-protocol';
import { trainCnn } from './train';

/**
 * One thread of the data-parallel trainer (`pool.ts`): its own wasm backend and a copy of the
 * model; for each step it takes its share of the batch and computes the share's gradient. With Adam
 * the threads share the weights and Adam's state (`shared-step.ts`) and each then updates its range
 * of the weights with every thread's gradient; with another optimizer it returns the gradient and
 * the main thread takes the step. It also
 * trains a fresh copy of the model on its own (one federated client's local training), with the
 * model's compiled optimizer starting afresh, as `trainCnn` on the main thread would.
 */

/** Answers the pool's requests on `port` until the thread is terminated. */
export function serveTrainingWorker(port: MessagePort): void {
  let model: tf.LayersModel | undefined;
  let plan: FusedPlan | undefined;
  let artifacts: tf.io.ModelArtifacts | undefined;
  let shared: { memory: SharedTraining; views: SharedViews } | undefined;
  const reply = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const fail = (error: unknown, id?: number) => {
    const e = error instanceof Error ? error : new Error(String(error));
    reply({ kind: 'error', ...(id !== undefined ? { id } : {}), message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) });
  };
  /** The gradient over `batch` at `weights` (written `into` given arrays): the fused pass for the article's network, else tfjs'. */
  const gradientsAt = async (weights: Float32Array[], batch: BatchArrays, into?: Float32Array[]): Promise<BatchGradients> => {
    if (model === undefined) throw new Error('a gradient request came before the model');
    if (plan !== undefined) return fusedGradients(plan, weights, batch, into);
    writeTrainableWeights(model, weights);
    const result = await batchGradients(model, batch);
    if (into === undefined) return result;
    result.gradients.forEach((g, k) => into[k]!.set(g));
    return { ...result, gradients: into };
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
      if (message.kind === 'share') {
        shared = { memory: message.memory, views: sharedViews(message.memory) };
        reply({ kind: 'shared' });
        return;
      }
      if (message.kind === 'step') {
        try {
          if (shared === undefined) throw new Error('a step came before the shared memory');
          const result = await sharedStep(shared.memory, shared.views, message, gradientsAt);
          reply({ kind: 'stepped', id: message.id, ...result });
        } catch (error) {
          fail(error, message.id);
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
        const result = await gradientsAt(message.weights, message.batch);
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
