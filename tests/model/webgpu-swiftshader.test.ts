/**
 * The webgpu backend checked against the cpu backend on SwiftShader, Chromium's Vulkan on the CPU:
 * the ops the article's CNN uses, one training step of the CNN, and backend selection with a software
 * adapter. Shapes are tiny because every new shape compiles new shaders, which is slow on SwiftShader.
 * Without a Vulkan driver, one test records why and the others are skipped.
 */
import * as tf from '@tensorflow/tfjs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/data/random';
import { MIME_BUNDLE } from '../../src/display';
import { BackendUnavailableError, selectBackend } from '../../src/model/backend';
import { pruneModel } from '../../src/compress/prune';
import { quantizeModel } from '../../src/compress/quantize';
import { takeSplit } from '../../src/data/prepare';
import { createCnn } from '../../src/model/cnn';
import { evaluate, predict, scorePredictions } from '../../src/model/evaluate';
import { trainCnn } from '../../src/model/train';
import {
  findSwiftShaderIcd,
  findVulkanLoader,
  probeWebGpu,
  releaseWebGpu,
  SWIFTSHADER_ICD_PATHS,
  WebGpuSyncReadError,
  type WebGpuProbe,
} from '../../src/model/webgpu';
import { backendTable } from '../../src/show/model';
import { smokeDigits } from './smoke';

// Dawn reads these when it first starts Vulkan, so before the probe below. SwiftShader only, also on
// a machine with a GPU: these tests are about the software adapter.
const swiftShaderIcd = findSwiftShaderIcd();
if (swiftShaderIcd !== undefined) process.env.VK_ICD_FILENAMES = swiftShaderIcd;
process.env.XDG_RUNTIME_DIR ??= tmpdir();

const probe: WebGpuProbe =
  swiftShaderIcd === undefined
    ? { kind: 'no adapter', reason: `Chromium's SwiftShader Vulkan driver is not installed (none of ${SWIFTSHADER_ICD_PATHS.join(', ')})` }
    : await probeWebGpu();
const adapter = probe.kind === 'adapter' ? probe : undefined;
const unavailable = probe.kind === 'adapter' ? undefined : probe.reason;

/** Loads packages for real, except the native TensorFlow ones, which are missing as on most machines. */
function withoutNative(name: string): unknown {
  if (name.startsWith('@tensorflow/tfjs-node')) throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
  return require(name);
}

describe('WebGPU on SwiftShader', () => {
  it(`runs here, or says once why not: ${adapter ? `adapter ${adapter.info.description}` : `skipped, ${unavailable}`}`, () => {
    if (adapter !== undefined) {
      expect(adapter.info.architecture).toBe('swiftshader');
      expect(adapter.software, 'SwiftShader must be recognised as a software adapter').toBeDefined();
      return;
    }
    expect(unavailable).toMatch(/\S/);
    console.warn(`WebGPU on SwiftShader: the other tests of this file are skipped: ${unavailable}`);
    // Where setup installed what this needs (Chromium's SwiftShader, libvulkan1, the npm packages),
    // no adapter is a failure, not a reason to skip.
    const installed = swiftShaderIcd !== undefined && findVulkanLoader() !== undefined && probe.kind !== 'not installed';
    expect(installed, `SwiftShader and the Vulkan loader are installed, yet: ${unavailable}`).toBe(false);
  });
});

const random = createRandom(20240607);
/** Seeded values in [-1, 1). */
function values(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => random() * 2 - 1);
}

/** Runs `f` on `backend` and reads its outputs asynchronously (webgpu cannot read synchronously in Node). */
async function on(backend: 'cpu' | 'webgpu', f: () => tf.Tensor | tf.Tensor[]): Promise<{ shape: number[]; data: Float32Array }[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  try {
    return await Promise.all(list.map(async (t) => ({ shape: t.shape, data: (await t.data()) as Float32Array })));
  } finally {
    tf.dispose(list);
  }
}

/** Every element within `atol + rtol·|expected|`; names the worst element otherwise. */
function expectClose(actual: Float32Array, expected: Float32Array, what: string, atol = 1e-5, rtol = 1e-4): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i += 1) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (atol + rtol * Math.abs(expected[i]!));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = excess;
    }
  }
  expect(worst, worst < 0 ? what : `${what}[${worst}]: webgpu ${actual[worst]} vs cpu ${expected[worst]}`).toBe(-1);
}

/** The same computation on cpu and webgpu agrees, output by output. */
async function expectSameOnBoth(what: string, f: () => tf.Tensor | tf.Tensor[], atol?: number): Promise<void> {
  const cpu = await on('cpu', f);
  const gpu = await on('webgpu', f);
  expect(gpu.map((o) => o.shape)).toEqual(cpu.map((o) => o.shape));
  cpu.forEach((expected, i) => {
    expect(expected.data.some((v) => v !== 0), `${what} output ${i} is not all zeros`).toBe(true);
    expectClose(gpu[i]!.data, expected.data, `${what} output ${i}`, atol);
  });
}

describe.skipIf(adapter === undefined)('the webgpu backend on SwiftShader agrees with cpu', () => {
  beforeAll(async () => {
    const report = await selectBackend({ backend: 'webgpu', env: {} });
    expect(report.chosen).toBe('webgpu');
  }, 120_000);

  afterAll(async () => {
    releaseWebGpu();
    await tf.setBackend('cpu');
  });

  it('conv2d and both its gradients (input and filter), valid stride 1 and same stride 2', async () => {
    for (const [padding, stride, outSide] of [['valid', 1, 4], ['same', 2, 3]] as const) {
      const x = values(2 * 6 * 6 * 2);
      const filter = values(3 * 3 * 2 * 3);
      const weights = values(2 * outSide * outSide * 3);
      await expectSameOnBoth(`conv2d ${padding}/${stride}`, () => {
        const xs = tf.tensor4d(x, [2, 6, 6, 2]);
        const fs = tf.tensor4d(filter, [3, 3, 2, 3]);
        const w = tf.tensor4d(weights, [2, outSide, outSide, 3]);
        const forward = tf.conv2d(xs, fs, stride, padding);
        // Weighting the output makes dy vary, so the gradients are not sums of ones.
        const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, padding).mul(w).sum())([xs, fs]);
        return [forward, dx!, dFilter!];
      });
    }
  }, 120_000);

  it('max-pooling 2x2 and its gradient', async () => {
    const x = values(2 * 6 * 6 * 3);
    const weights = values(2 * 3 * 3 * 3);
    await expectSameOnBoth('maxPool', () => {
      const xs = tf.tensor4d(x, [2, 6, 6, 3]);
      const w = tf.tensor4d(weights, [2, 3, 3, 3]);
      const pooled = tf.maxPool(xs, 2, 2, 'valid');
      const dx = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').mul(w).sum())(xs);
      return [pooled, dx];
    });
  }, 120_000);

  it('matMul, also with either side transposed (as a dense layer backward pass uses)', async () => {
    const a = values(5 * 7);
    const b = values(7 * 4);
    const c = values(5 * 3);
    await expectSameOnBoth('matMul', () => {
      const as = tf.tensor2d(a, [5, 7]);
      const bs = tf.tensor2d(b, [7, 4]);
      const cs = tf.tensor2d(c, [5, 3]);
      // [5,7]·[7,4]; [5,7]ᵀ·[5,3] (a weight gradient); [5,7]·([7,4]ᵀ)ᵀ (an input gradient).
      return [tf.matMul(as, bs), tf.matMul(as, cs, true, false), tf.matMul(as, bs.transpose(), false, true)];
    });
  }, 120_000);

  it('softmax cross-entropy and its gradient, as tf.losses computes it and as the CNN does (softmax, then categorical cross-entropy)', async () => {
    const logits = values(6 * 10).map((v) => v * 3);
    const labels = new Float32Array(6 * 10);
    for (let i = 0; i < 6; i += 1) labels[i * 10 + ((i * 7) % 10)] = 1;
    await expectSameOnBoth('cross-entropy', () => {
      const z = tf.tensor2d(logits, [6, 10]);
      const y = tf.tensor2d(labels, [6, 10]);
      const lossOf = (t: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, t);
      const layersLossOf = (t: tf.Tensor) => tf.metrics.categoricalCrossentropy(y, tf.softmax(t)).mean();
      return [lossOf(z), tf.grad(lossOf)(z), layersLossOf(z), tf.grad(layersLossOf)(z)];
    });
  }, 120_000);

  it("Adam's update over three steps", async () => {
    const start = values(3 * 4);
    const gradients = [values(12), values(12), values(12)];
    const trained = async (backend: 'cpu' | 'webgpu'): Promise<Float32Array> => {
      expect(await tf.setBackend(backend)).toBe(true);
      const variable = tf.variable(tf.tensor2d(start, [3, 4]));
      const adam = tf.train.adam(0.01);
      try {
        for (const g of gradients) {
          const gradient = tf.tensor2d(g, [3, 4]);
          adam.applyGradients([{ name: variable.name, tensor: gradient }]);
          gradient.dispose();
        }
        return (await variable.data()) as Float32Array;
      } finally {
        adam.dispose();
        variable.dispose();
      }
    };
    const cpu = await trained('cpu');
    const gpu = await trained('webgpu');
    expect(Math.max(...cpu.map((v, i) => Math.abs(v - start[i]!))), 'Adam moved the weights').toBeGreaterThan(0.01);
    expectClose(gpu, cpu, 'Adam');
  }, 120_000);

  it("one training step of the article's CNN on 16 images gives the cpu backend's weights", async () => {
    const images = Float32Array.from({ length: 16 * 28 * 28 }, () => random());
    const oneHot = new Float32Array(16 * 10);
    for (let i = 0; i < 16; i += 1) oneHot[i * 10 + (i % 10)] = 1;
    let initial: Float32Array[] | undefined;
    const step = async (backend: 'cpu' | 'webgpu'): Promise<{ loss: number; weights: Float32Array[] }> => {
      expect(await tf.setBackend(backend)).toBe(true);
      const model = createCnn({ seed: 7 });
      try {
        if (initial === undefined) initial = (await Promise.all(model.getWeights().map((w) => w.data()))) as Float32Array[];
        else model.setWeights(model.getWeights().map((w, i) => tf.tensor(initial![i]!, w.shape)));
        const xs = tf.tensor4d(images, [16, 28, 28, 1]);
        const ys = tf.tensor2d(oneHot, [16, 10]);
        const result = await model.trainOnBatch(xs, ys);
        tf.dispose([xs, ys]);
        const loss = Array.isArray(result) ? result[0]! : result;
        return { loss, weights: (await Promise.all(model.getWeights().map((w) => w.data()))) as Float32Array[] };
      } finally {
        model.dispose();
      }
    };
    const cpu = await step('cpu');
    const gpu = await step('webgpu');
    expect(gpu.loss).toBeCloseTo(cpu.loss, 4);
    const names = ['conv kernel', 'conv bias', 'dense kernel', 'dense bias', 'output kernel', 'output bias'];
    cpu.weights.forEach((expected, i) => {
      const moved = expected.reduce((m, v, j) => Math.max(m, Math.abs(v - initial![i]![j]!)), 0);
      // Adam's first step moves each weight by about the learning rate (0.001) unless its gradient is 0.
      expect(moved, `${names[i]} moved`).toBeGreaterThan(5e-4);
      expectClose(gpu.weights[i]!, expected, names[i]!, 1e-4, 0);
    });
  }, 300_000);

  it("the CNN path end to end on webgpu: training with validation, evaluate, predict, prune, quantize (no synchronous read)", async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
    const digits = await smokeDigits();
    // Batches of 16, as the training step above: its shaders are compiled already.
    const train = takeSplit(digits.train, 32);
    const validation = takeSplit(digits.validation, 16);
    const test = takeSplit(digits.test, 16);
    const model = createCnn({ seed: 7 });
    const compressed: tf.LayersModel[] = [];
    try {
      const history = await trainCnn(model, { train, validation }, { epochs: 1, batchSize: 16, seed: 7 });
      expect(tf.getBackend()).toBe('webgpu');
      expect(history.threads).toBe(1);
      const epoch = history.epochs[0]!;
      expect(Number.isFinite(epoch.loss), `training loss ${epoch.loss}`).toBe(true);
      expect(epoch.valAccuracy, 'validation ran after the epoch').toBeGreaterThanOrEqual(0);
      expect(epoch.valLoss, 'validation loss').toBeGreaterThan(0);

      const evaluation = await evaluate(model, test, 16);
      expect(evaluation.count).toBe(16);
      expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(16);
      expect(evaluation.loss).toBeGreaterThan(0);
      const predictions = await predict(model, test, 16);
      expect(predictions.classCount).toBe(10);
      for (let i = 0; i < 16; i += 1) {
        const row = predictions.probabilities.subarray(i * 10, (i + 1) * 10);
        expect(row.reduce((a, b) => a + b, 0), `probabilities of image ${i}`).toBeCloseTo(1, 4);
        expect(row[predictions.classes[i]!]).toBe(Math.max(...row));
      }
      const scored = scorePredictions(predictions, test.labels);
      expect(scored.confusion).toEqual(evaluation.confusion);
      // Two runs on the GPU may sum in different orders: equal up to float rounding.
      expect(scored.loss).toBeCloseTo(evaluation.loss, 5);

      const pruned = await pruneModel(model, 0.5);
      compressed.push(pruned.model);
      expect(pruned.sparsity).toBeGreaterThanOrEqual(0.5);
      expect(pruned.prunedWeights).toBeGreaterThan(0);
      expect((await evaluate(pruned.model, test, 16)).count).toBe(16);
      const quantized = await quantizeModel(model);
      compressed.push(quantized.model);
      expect(quantized.int8Bytes).toBeLessThan(quantized.floatBytes / 3);
      expect(quantized.maxAbsError).toBeGreaterThan(0);
      expect(quantized.maxAbsError).toBeLessThan(0.01);
      expect((await evaluate(quantized.model, test, 16)).count).toBe(16);
      expect(tf.getBackend()).toBe('webgpu');

      // The same trained weights on the cpu backend predict the same probabilities.
      const trained = await Promise.all(model.getWeights().map(async (w) => ({ shape: w.shape, values: (await w.data()) as Float32Array })));
      expect(await tf.setBackend('cpu')).toBe(true);
      const onCpu = createCnn({ seed: 7 });
      compressed.push(onCpu);
      const weights = trained.map((w) => tf.tensor(w.values, w.shape));
      try {
        onCpu.setWeights(weights);
      } finally {
        tf.dispose(weights);
      }
      expectClose(predictions.probabilities, (await predict(onCpu, test, 16)).probabilities, 'probabilities on webgpu vs cpu', 1e-4, 1e-3);
    } finally {
      model.dispose();
      compressed.forEach((m) => m.dispose());
    }
  }, 300_000);

  it('refuses a synchronous read of GPU data with an error saying what to do', async () => {
    expect(await tf.setBackend('webgpu')).toBe(true);
    // Large enough to be computed on the GPU (tfjs keeps tiny results on the CPU).
    const t = tf.tidy(() => tf.fill([32, 32], 2).matMul(tf.fill([32, 32], 0.5)));
    try {
      expect(() => t.dataSync()).toThrow(WebGpuSyncReadError);
      expect(() => t.dataSync()).toThrow(/cannot read 1024 values from the GPU synchronously in Node.*await tensor\.data\(\)/);
      expect((await t.data()).every((v) => v === 32)).toBe(true);
    } finally {
      t.dispose();
    }
  });
});

describe.skipIf(adapter === undefined)('backend selection with a software adapter', () => {
  afterAll(async () => {
    releaseWebGpu();
    await tf.setBackend('cpu');
  });

  it('passes over SwiftShader in the automatic order and names it in the report', async () => {
    const report = await selectBackend({ env: {}, loadPackage: withoutNative });
    expect(report.chosen).toBe('wasm');
    const webgpu = report.attempts.find((a) => a.name === 'webgpu')!;
    expect(webgpu.outcome).toBe('passed over');
    expect(webgpu.reason).toMatch(/^the only adapter is SwiftShader driver [\d.]+ \(google, swiftshader\), a software renderer .*TFJS_BACKEND=webgpu/);
    expect(report.webgpuAdapter).toMatchObject({ architecture: 'swiftshader', hardware: false, isFallbackAdapter: true });
    const bundle = backendTable(report)[MIME_BUNDLE]();
    for (const type of ['text/plain', 'text/html', 'text/markdown']) {
      expect(bundle[type], type).toMatch(/WebGPU adapter: SwiftShader driver [\d.]+ \(google, swiftshader\), software/);
      expect(bundle[type], type).toMatch(/passed over/);
    }
  }, 120_000);

  it('uses SwiftShader when TFJS_BACKEND=webgpu asks for it, and refuses it when software is not allowed', async () => {
    const report = await selectBackend({ env: { TFJS_BACKEND: 'webgpu' } });
    expect(report.chosen).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(report.device).toMatch(/^CPU \(WebGPU on SwiftShader driver [\d.]+ \(google, swiftshader\), software\)$/);
    const refused = await selectBackend({ backend: 'webgpu', allowSoftwareAdapter: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BackendUnavailableError);
    expect((refused as BackendUnavailableError).attempts.find((a) => a.name === 'webgpu')?.outcome).toBe('passed over');
  }, 120_000);

  it('chooses webgpu automatically, after the native packages and before wasm, when the adapter is a GPU', async () => {
    // The real SwiftShader adapter, described as a GPU: the whole path runs, only the classification differs.
    const asGpu = async (): Promise<WebGpuProbe> => ({
      kind: 'adapter',
      adapter: adapter!.adapter,
      info: { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060', isFallbackAdapter: false },
      software: undefined,
    });
    const report = await selectBackend({ env: {}, loadPackage: withoutNative, probeWebGpu: asGpu });
    expect(report.attempts.map((a) => [a.name, a.outcome])).toEqual([
      ['tfjs-node-gpu', 'not installed'],
      ['tfjs-node', 'not installed'],
      ['webgpu', 'chosen'],
      ['wasm', 'not tried'],
      ['cpu', 'not tried'],
    ]);
    expect(report.device).toBe('GPU (WebGPU on NVIDIA GeForce RTX 3060 (nvidia, ampere))');
    expect(report.webgpuAdapter?.hardware).toBe(true);
    const sum = tf.tensor1d([1, 2, 3]).sum();
    expect(await sum.data()).toEqual(new Float32Array([6]));
    sum.dispose();
  }, 120_000);
});
