import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherBatch, takeSplit, type PreparedDigits } from '../../src/data/prepare';
import { selectBackend } from '../../src/model/backend';
import { createCnn } from '../../src/model/cnn';
import { evaluate } from '../../src/model/evaluate';
import { readTrainableWeights, trainableVariables } from '../../src/model/gradients';
import { createTrainingPool, shareSizes, TrainingInterruptedError, TrainingPoolError, type TrainingPool, type TrainingPoolOptions } from '../../src/model/pool';
import { TRAINING_THREADS_ENV } from '../../src/model/threads';
import { defaultTrainingThreads, trainCnn } from '../../src/model/train';
import { defaultFederatedThreads } from '../../src/privacy/federated';
import { smokeDigits } from './smoke';
import { expectClose } from './expect-close';

/** OS threads of this process (Linux): a worker thread that has exited is gone from this list. */
function osThreads(): number {
  return readdirSync('/proc/self/task').length;
}

type Batch = { images: Float32Array; targets: Float32Array; count: number };
interface Twins {
  /** Trained with `trainOnBatch` on this thread: the reference. */
  single: tf.LayersModel;
  /** The same model (same seed) behind `pool`. */
  parallel: tf.LayersModel;
  pool: TrainingPool;
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
}

/** Runs `body` with two copies of the article network, one behind a pool of `threads`, and `b` as tensors; disposes all after. */
async function withTwins(seed: number, b: Batch, options: TrainingPoolOptions, body: (twins: Twins) => Promise<void>): Promise<void> {
  const single = createCnn({ seed });
  const parallel = createCnn({ seed });
  const xs = tf.tensor4d(b.images, [b.count, 28, 28, 1]);
  const ys = tf.tensor2d(b.targets, [b.count, 10]);
  const pool = await createTrainingPool(parallel, options);
  try {
    await body({ single, parallel, pool, xs, ys });
  } finally {
    await pool.close();
    tf.dispose([xs, ys]);
    single.dispose();
    parallel.dispose();
  }
}

async function expectSameWeights(actual: tf.LayersModel, expected: tf.LayersModel, when: string): Promise<void> {
  const want = await readTrainableWeights(expected);
  (await readTrainableWeights(actual)).forEach((w, i) => expectClose(w, want[i]!, `weight ${i} ${when}`));
}

const dir = mkdtempSync(join(tmpdir(), 'pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data-parallel training on worker threads', () => {
  let data: PreparedDigits;
  let batch: Batch;
  let baseline: number;
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
    data = await smokeDigits();
    const indices = Int32Array.from({ length: 50 }, (_, i) => i);
    const gathered = gatherBatch(data.train, indices);
    batch = { images: gathered.images, targets: gathered.oneHot, count: indices.length };
    // Let the thread pools Node starts lazily (file system, wasm compilation) exist before counting.
    await trainCnn(createCnn({ seed: 1, filters: 2, denseUnits: 4 }), { train: takeSplit(data.train, 8) }, { epochs: 1, threads: 1 });
    baseline = osThreads();
  });

  it('splits a batch into shares differing by at most one sample', () => {
    expect(shareSizes(50, 3)).toEqual([17, 17, 16]);
    expect(shareSizes(64, 2)).toEqual([32, 32]);
    expect(shareSizes(1, 2)).toEqual([1, 0]);
  });

  it("averages the threads' gradients to the gradient of the whole batch's mean loss", async () => {
    const model = createCnn({ seed: 5 });
    const xs = tf.tensor4d(batch.images, [batch.count, 28, 28, 1]);
    const ys = tf.tensor2d(batch.targets, [batch.count, 10]);
    // Reference on this thread, from tfjs' own loss (not the code under test).
    const reference = tf.variableGrads(() => tf.mean(tf.metrics.categoricalCrossentropy(ys, model.apply(xs) as tf.Tensor)) as tf.Scalar, trainableVariables(model));
    const pool = await createTrainingPool(model, { threads: 3 });
    try {
      // The article network: every thread computes with the fused pass.
      expect(pool.fused).toBe(true);
      const averaged = await pool.gradients(batch);
      expect(averaged.count).toBe(50);
      trainableVariables(model).forEach((v, i) => expectClose(averaged.gradients[i]!, reference.grads[v.name]!.dataSync(), `gradient of ${v.name}`));
      expect(averaged.loss).toBeCloseTo(reference.value.dataSync()[0]!, 5);
    } finally {
      expect(await pool.close()).toHaveLength(3);
      tf.dispose([xs, ys, reference.value, reference.grads]);
      model.dispose();
    }
    expect(osThreads()).toBeLessThanOrEqual(baseline);
  });

  it('after one step holds the weights, loss and accuracy of trainOnBatch on the same batch', async () => {
    await withTwins(6, batch, { threads: 2 }, async ({ single, parallel, pool, xs, ys }) => {
      for (let step = 0; step < 2; step += 1) {
        const [loss, accuracy] = (await single.trainOnBatch(xs, ys)) as number[];
        const result = await pool.trainStep(batch);
        await pool.syncModel();
        expect(result.loss).toBeCloseTo(loss!, 5);
        expect(result.metric).toBeCloseTo(accuracy!, 6);
        await expectSameWeights(parallel, single, `after step ${step + 1}`);
      }
      // Adam's state went back to the model too: a further step on this thread still agrees.
      await pool.close();
      expect(parallel.optimizer.iterations).toBe(2);
      await single.trainOnBatch(xs, ys);
      await parallel.trainOnBatch(xs, ys);
      await expectSameWeights(parallel, single, 'after a third step on this thread');
    });
  });

  it('takes a step with more threads than samples, the threads without a share still updating their range', async () => {
    const two = { images: batch.images.slice(0, 2 * 784), targets: batch.targets.slice(0, 20), count: 2 };
    await withTwins(7, two, { threads: 3 }, async ({ single, parallel, pool, xs, ys }) => {
      const [loss] = (await single.trainOnBatch(xs, ys)) as number[];
      const result = await pool.trainStep(two);
      expect(result.count).toBe(2);
      expect(result.loss).toBeCloseTo(loss!, 5);
      await pool.syncModel();
      await expectSameWeights(parallel, single, 'after the step');
    });
    expect(osThreads()).toBeLessThanOrEqual(baseline);
  });

  it('releases a thread waiting at the step barrier when another fails, and leaves none behind', async () => {
    const model = createCnn({ seed: 1 });
    const pool = await createTrainingPool(model, { threads: 2 });
    // One pixel too many: the first share is whole and reaches the barrier, the second is not.
    const images = new Float32Array(batch.images.length + 1);
    images.set(batch.images);
    await expect(pool.trainStep({ images, targets: batch.targets, count: batch.count })).rejects.toThrow(/training thread 1: .*pixel values/);
    await expect(pool.trainStep(batch)).rejects.toThrow(/training thread 1: /);
    expect(await pool.close()).toHaveLength(2);
    expect(osThreads()).toBeLessThanOrEqual(baseline);
    model.dispose();
  });

  it('takes one call at a time: an overlapping call is refused by name, the one in flight ends, and the pool goes on', async () => {
    await withTwins(9, batch, { threads: 2 }, async ({ single, parallel, pool, xs, ys }) => {
      const stepping = pool.trainStep(batch);
      await expect(pool.gradients(batch)).rejects.toThrow(/gradients\(\) called while trainStep\(\) is in flight/);
      await expect(pool.trainStep(batch)).rejects.toThrow(/trainStep\(\) called while trainStep\(\) is in flight/);
      await expect(pool.trainLocal([])).rejects.toThrow(/trainLocal\(\) called while trainStep\(\) is in flight/);
      expect((await stepping).count).toBe(50);
      expect((await pool.trainStep(batch)).count).toBe(50);
      await pool.syncModel();
      await single.trainOnBatch(xs, ys);
      await single.trainOnBatch(xs, ys);
      await expectSameWeights(parallel, single, 'after two steps around refused calls');
    });
    expect(osThreads()).toBeLessThanOrEqual(baseline);
  });

  it('closes its threads and its SIGINT listener when reading the model fails after they started', async () => {
    const model = createCnn({ seed: 1 });
    // Adam's first-moment decay, a variable the pool reads once the threads run: disposed, the read fails.
    (model.optimizer as unknown as { accBeta1: tf.Variable }).accBeta1.dispose();
    const listeners = process.listenerCount('SIGINT');
    await expect(createTrainingPool(model, { threads: 2 })).rejects.toThrow(/disposed/);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    await expect.poll(osThreads, { timeout: 10_000 }).toBeLessThanOrEqual(baseline);
    model.dispose();
  });

  it('lets a step in flight end whole when interrupted: the weights are never part of a step on', async () => {
    const controller = new AbortController();
    await withTwins(8, batch, { threads: 2, signal: controller.signal }, async ({ single, parallel, pool, xs, ys }) => {
      const stepping = pool.trainStep(batch);
      controller.abort();
      expect((await stepping).count).toBe(50);
      await expect(pool.trainStep(batch)).rejects.toThrow(TrainingInterruptedError);
      await pool.syncModel();
      await single.trainOnBatch(xs, ys);
      await expectSameWeights(parallel, single, 'after the step in flight');
      expect(parallel.optimizer.iterations).toBe(1);
    });
    expect(osThreads()).toBeLessThanOrEqual(baseline);
  });

  it('trains through trainCnn with the same history shape and accuracy as one thread', async () => {
    const train = takeSplit(data.train, 640);
    const histories = [];
    const accuracies = [];
    for (const threads of [1, 2]) {
      const model = createCnn({ seed: 2 });
      const seen: string[] = [];
      const history = await trainCnn(model, { train, validation: data.validation }, { epochs: 2, batchSize: 32, seed: 3, threads, onProgress: (p) => seen.push(p.kind) });
      expect(history.threads).toBe(threads);
      expect(seen.filter((k) => k === 'batch')).toHaveLength(40);
      expect(seen.filter((k) => k === 'epoch')).toHaveLength(2);
      histories.push(history);
      accuracies.push((await evaluate(model, data.test)).accuracy);
      model.dispose();
    }
    // Same batches, same start: only float rounding differs.
    expect(histories[1]!.history.loss[0]!).toBeCloseTo(histories[0]!.history.loss[0]!, 3);
    expect(Math.abs(accuracies[1]! - accuracies[0]!)).toBeLessThanOrEqual(0.03);
    expect(osThreads()).toBeLessThanOrEqual(baseline);
  });

  it('uses every core by default on wasm for a run long enough to pay for the threads', () => {
    const model = createCnn({ seed: 1, filters: 2, denseUnits: 4 });
    expect(defaultTrainingThreads(model, 1250, 64, 2)).toBe(2);
    expect(defaultTrainingThreads(model, 1250, 64, 1)).toBe(1);
    expect(defaultTrainingThreads(model, 10, 64, 2)).toBe(1);
    model.dispose();
  });

  it("takes this kernel's share of the cores from LLM_PRICE_LAB_TRAINING_THREADS, which the runner sets", () => {
    const model = createCnn({ seed: 1, filters: 2, denseUnits: 4 });
    const before = process.env[TRAINING_THREADS_ENV];
    try {
      process.env[TRAINING_THREADS_ENV] = '1';
      expect(defaultTrainingThreads(model, 1250, 64)).toBe(1);
      expect(defaultFederatedThreads(model, 4)).toBe(1);
      process.env[TRAINING_THREADS_ENV] = '2';
      expect(defaultTrainingThreads(model, 1250, 64)).toBe(2);
      expect(defaultFederatedThreads(model, 4)).toBe(2);
      process.env[TRAINING_THREADS_ENV] = 'all';
      expect(() => defaultTrainingThreads(model, 1250, 64)).toThrow('LLM_PRICE_LAB_TRAINING_THREADS = "all" is not a positive integer');
    } finally {
      if (before === undefined) delete process.env[TRAINING_THREADS_ENV];
      else process.env[TRAINING_THREADS_ENV] = before;
      model.dispose();
    }
  });

  it('stops every thread when one fails, naming the thread and the problem', async () => {
    const model = createCnn({ seed: 1 });
    const pool = await createTrainingPool(model, { threads: 2 });
    const broken = { images: batch.images.subarray(0, 100), targets: batch.targets, count: batch.count };
    await expect(pool.gradients(broken)).rejects.toThrow(TrainingPoolError);
    await expect(pool.gradients(batch)).rejects.toThrow(/training thread \d: /);
    const codes = await pool.close();
    expect(codes).toHaveLength(2);
    expect(osThreads()).toBeLessThanOrEqual(baseline);
    model.dispose();
  });

  it('reports a thread that dies mid-step and leaves none behind', async () => {
    const entry = join(dir, 'dies.cjs');
    writeFileSync(
      entry,
      `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.kind === 'init') parentPort.postMessage({ kind: 'ready', backend: 'none' });
  else if (m.kind === 'share') parentPort.postMessage({ kind: 'shared' });
  else process.exit(7);
});
`,
    );
    const model = createCnn({ seed: 1, filters: 2, denseUnits: 4 });
    const pool = await createTrainingPool(model, { threads: 2, entry });
    await expect(pool.trainStep(batch)).rejects.toThrow(/training thread \d: exited unexpectedly with code 7/);
    expect(await pool.close()).toContain(7);
    expect(osThreads()).toBeLessThanOrEqual(baseline);
    model.dispose();
  });

  it('stops the threads on an abort signal and on SIGINT (a kernel interrupt)', async () => {
    const train = takeSplit(data.train, 640);
    const controller = new AbortController();
    const model = createCnn({ seed: 1 });
    const run = trainCnn(model, { train }, { epochs: 1, batchSize: 16, threads: 2, signal: controller.signal, onProgress: (p) => p.kind === 'batch' && p.batch === 2 && controller.abort() });
    await expect(run).rejects.toThrow(/abort/i);
    expect(osThreads()).toBeLessThanOrEqual(baseline);

    // Another SIGINT listener (as the kernel has) keeps the signal from ending this test process.
    const kernelLike = (): void => undefined;
    const listeners = process.listenerCount('SIGINT');
    process.on('SIGINT', kernelLike);
    try {
      const interrupted = trainCnn(model, { train }, { epochs: 1, batchSize: 16, threads: 2, onProgress: (p) => p.kind === 'batch' && p.batch === 2 && process.kill(process.pid, 'SIGINT') });
      await expect(interrupted).rejects.toThrow(TrainingInterruptedError);
    } finally {
      process.off('SIGINT', kernelLike);
    }
    expect(osThreads()).toBeLessThanOrEqual(baseline);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    model.dispose();
  });
});
