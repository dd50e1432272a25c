import { availableParallelism } from 'node:os';
import { ProjectError } from '../errors';

/**
 * The cores a kernel may train on. A notebook alone may use every core; when the runner executes
 * several notebooks at once it tells each kernel its share through this variable (re-told between
 * cells as notebooks start and finish), so that the training threads of all notebooks running at one
 * moment do not exceed the cores. Training (`trainCnn`, federated averaging) reads it when it starts.
 */
export const TRAINING_THREADS_ENV = 'LLM_PRICE_LAB_TRAINING_THREADS';

/** `LLM_PRICE_LAB_TRAINING_THREADS` holds something other than a positive integer. */
export class TrainingThreadsError extends ProjectError<{ value: string }> {
  constructor(readonly value: string) {
    super(`${TRAINING_THREADS_ENV} = ${JSON.stringify(value)} is not a positive integer (the training threads this kernel may use)`, { value });
  }
}

/** The cores training may use here: the share in `LLM_PRICE_LAB_TRAINING_THREADS` when set, else every core. */
export function trainingCores(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): number {
  const given = env[TRAINING_THREADS_ENV];
  if (given === undefined || given.trim() === '') return cores;
  const share = Number(given);
  if (!Number.isInteger(share) || share < 1) throw new TrainingThreadsError(given);
  return share;
}
