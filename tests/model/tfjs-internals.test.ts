/**
 * The touchpoints: each tfjs internal the project relies on, checked on the installed tfjs. A tfjs
 * upgrade that changes one fails here, by name. Each also refuses a stand-in without the internal
 * with a `TfjsInternalsError` naming it (what the library would meet after such an upgrade).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adamStateOf, writeAdamState } from '../../src/model/adam';
import { selectBackend } from '../../src/model/backend';
import {
  adamBetaPowers,
  compiledLossOf,
  nodeBackendUsesGpu,
  TFJS_TOUCHPOINTS,
  TfjsInternalsError,
  trainingConfigOf,
  wasmHeapOf,
  WASM_WRAPPED_KERNELS,
  wasmKernel,
  webgpuTensorRecord,
  type TfjsTouchpoint,
} from '../../src/model/tfjs-internals';

function smallModel(optimizer: tf.Optimizer | string = tf.train.adam(0.01)): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax', kernelInitializer: 'ones' })] });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function trainTwice(model: tf.LayersModel): Promise<void> {
  const xs = tf.tensor2d([[1, 2, 3], [0, -1, 2]]);
  const ys = tf.tensor2d([[1, 0], [0, 1]]);
  try {
    for (let i = 0; i < 2; i += 1) await model.trainOnBatch(xs, ys);
  } finally {
    tf.dispose([xs, ys]);
  }
}

function expectNamed(fn: () => unknown, touchpoint: TfjsTouchpoint): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TfjsInternalsError);
  expect((thrown as TfjsInternalsError).touchpoint).toBe(touchpoint);
  expect((thrown as Error).message).toContain(TFJS_TOUCHPOINTS[touchpoint]);
  expect((thrown as Error).message).toContain(`tfjs ${tf.version.tfjs}`);
}

/** One check per touchpoint: what it relies on, on the installed tfjs. */
const checks: Record<TfjsTouchpoint, () => Promise<void>> = {
  async adamBetaPowers() {
    await tf.setBackend('cpu');
    const model = smallModel();
    await trainTwice(model);
    const { accBeta1, accBeta2 } = adamBetaPowers(model.optimizer);
    // β1ᵗ for the next (third) step: tfjs starts at β1 and multiplies once per step, in float32.
    const product = (beta: number) => Math.fround(Math.fround(beta * beta) * beta);
    expect((await accBeta1.data())[0]).toBe(product(Math.fround(0.9)));
    expect((await accBeta2.data())[0]).toBe(product(Math.fround(0.999)));
    // The rest of the state goes through the public getWeights / setWeights: a round trip keeps every
    // value and every β power exactly, and leaves no tensor behind.
    const state = (await adamStateOf(model))!;
    expect(state.iterations).toBe(2);
    const before = tf.memory().numTensors;
    state.m[0]![0] = 0.125;
    await writeAdamState(model, state);
    await writeAdamState(model, state);
    expect(tf.memory().numTensors).toBe(before);
    const again = (await adamStateOf(model))!;
    expect(again).toEqual(state);
    expectNamed(() => adamBetaPowers({ getClassName: () => 'Adam' } as unknown as tf.Optimizer), 'adamBetaPowers');
    model.dispose();
  },

  async compiledLoss() {
    await tf.setBackend('cpu');
    const sequential = smallModel();
    const input = tf.input({ shape: [3] });
    const functional = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(input) as tf.SymbolicTensor });
    functional.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['accuracy'] });
    for (const model of [sequential, functional]) {
      const compiled = compiledLossOf(model)!;
      expect(compiled.lossFunctions).toHaveLength(1);
      expect(compiled.metricFunctions).toHaveLength(1);
      const yTrue = tf.tensor2d([[1, 0]]);
      const yPred = tf.tensor2d([[0.75, 0.25]]);
      const loss = compiled.lossFunctions[0]!(yTrue, yPred);
      expect((await loss.data())[0]).toBeGreaterThan(0);
      expect(compiled.penalties()).toEqual([]);
      tf.dispose([yTrue, yPred, loss]);
      model.dispose();
    }
    expect(compiledLossOf(tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] }))).toBeUndefined();
    expectNamed(() => compiledLossOf({ optimizer: {}, lossFunctions: [() => 0], metricsTensors: [] } as unknown as tf.LayersModel), 'compiledLoss');
  },

  async trainingConfig() {
    const model = smallModel('sgd');
    const config = trainingConfigOf(model)!;
    expect(config.loss).toBe('categorical_crossentropy');
    expect((config.optimizer_config as { class_name?: unknown }).class_name).toBe('SGD');
    expect(config.metrics).toEqual(['accuracy']);
    expect(trainingConfigOf(tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] }))).toBeUndefined();
    expectNamed(() => trainingConfigOf({ optimizer: {} } as unknown as tf.LayersModel), 'trainingConfig');
    model.dispose();
  },

  async wasmHeap() {
    await tf.setBackend('wasm');
    const heap = wasmHeapOf(tf.backend());
    const made = heap.makeOutput([2, 2], 'float32');
    heap.typedArrayFromHeap(made).set([1, 2, 3, 4]);
    // What the kernel wrote into the view is the tensor's value.
    const tensor = tf.engine().makeTensorFromTensorInfo(made);
    expect([...(await tensor.data())]).toEqual([1, 2, 3, 4]);
    tensor.dispose();
    const other = tf.tensor1d([5, 6]);
    expect([...heap.typedArrayFromHeap(other)]).toEqual([5, 6]);
    other.dispose();
    expectNamed(() => wasmHeapOf(tf.findBackend('cpu')), 'wasmHeap');
  },

  async webgpuTensorMap() {
    // The real backend is checked where a WebGPU adapter exists: webgpu-swiftshader.test.ts reads a
    // tensor synchronously and gets WebGpuSyncReadError, which needs this record.
    const dataId = {};
    const backend = { tensorMap: new Map([[dataId, { dtype: 'float32', shape: [2, 3] }]]) };
    expect(webgpuTensorRecord(backend, dataId)).toEqual({ dtype: 'float32', shape: [2, 3] });
    expectNamed(() => webgpuTensorRecord({}, dataId), 'webgpuTensorMap');
    expectNamed(() => webgpuTensorRecord({ tensorMap: new Map() }, dataId), 'webgpuTensorMap');
  },

  async nodeGpuBinding() {
    // tfjs-node does not install here (its install downloads libtensorflow): the shape tfjs-node 4.22's
    // NodeJSKernelBackend has, and one without it.
    expect(nodeBackendUsesGpu({ binding: { isUsingGpuDevice: () => true } })).toBe(true);
    expect(nodeBackendUsesGpu({ binding: { isUsingGpuDevice: () => false } })).toBe(false);
    expectNamed(() => nodeBackendUsesGpu({ binding: {} }), 'nodeGpuBinding');
    expectNamed(() => nodeBackendUsesGpu(tf.findBackend('cpu')), 'nodeGpuBinding');
  },

  async wasmKernels() {
    await tf.setBackend('wasm');
    for (const name of WASM_WRAPPED_KERNELS) expect(typeof wasmKernel(name).kernelFunc, name).toBe('function');
    // The kernel the training kernels replace outright exists too (they are checked against it).
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')).toBeDefined();
  },
};

describe('the tfjs internals the project relies on', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('has a check for every touchpoint it names, and names every one it checks', () => {
    expect(Object.keys(checks).sort()).toEqual(Object.keys(TFJS_TOUCHPOINTS).sort());
  });

  for (const [touchpoint, what] of Object.entries(TFJS_TOUCHPOINTS)) {
    it(`${touchpoint}: ${what}`, () => checks[touchpoint as TfjsTouchpoint]());
  }
});
