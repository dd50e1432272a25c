import * as tf from '@tensorflow/tfjs';
import { adamStateOf, adamStep, writeAdamState } from './adam';
import { FUSED_BACKENDS, fusedGradients, fusedPlanOf } from './fused-gradients';
import type { BatchArrays } from './gradients';
import type { StepResult } from './pool';

/**
 * Training steps on this thread without tfjs' automatic differentiation: the fused gradient of the
 * article network (`fused-gradients.ts`) and tfjs' Adam as one loop over arrays (`adam.ts`), the
 * weights and Adam's state held as arrays between steps. The same arithmetic as `trainOnBatch`,
 * with fewer passes over memory and kernel calls (`npm run bench` compares the two on wasm);
 * `syncModel` hands the weights and Adam's state back to the model.
 */
export interface FusedTrainer {
  trainStep(batch: BatchArrays): Promise<StepResult>;
  /** Writes the current weights and Adam's state into the model; call before using the model. */
  syncModel(): Promise<void>;
}

/**
 * A fused trainer for `model`, or undefined when the fused pass does not apply (another network,
 * another backend than wasm or cpu, another optimizer than tfjs' Adam): then train with `trainOnBatch`.
 */
export async function createFusedTrainer(model: tf.LayersModel): Promise<FusedTrainer | undefined> {
  if (!FUSED_BACKENDS.includes(tf.getBackend())) return undefined;
  const plan = fusedPlanOf(model);
  if (plan === undefined) return undefined;
  const adam = await adamStateOf(model);
  if (adam === undefined) return undefined;
  return {
    async trainStep(batch) {
      const result = await fusedGradients(plan, adam.weights, batch);
      adamStep(adam, result.gradients);
      return { loss: result.loss, metric: result.metric, count: result.count };
    },
    syncModel: () => writeAdamState(model, adam),
  };
}
