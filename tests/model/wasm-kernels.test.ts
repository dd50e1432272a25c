import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/model/backend';
import { registerWasmGradientKernels, restoreTfjsWasmKernels, WASM_KERNEL_LIMITS, WasmKernelUnsupportedError } from '../../src/model/wasm-kernels';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];

function seededValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Runs Conv2DBackpropFilter on one backend with the forward conv's output shape for dy. */
async function filterGradient(
  backend: 'wasm' | 'cpu',
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  seed: number,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(seededValues(xShape.reduce((a, b) => a * b), seed), xShape);
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, undefined, false, 'channelsLast');
  const dy = tf.tensor4d(seededValues(info.outShape.reduce((a, b) => a * b), seed + 1), info.outShape);
  try {
    const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
      strides,
      pad,
      dataFormat: 'NHWC',
      filterShape,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const out = { values: dw.dataSync() as Float32Array, shape: dw.shape };
    dw.dispose();
    return out;
  } finally {
    x.dispose();
    dy.dispose();
  }
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i += 1) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    const report = await selectBackend({ backend: 'wasm' });
    expect(report.chosen).toBe('wasm');
  });

  const strides: Array<number | [number, number]> = [1, 2, 3, [1, 2], [2, 1]];
  const pads: Pad[] = ['valid', 'same', 0, 1, 2, [[0, 0], [1, 0], [2, 1], [0, 0]]];
  const shapes: Array<{ x: [number, number, number, number]; f: [number, number, number, number] }> = [
    { x: [3, 9, 10, 2], f: [3, 3, 2, 4] },
    { x: [2, 8, 7, 1], f: [2, 4, 1, 5] },
    { x: [4, 6, 6, 3], f: [1, 1, 3, 2] },
  ];
  for (const s of strides) {
    for (const pad of pads) {
      it(`matches the cpu backend for strides ${JSON.stringify(s)}, pad ${JSON.stringify(pad)}`, async () => {
        for (const [k, shape] of shapes.entries()) {
          const wasm = await filterGradient('wasm', shape.x, shape.f, s, pad, 11 + k);
          const cpu = await filterGradient('cpu', shape.x, shape.f, s, pad, 11 + k);
          expect(wasm.shape).toEqual(shape.f);
          expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('matches the cpu backend where the patches would not fit and the convolution form is used', async () => {
    const limit = WASM_KERNEL_LIMITS.patchValues;
    WASM_KERNEL_LIMITS.patchValues = 0;
    try {
      for (const [s, pad] of [[1, 'valid'], [2, 'same'], [[1, 2], 1]] as Array<[number | [number, number], Pad]>) {
        for (const [k, shape] of shapes.entries()) {
          const wasm = await filterGradient('wasm', shape.x, shape.f, s, pad, 21 + k);
          const cpu = await filterGradient('cpu', shape.x, shape.f, s, pad, 21 + k);
          expect(wasm.shape).toEqual(shape.f);
          expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
        }
      }
    } finally {
      WASM_KERNEL_LIMITS.patchValues = limit;
    }
  });

  it('gives the same gradients as cpu through tf.grad on the model shape (28x28, 32 filters)', async () => {
    const grads = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(seededValues(8 * 28 * 28, 3), [8, 28, 28, 1]);
        const w = tf.tensor4d(seededValues(3 * 3 * 32, 4), [3, 3, 1, 32]);
        return tf.grad((wv: tf.Tensor) => tf.conv2d(x, wv as tf.Tensor4D, 1, 'valid').relu().square().sum())(w).dataSync() as Float32Array;
      });
    };
    const wasm = await grads('wasm');
    const cpu = await grads('cpu');
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-5);
  });

  it('leaves no intermediate tensors behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([2, 5, 5, 1]);
    const dy = tf.ones([2, 3, 3, 2]);
    const before = tf.memory().numTensors;
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const dataBefore = backend.numDataIds();
    const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 1, 2] } as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(Array.from(dw.dataSync())).toEqual(new Array(18).fill(18));
    dw.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(dataBefore);
    tf.dispose([x, dy]);
  });

  it('refuses NCHW and non-float inputs with a typed error naming the kernel', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1]);
    const dy = tf.ones([1, 2, 2, 1]);
    const run = (attrs: Record<string, unknown>, inputs = { x, dy }) => () =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, { strides: 1, pad: 'valid', filterShape: [3, 3, 1, 1], ...attrs } as unknown as tf.NamedAttrMap);
    expect(run({ dataFormat: 'NCHW' })).toThrow(WasmKernelUnsupportedError);
    expect(run({ dataFormat: 'NCHW' })).toThrow(/Conv2DBackpropFilter on the wasm backend: dataFormat 'NCHW' is not supported/);
    const xi = tf.ones([1, 4, 4, 1], 'int32');
    expect(run({ dataFormat: 'NHWC' }, { x: xi, dy })).toThrow(/dtype int32\/float32 is not supported/);
    const dyWrong = tf.ones([1, 3, 3, 1]);
    expect(run({ dataFormat: 'NHWC' }, { x, dy: dyWrong })).toThrow(/does not match the forward output/);
    tf.dispose([x, dy, xi, dyWrong]);
  });
});

/** Values with many exact ties (whole numbers in a small range), where max pooling must pick one position. */
function tiedValues(n: number, seed: number): Float32Array {
  return seededValues(n, seed).map((v) => Math.round(v * 2));
}

describe('wasm MaxPoolGrad (replacement)', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  async function poolGrad(backend: 'wasm' | 'cpu', values: Float32Array, shape: [number, number, number, number], filter: [number, number], strides: [number, number], pad: 'valid' | 'same' | number) {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor4d(values, shape);
      return tf.grad((input: tf.Tensor) => tf.maxPool(input as tf.Tensor4D, filter, strides, pad).mul(tf.range(1, 1 + tf.maxPool(x, filter, strides, pad).size).reshape(tf.maxPool(x, filter, strides, pad).shape)).sum())(x).dataSync() as Float32Array;
    });
  }

  const cases: Array<{ filter: [number, number]; strides: [number, number]; pad: 'valid' | 'same' | number }> = [
    { filter: [2, 2], strides: [2, 2], pad: 'valid' },
    { filter: [3, 3], strides: [1, 1], pad: 'same' },
    { filter: [3, 3], strides: [2, 2], pad: 'same' },
    { filter: [2, 3], strides: [1, 2], pad: 'valid' },
    { filter: [3, 3], strides: [2, 2], pad: 1 },
  ];
  for (const c of cases) {
    it(`routes gradients like the cpu backend for ${JSON.stringify(c)}, ties included`, async () => {
      for (const [k, values] of [seededValues(2 * 7 * 9 * 3, 5), tiedValues(2 * 7 * 9 * 3, 6)].entries()) {
        const wasm = await poolGrad('wasm', values, [2, 7, 9, 3], c.filter, c.strides, c.pad);
        const cpu = await poolGrad('cpu', values, [2, 7, 9, 3], c.filter, c.strides, c.pad);
        expect(relativeError(wasm, cpu), `values set ${k}`).toBeLessThan(1e-6);
      }
    });
  }

  it('matches cpu on the model shape (26x26 → 13x13, 2x2 stride 2), ties included', async () => {
    const shape: [number, number, number, number] = [4, 26, 26, 8];
    const n = shape.reduce((a, b) => a * b);
    for (const values of [seededValues(n, 8), tiedValues(n, 9), new Float32Array(n)]) {
      const wasm = await poolGrad('wasm', values, shape, [2, 2], [2, 2], 'valid');
      const cpu = await poolGrad('cpu', values, shape, [2, 2], [2, 2], 'valid');
      expect(relativeError(wasm, cpu)).toBeLessThan(1e-6);
    }
  });

  it('refuses non-float input', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1], 'int32');
    const dy = tf.ones([1, 2, 2, 1]);
    expect(() => tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: dy }, { filterSize: 2, strides: 2, pad: 'valid' } as unknown as tf.NamedAttrMap)).toThrow(
      /MaxPoolGrad on the wasm backend: dtype int32\/float32 is not supported/,
    );
    tf.dispose([x, dy]);
  });
});

describe('wasm BatchMatMul with transposed operands (replacement)', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  const shapes: Array<{ a: number[]; b: number[] }> = [
    { a: [7, 5], b: [5, 4] },
    { a: [3, 7, 5], b: [3, 5, 4] },
    { a: [1, 7, 5], b: [3, 5, 4] },
  ];
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`multiplies like the cpu backend with transposeA=${transposeA}, transposeB=${transposeB}`, async () => {
        for (const [k, s] of shapes.entries()) {
          const swap = (shape: number[]) => [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!];
          const aShape = transposeA ? swap(s.a) : s.a;
          const bShape = transposeB ? swap(s.b) : s.b;
          const product = async (backend: 'wasm' | 'cpu') => {
            await tf.setBackend(backend);
            return tf.tidy(() => {
              const a = tf.tensor(seededValues(aShape.reduce((x, y) => x * y), 20 + k), aShape);
              const b = tf.tensor(seededValues(bShape.reduce((x, y) => x * y), 30 + k), bShape);
              return tf.matMul(a, b, transposeA, transposeB).dataSync() as Float32Array;
            });
          };
          expect(relativeError(await product('wasm'), await product('cpu'))).toBeLessThan(1e-6);
        }
      });
    }
  }

  it('registering again changes nothing and leaves no temporaries', async () => {
    expect(registerWasmGradientKernels()).toEqual([]);
    await tf.setBackend('wasm');
    const a = tf.ones([4, 3]);
    const b = tf.ones([5, 3]);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const c = tf.matMul(a, b, false, true);
    expect(Array.from(c.dataSync())).toEqual(new Array(20).fill(3));
    c.dispose();
    expect(backend.numDataIds()).toBe(before);
    tf.dispose([a, b]);
  });
});

describe('wasm Sum over leading axes (replacement)', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
    { shape: [16, 13, 13, 8], axis: [0, 1, 2], keepDims: false },
    { shape: [16, 13, 13, 8], axis: [2, 0, 1], keepDims: true },
    { shape: [2048, 5], axis: 0, keepDims: false },
    { shape: [40, 40, 3], axis: [0, 1], keepDims: false },
    { shape: [16, 13, 13, 8], axis: [1, 2], keepDims: false },
    { shape: [16, 13, 13, 8], axis: -1, keepDims: true },
    { shape: [8, 4], axis: 0, keepDims: false },
  ];
  for (const c of cases) {
    it(`sums like the cpu backend: ${JSON.stringify(c)}`, async () => {
      const values = seededValues(c.shape.reduce((a, b) => a * b), 40);
      const run = async (backend: 'wasm' | 'cpu') => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const out = tf.sum(tf.tensor(values, c.shape), c.axis, c.keepDims);
          return { shape: out.shape, values: out.dataSync() as Float32Array };
        });
      };
      const wasm = await run('wasm');
      const cpu = await run('cpu');
      expect(wasm.shape).toEqual(cpu.shape);
      expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
    });
  }

  it('leaves integer sums and memory as they were', async () => {
    await tf.setBackend('wasm');
    const ints = tf.ones([2048, 3], 'int32');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const total = tf.sum(ints, 0);
    expect(total.dtype).toBe('int32');
    expect(Array.from(total.dataSync())).toEqual([2048, 2048, 2048]);
    total.dispose();
    const floats = tf.ones([2048, 3]);
    const s = tf.sum(floats, 0);
    expect(Array.from(s.dataSync())).toEqual([2048, 2048, 2048]);
    tf.dispose([s, floats]);
    expect(backend.numDataIds()).toBe(before);
    ints.dispose();
  });
});

/**
 * The kernels above are registered for the whole process (tfjs' kernel registry is per backend), so
 * tfjs code that is not the project's gets them too. A network of another shape than the article's,
 * and plain operations, give within 1e-5 relative what tfjs' own wasm kernels give (put back with
 * `restoreTfjsWasmKernels`); the filter gradient, which tfjs' wasm lacks, is held to the pure-JS
 * backend's kernel on the same inputs above.
 */
describe("other tfjs code in the same process gets tfjs' results", () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
    registerWasmGradientKernels();
  });

  /** Every gradient of a small network's loss, and a few plain results, on wasm. */
  async function results(): Promise<Float32Array[]> {
    const x = tf.tensor4d(seededValues(6 * 17 * 15 * 3, 11), [6, 17, 15, 3]);
    const filter = tf.variable(tf.tensor4d(seededValues(5 * 5 * 3 * 8, 12), [5, 5, 3, 8]));
    const dense = tf.variable(tf.tensor2d(seededValues(5 * 4 * 8 * 5, 13), [5 * 4 * 8, 5]));
    const bias = tf.variable(tf.tensor1d(seededValues(8, 14)));
    try {
      const { grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          // Strided 'same' convolution with three channels, overlapping 3x3 pooling, a dense product.
          const conv = tf.relu(tf.add(tf.conv2d(x, filter, 2, 'same'), bias)) as tf.Tensor4D;
          const pooled = tf.maxPool(conv, 3, 2, 'same');
          const logits = tf.matMul(tf.reshape(pooled, [6, -1]), dense);
          return tf.sum(tf.square(tf.softmax(logits)));
        }),
      );
      const a = tf.tensor2d(seededValues(300 * 40, 15), [300, 40]);
      const b = tf.tensor2d(seededValues(20 * 300, 16), [20, 300]);
      const plain = [tf.matMul(a, b, true, true), tf.sum(tf.tensor3d(seededValues(64 * 32 * 7, 17), [64, 32, 7]), [0, 1])];
      const out = await Promise.all([grads[filter.name]!, grads[dense.name]!, grads[bias.name]!, ...plain].map(async (t) => new Float32Array((await t.data()) as Float32Array)));
      tf.dispose([...Object.values(grads), a, b, ...plain]);
      return out;
    } finally {
      tf.dispose([x, filter, dense, bias]);
    }
  }

  it('within 1e-5 relative: the gradients of a strided, padded, three-channel network, transposed products and sums', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const ours = await results();
    let restored: string[] = [];
    let theirs: Float32Array[];
    try {
      restored = restoreTfjsWasmKernels();
      theirs = await results();
    } finally {
      registerWasmGradientKernels();
    }
    expect(restored.sort()).toEqual([tf.BatchMatMul, tf.MaxPoolGrad, tf.Sum].sort());
    const names = ['filter gradient', 'dense gradient', 'bias gradient', 'matMul(a, b, true, true)', 'sum over axes 0 and 1'];
    names.forEach((name, i) => expect(relativeError(ours[i]!, theirs[i]!), name).toBeLessThan(1e-5));
    // The replacements are in place again.
    expect(registerWasmGradientKernels()).toEqual([]);
  });
});
