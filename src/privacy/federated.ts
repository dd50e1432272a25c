import * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from '../data/prepare';
import { createRandom, permutation } from '../data/random';
import { evaluate } from '../model/evaluate';
import { trainingCores } from '../model/threads';
import { readTrainableWeights, writeTrainableWeights } from '../model/gradients';
import { createTrainingPool, type TrainingPool } from '../model/pool';
import { canTrainOnThreads, trainCnn } from '../model/train';

/**
 * Federated averaging (taught in notebook 09, McMahan et al. 2017): each round every client trains
 * a copy of the global model on its own data only, and the server replaces the global weights by
 * the clients' weights averaged in proportion to their number of examples. Raw data never leaves
 * a client.
 */

/**
 * Non-identical label distributions by shards: the examples sorted by label are cut into
 * `clients · shardsPerClient` shards and each client draws `shardsPerClient` of them at random, so
 * each client sees only a few digits. Returns each client's example positions.
 */
export function shardByLabel(labels: ArrayLike<number>, clients: number, shardsPerClient = 2, seed = 0): Int32Array[] {
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`clients = ${clients} is not a positive integer`);
  if (!Number.isInteger(shardsPerClient) || shardsPerClient < 1) throw new RangeError(`shardsPerClient = ${shardsPerClient} is not a positive integer`);
  const shards = clients * shardsPerClient;
  if (shards > labels.length) throw new RangeError(`${shards} shards for ${labels.length} examples`);
  const byLabel = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => labels[a]! - labels[b]! || a - b);
  const shardOrder = permutation(shards, createRandom(seed));
  const result: Int32Array[] = [];
  for (let c = 0; c < clients; c += 1) {
    const members: number[] = [];
    for (let s = 0; s < shardsPerClient; s += 1) {
      const shard = shardOrder[c * shardsPerClient + s]!;
      const start = Math.floor((shard * labels.length) / shards);
      const end = Math.floor(((shard + 1) * labels.length) / shards);
      members.push(...byLabel.slice(start, end));
    }
    result.push(Int32Array.from(members));
  }
  return result;
}

/**
 * The control for `shardByLabel`: the same number of clients, each dealt an equal random share of
 * the examples (identically distributed: every client sees every digit). Returns each client's positions.
 */
export function shardIid(count: number, clients: number, seed = 0): Int32Array[] {
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`clients = ${clients} is not a positive integer`);
  if (clients > count) throw new RangeError(`${clients} clients for ${count} examples`);
  const order = permutation(count, createRandom(seed));
  return Array.from({ length: clients }, (_, c) => order.slice(Math.floor((c * count) / clients), Math.floor(((c + 1) * count) / clients)));
}

/** How many examples of each class a set of positions holds. */
export function labelHistogram(labels: ArrayLike<number>, indices: ArrayLike<number>, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < indices.length; i += 1) counts[labels[indices[i]!]!]! += 1;
  return counts;
}

/** The examples of a split at the given positions. */
export function subsetSplit(split: DigitSplit, indices: ArrayLike<number>): DigitSplit {
  const pixels = split.rows * split.cols;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k += 1) {
    const i = indices[k]!;
    images.set(split.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    labels[k] = split.labels[i]!;
  }
  return { ...split, images, labels, count: indices.length };
}


export interface FederatedOptions {
  /** Communication rounds (default 5). */
  rounds?: number;
  /** Epochs each client trains per round (default 1). */
  localEpochs?: number;
  batchSize?: number;
  seed?: number;
  /** Held-out data on which the global model is scored after each round. */
  validation?: DigitSplit;
  onRound?: (record: FederatedRound) => void;
  /**
   * Threads training clients at the same time (each client's training is independent within a
   * round). Default: every core when the backend is wasm and there are two clients or more; 1 trains
   * them one after another on this thread. Same seeds, same results either way.
   */
  threads?: number;
}

/** The threads `federatedAveraging` uses when `threads` is not given. */
export function defaultFederatedThreads(model: tf.LayersModel, clients: number, cores: number = trainingCores()): number {
  return clients >= 2 && canTrainOnThreads(model, cores) ? Math.min(cores, clients) : 1;
}

/**
 * The clients' weights averaged, each client weighted by its number of examples: one array per
 * weight (summed in float64, returned as float32).
 */
export function averageWeights(weightSets: readonly Float32Array[][], sizes: readonly number[]): Float32Array[] {
  if (weightSets.length === 0 || weightSets.length !== sizes.length) throw new RangeError('averageWeights: one size per weight set is needed');
  const total = sizes.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError('averageWeights: the sizes sum to zero');
  return weightSets[0]!.map((first, j) => {
    const sum = new Float64Array(first.length);
    weightSets.forEach((set, c) => {
      const share = sizes[c]! / total;
      const values = set[j]!;
      for (let i = 0; i < values.length; i += 1) sum[i]! += values[i]! * share;
    });
    return Float32Array.from(sum);
  });
}

export interface FederatedRound {
  readonly round: number;
  readonly valAccuracy?: number;
  readonly clientSamples: readonly number[];
}

/**
 * Federated averaging over `clients` (each a split of its own examples). `createModel` builds a
 * compiled model; the first one is the global model, returned with the per-round history.
 */
export async function federatedAveraging(
  createModel: () => tf.LayersModel,
  clients: readonly DigitSplit[],
  options: FederatedOptions = {},
): Promise<{ model: tf.LayersModel; rounds: FederatedRound[] }> {
  const rounds = options.rounds ?? 5;
  const seed = options.seed ?? 0;
  const localEpochs = options.localEpochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  const active = clients.filter((c) => c.count > 0);
  if (active.length === 0) throw new RangeError('federatedAveraging: no client has any examples');
  const global = createModel();
  const threads = options.threads ?? defaultFederatedThreads(global, active.length);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`federatedAveraging: threads = ${threads} is not a positive integer`);
  const sizes = active.map((c) => c.count);
  const clientSeed = (round: number, c: number) => seed + round * 1000 + c;

  /** One round on this thread: each client trains a fresh model from the global weights in turn. */
  async function roundHere(round: number): Promise<void> {
    // All weights (trainable or not), as the model lists them.
    const start = global.getWeights();
    const trained: Float32Array[][] = [];
    for (const [c, client] of active.entries()) {
      const local = createModel();
      try {
        local.setWeights(start);
        await trainCnn(local, { train: client }, { epochs: localEpochs, batchSize, seed: clientSeed(round, c), threads: 1 });
        trained.push(await Promise.all(local.getWeights().map(async (w) => new Float32Array((await w.data()) as Float32Array))));
      } finally {
        local.dispose();
      }
    }
    const averaged = averageWeights(trained, sizes).map((values, j) => tf.tensor(values, start[j]!.shape, 'float32'));
    try {
      global.setWeights(averaged);
    } finally {
      tf.dispose(averaged);
    }
  }

  /** One round on the threads: the same trainings, several at a time (trainable weights are all there are). */
  async function roundOnThreads(pool: TrainingPool, round: number): Promise<void> {
    const start = await readTrainableWeights(global);
    const jobs = active.map((data, c) => ({ weights: start, data, epochs: localEpochs, batchSize, seed: clientSeed(round, c) }));
    writeTrainableWeights(global, averageWeights(await pool.trainLocal(jobs), sizes));
  }

  const pool = threads > 1 ? await createTrainingPool(global, { threads }) : undefined;
  const history: FederatedRound[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      if (pool) await roundOnThreads(pool, round);
      else await roundHere(round);
      const record: FederatedRound = {
        round,
        clientSamples: sizes,
        ...(options.validation && options.validation.count > 0 ? { valAccuracy: (await evaluate(global, options.validation)).accuracy } : {}),
      };
      history.push(record);
      options.onRound?.(record);
    }
  } finally {
    await pool?.close();
  }
  return { model: global, rounds: history };
}
