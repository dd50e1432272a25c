import * as tf from '@tensorflow/tfjs';
import type { DigitSplit } from '../data/prepare';
import { createRandom, permutation } from '../data/random';
import { evaluate } from '../model/evaluate';
import { trainCnn } from '../model/train';

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

/** Weighted average of several models' weights (same shapes), weights proportional to `sizes`. */
export function averageWeights(weightSets: readonly tf.Tensor[][], sizes: readonly number[]): tf.Tensor[] {
  if (weightSets.length === 0 || weightSets.length !== sizes.length) throw new RangeError('averageWeights: one size per weight set is needed');
  const total = sizes.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError('averageWeights: the sizes sum to zero');
  return weightSets[0]!.map((_, j) => tf.tidy(() => tf.addN(weightSets.map((set, c) => tf.mul(set[j]!, sizes[c]! / total)))));
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
  const active = clients.filter((c) => c.count > 0);
  if (active.length === 0) throw new RangeError('federatedAveraging: no client has any examples');
  const global = createModel();
  const history: FederatedRound[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const start = global.getWeights();
    const results: tf.Tensor[][] = [];
    try {
      for (const [c, client] of active.entries()) {
        const local = createModel();
        try {
          local.setWeights(start);
          await trainCnn(local, { train: client }, { epochs: options.localEpochs ?? 1, batchSize: options.batchSize ?? 32, seed: seed + round * 1000 + c });
          results.push(local.getWeights().map((w) => w.clone()));
        } finally {
          local.dispose();
        }
      }
      const averaged = averageWeights(results, active.map((c) => c.count));
      global.setWeights(averaged);
      tf.dispose(averaged);
    } finally {
      results.forEach((set) => tf.dispose(set));
    }
    const record: FederatedRound = {
      round,
      clientSamples: active.map((c) => c.count),
      ...(options.validation && options.validation.count > 0 ? { valAccuracy: (await evaluate(global, options.validation)).accuracy } : {}),
    };
    history.push(record);
    options.onRound?.(record);
  }
  return { model: global, rounds: history };
}
