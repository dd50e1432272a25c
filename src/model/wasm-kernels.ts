import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { ProjectError } from '../errors';
import { wasmHeapOf, wasmKernel } from './tfjs-internals';

/**
 * Training kernels for the WebAssembly backend of tfjs 4.22.
 * - `Conv2DBackpropFilter` (the gradient of a convolution with respect to its filter) is missing, so
 *   `model.fit` fails on wasm; it is built here as one matrix product of the input's patches with
 *   dy (or, for inputs too large for that, as a convolution with transposes).
 * - `MaxPoolGrad`, the transposed forms of `BatchMatMul` (the dense layers' gradients) and `Sum`
 *   over leading axes (the convolution's bias gradient) exist but took over two thirds of a
 *   training step of the article's CNN; faster equivalents replace them.
 * Each is checked against the pure-JS backend in the tests.
 */
export const WASM_BACKEND = 'wasm';

/** A gradient case this module's kernels do not compute; names the kernel and what was asked. */
export class WasmKernelUnsupportedError extends ProjectError<{ kernelName: string; problem: string }> {
  constructor(
    readonly kernelName: string,
    readonly problem: string,
  ) {
    super(`${kernelName} on the wasm backend: ${problem}`, { kernelName, problem });
  }
}

type Backend = Parameters<KernelFunc>[0]['backend'];

function runKernel(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  const kernel = tf.getKernel(name, WASM_BACKEND);
  if (kernel === undefined) throw new WasmKernelUnsupportedError(name, 'the wasm backend has no such kernel to build on');
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new WasmKernelUnsupportedError(name, 'returned several outputs where one was expected');
  return out as TensorInfo;
}

function dispose(backend: Backend, info: TensorInfo): void {
  wasmHeapOf(backend).disposeData(info.dataId);
}

/**
 * dW[i, j, c, o] = Σ_b,y,x x[b, y·s + i − top, x·s + j − left, c] · dy[b, y, x, o].
 * Read with the batch as channels, that is a convolution of x transposed to [C_in, H, W, B] by dy
 * transposed to [OH, OW, B, C_out] used as the filter, dilated by the forward stride, padded like
 * the forward pass: the output [C_in, fh, fw, C_out] (cropped when the padding leaves extra rows)
 * transposed back to [fh, fw, C_in, C_out].
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const a = (attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const kernelName = tf.Conv2DBackpropFilter;
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') {
    throw new WasmKernelUnsupportedError(kernelName, `dataFormat '${a.dataFormat}' is not supported (only 'NHWC')`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new WasmKernelUnsupportedError(kernelName, `dtype ${x.dtype}/${dy.dtype} is not supported (only float32)`);
  }
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new WasmKernelUnsupportedError(kernelName, `expects rank-4 x and dy, got [${x.shape}] and [${dy.shape}]`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2] || info.outChannels !== dy.shape[3]) {
    throw new WasmKernelUnsupportedError(kernelName, `dy [${dy.shape}] does not match the forward output [${info.outShape}]`);
  }
  const { top, left } = info.padInfo;
  // Padding after the data so the dilated "filter" (dy) reaches every filter row and column.
  const bottom = Math.max(0, info.filterHeight + (info.outHeight - 1) * info.strideHeight - info.inHeight - top);
  const right = Math.max(0, info.filterWidth + (info.outWidth - 1) * info.strideWidth - info.inWidth - left);
  if (top < 0 || left < 0) throw new WasmKernelUnsupportedError(kernelName, `negative padding (${top}, ${left})`);

  if (info.filterHeight * info.filterWidth * info.inChannels * info.batchSize * info.outHeight * info.outWidth <= WASM_KERNEL_LIMITS.patchValues) {
    return filterGradientByPatches(x, dy, info, backend);
  }
  const xT = runKernel(tf.Transpose, backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = runKernel(tf.Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] });
  let product: TensorInfo;
  try {
    product = runKernel(tf.Conv2D, backend, { x: xT, filter: dyT }, {
      strides: [1, 1],
      dilations: [info.strideHeight, info.strideWidth],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
    } as unknown as NamedAttrMap);
  } finally {
    dispose(backend, xT);
    dispose(backend, dyT);
  }
  if (product.shape[1] !== info.filterHeight || product.shape[2] !== info.filterWidth) {
    const cropped = runKernel(tf.Slice, backend, { x: product }, {
      begin: [0, 0, 0, 0],
      size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels],
    });
    dispose(backend, product);
    product = cropped;
  }
  try {
    return runKernel(tf.Transpose, backend, { x: product }, { perm: [1, 2, 0, 3] });
  } finally {
    dispose(backend, product);
  }
};

/**
 * Tuning limits of these kernels. `patchValues`: above this many patch values (64 MB) the filter
 * gradient is computed as a convolution with transposes instead of one matrix product.
 */
export const WASM_KERNEL_LIMITS = { patchValues: 1 << 24 };

/**
 * dW as one matrix product: the input's patches laid out as rows, one row per filter position
 * (i, j, c) and one column per output position (b, y, x) — zero where the window reaches into the
 * padding — times dy as an [outputs, C_out] matrix. For the article's first layer (one input
 * channel) that is a [9, B·676] by [B·676, 32] product, several times faster than the convolution
 * with transposes above, which stays for inputs whose patches would not fit in memory.
 */
function filterGradientByPatches(x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo, backend: Backend): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const rows = filterHeight * filterWidth * inChannels;
  const columns = batchSize * outHeight * outWidth;
  const heap = wasmHeapOf(backend);
  const patchesInfo = heap.makeOutput([1, rows, columns], 'float32');
  // Views taken after the last allocation: growing the heap would detach earlier ones.
  const patches = heap.typedArrayFromHeap(patchesInfo);
  const input = heap.typedArrayFromHeap(x);
  const contiguous = strideWidth === 1 && inChannels === 1;
  for (let i = 0; i < filterHeight; i += 1) {
    for (let j = 0; j < filterWidth; j += 1) {
      for (let c = 0; c < inChannels; c += 1) {
        let at = ((i * filterWidth + j) * inChannels + c) * columns;
        // Output columns whose window column ox·s + j − left lies inside the input.
        const firstX = Math.max(0, Math.ceil((left - j) / strideWidth));
        const endX = Math.min(outWidth, Math.floor((inWidth - 1 + left - j) / strideWidth) + 1);
        for (let b = 0; b < batchSize; b += 1) {
          for (let oy = 0; oy < outHeight; oy += 1) {
            const iy = oy * strideHeight - top + i;
            if (iy < 0 || iy >= inHeight || endX <= firstX) {
              patches.fill(0, at, at + outWidth);
              at += outWidth;
              continue;
            }
            const rowBase = (b * inHeight + iy) * inWidth;
            if (firstX > 0) patches.fill(0, at, at + firstX);
            if (contiguous) {
              const from = rowBase + firstX - left + j;
              patches.set(input.subarray(from, from + endX - firstX), at + firstX);
            } else {
              for (let ox = firstX; ox < endX; ox += 1) patches[at + ox] = input[(rowBase + ox * strideWidth - left + j) * inChannels + c]!;
            }
            if (endX < outWidth) patches.fill(0, at + Math.max(endX, firstX), at + outWidth);
            at += outWidth;
          }
        }
      }
    }
  }
  const dyMatrix = runKernel(tf.Reshape, backend, { x: dy }, { shape: [1, columns, outChannels] });
  let product: TensorInfo | undefined;
  try {
    product = runKernel(tf.BatchMatMul, backend, { a: patchesInfo, b: dyMatrix }, { transposeA: false, transposeB: false });
    return runKernel(tf.Reshape, backend, { x: product }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
  } finally {
    dispose(backend, patchesInfo);
    dispose(backend, dyMatrix);
    if (product !== undefined) dispose(backend, product);
  }
}

/**
 * The article's case, 2x2 windows with stride 2 and no padding: windows do not overlap and lie
 * inside the input, so each window's gradient is written to its first maximum without bounds checks.
 */
function pool2x2Grad(
  x: Float32Array,
  grad: Float32Array,
  dx: Float32Array,
  batchSize: number,
  inHeight: number,
  inWidth: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): void {
  const rowStride = inWidth * channels;
  for (let b = 0; b < batchSize; b += 1) {
    for (let oy = 0; oy < outHeight; oy += 1) {
      for (let ox = 0; ox < outWidth; ox += 1) {
        const base = ((b * inHeight + oy * 2) * inWidth + ox * 2) * channels;
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c += 1) {
          const i0 = base + c;
          const i1 = i0 + channels;
          const i2 = i0 + rowStride;
          const i3 = i2 + channels;
          // Strictly greater: on ties the earlier position (row-major) keeps the gradient.
          let m = x[i0]!;
          let k = i0;
          const v1 = x[i1]!;
          if (v1 > m) {
            m = v1;
            k = i1;
          }
          const v2 = x[i2]!;
          if (v2 > m) {
            m = v2;
            k = i2;
          }
          if (x[i3]! > m) k = i3;
          dx[k] = grad[dyBase + c]!;
        }
      }
    }
  }
}

/**
 * The gradient of max pooling, as tfjs' cpu backend defines it: each window's gradient goes to the
 * first position (row-major) holding the window's maximum; overlapping windows add up. A plain loop
 * over the wasm heap, several times faster than wasm's own kernel for the model's 2x2 pooling.
 */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const dy = inputs.dy as TensorInfo;
  const input = inputs.input as TensorInfo;
  const a = (attrs ?? {}) as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new WasmKernelUnsupportedError(tf.MaxPoolGrad, `dtype ${input.dtype}/${dy.dtype} is not supported (only float32)`);
  }
  if (input.shape.length !== 4) throw new WasmKernelUnsupportedError(tf.MaxPoolGrad, `expects a rank-4 input, got [${input.shape}]`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const heap = wasmHeapOf(backend);
  const dxInfo = heap.makeOutput(input.shape, 'float32');
  // Views taken after the last allocation: growing the heap would detach earlier ones.
  const x = heap.typedArrayFromHeap(input);
  const grad = heap.typedArrayFromHeap(dy);
  const dx = heap.typedArrayFromHeap(dxInfo);
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  if (filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && top === 0 && left === 0 && info.padInfo.bottom === 0 && info.padInfo.right === 0) {
    pool2x2Grad(x, grad, dx, batchSize, inHeight, inWidth, inChannels, outHeight, outWidth);
    return dxInfo;
  }
  // Channels are innermost in memory: scan each window position for all channels at once.
  const best = new Float32Array(inChannels);
  const bestIndex = new Int32Array(inChannels);
  for (let b = 0; b < batchSize; b += 1) {
    for (let oy = 0; oy < outHeight; oy += 1) {
      const y0 = oy * strideHeight - top;
      for (let ox = 0; ox < outWidth; ox += 1) {
        const x0 = ox * strideWidth - left;
        bestIndex.fill(-1);
        for (let i = 0; i < filterHeight; i += 1) {
          const y = y0 + i;
          if (y < 0 || y >= inHeight) continue;
          for (let j = 0; j < filterWidth; j += 1) {
            const xx = x0 + j;
            if (xx < 0 || xx >= inWidth) continue;
            const base = ((b * inHeight + y) * inWidth + xx) * inChannels;
            for (let c = 0; c < inChannels; c += 1) {
              const v = x[base + c]!;
              // First maximum in row-major window order, as the cpu backend picks it.
              if (bestIndex[c]! < 0 || v > best[c]!) {
                best[c] = v;
                bestIndex[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * inChannels;
        for (let c = 0; c < inChannels; c += 1) {
          const index = bestIndex[c]!;
          if (index >= 0) dx[index]! += grad[dyBase + c]!;
        }
      }
    }
  }
  return dxInfo;
};

function swapLastTwo(backend: Backend, info: TensorInfo): TensorInfo {
  const rank = info.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return runKernel(tf.Transpose, backend, { x: info }, { perm });
}

/**
 * wasm's BatchMatMul with a transposed operand reads memory across rows, which is several times
 * slower than without (the dense layers' gradients are both transposed forms); transposing the
 * operand first with wasm's Transpose and multiplying untransposed gives the same product faster
 * (`npm run bench` measures the training path this is part of).
 */
function batchMatMulTransposingFirst(original: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = (attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
    const temporary: TensorInfo[] = [];
    try {
      let a = inputs.a as TensorInfo;
      let b = inputs.b as TensorInfo;
      if (transposeA) temporary.push((a = swapLastTwo(backend, a)));
      if (transposeB) temporary.push((b = swapLastTwo(backend, b)));
      return original({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temporary) dispose(backend, t);
    }
  };
}

/** Below this many rows, summing over leading axes is left to wasm's own Sum. */
const SUM_BY_MATMUL_MIN_ROWS = 1024;

/**
 * wasm's Sum over leading axes (a convolution's bias gradient sums [B, H, W, C] to [C]) first
 * transposes them innermost, a copy of the whole tensor; as a product ones[1, N] · x[N, M] the same
 * sum reads the tensor once, in order, and is much faster.
 */
function sumOverLeadingAxesByMatMul(original: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as TensorInfo;
    const { axis, keepDims } = (attrs ?? {}) as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const k = axes.length;
    const leading = k > 0 && k < rank && axes.every((a, i) => a === i);
    const rows = x.shape.slice(0, k).reduce((p, q) => p * q, 1);
    if (x.dtype !== 'float32' || !leading || rows < SUM_BY_MATMUL_MIN_ROWS) return original({ inputs, backend, attrs });
    const cols = x.shape.slice(k).reduce((p, q) => p * q, 1);
    const heap = wasmHeapOf(backend);
    const ones = heap.makeOutput([1, 1, rows], 'float32');
    heap.typedArrayFromHeap(ones).fill(1);
    const matrix = runKernel(tf.Reshape, backend, { x }, { shape: [1, rows, cols] });
    let product: TensorInfo | undefined;
    try {
      product = runKernel(tf.BatchMatMul, backend, { a: ones, b: matrix }, { transposeA: false, transposeB: false });
      const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
      return runKernel(tf.Reshape, backend, { x: product }, { shape: outShape });
    } finally {
      dispose(backend, ones);
      dispose(backend, matrix);
      if (product !== undefined) dispose(backend, product);
    }
  };
}

/** Marks the kernel functions registered here, so registering twice changes nothing. */
const OURS = new WeakSet<KernelFunc>([conv2DBackpropFilter, maxPoolGrad]);

/** What `registerWasmGradientKernels` adds to (`added`) or replaces in (`replaced`) the wasm backend. */
export const WASM_TRAINING_KERNELS = {
  added: [tf.Conv2DBackpropFilter],
  replaced: [tf.MaxPoolGrad, tf.BatchMatMul, tf.Sum],
} as const;

/** tfjs' own wasm kernels that `registerWasmGradientKernels` replaced, by name, to put back. */
const replacedOriginals = new Map<string, KernelConfig>();

function replaceKernel(config: KernelConfig): void {
  const original = tf.getKernel(config.kernelName, config.backendName);
  if (original !== undefined && !OURS.has(original.kernelFunc)) replacedOriginals.set(config.kernelName, original);
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/**
 * Puts tfjs' own wasm kernels back in place of the faster replacements (MaxPoolGrad, BatchMatMul,
 * Sum), for code that wants tfjs' kernels exactly; the added filter gradient stays, since tfjs has
 * none. `registerWasmGradientKernels` replaces them again. Returns the kernel names put back.
 */
export function restoreTfjsWasmKernels(): string[] {
  const restored = [...replacedOriginals.values()];
  const backend = tf.findBackend(WASM_BACKEND);
  for (const original of restored) {
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel(original);
    // A kernel's setup (binding its WebAssembly function) runs when the backend starts, which it may
    // have done while the replacement was registered.
    if (backend !== null) original.setupFunc?.(backend);
  }
  replacedOriginals.clear();
  return restored.map((k) => k.kernelName);
}

/**
 * Registers the training kernels for `wasm` (idempotent). A missing kernel that a later tfjs
 * provides itself is left alone. Returns the kernel names this call registered.
 */
export function registerWasmGradientKernels(): string[] {
  const changed: string[] = [];
  if (tf.getKernel(tf.Conv2DBackpropFilter, WASM_BACKEND) === undefined) {
    tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: WASM_BACKEND, kernelFunc: conv2DBackpropFilter });
    changed.push(tf.Conv2DBackpropFilter);
  }
  const pool = tf.getKernel(tf.MaxPoolGrad, WASM_BACKEND);
  if (pool === undefined || !OURS.has(pool.kernelFunc)) {
    replaceKernel({ kernelName: tf.MaxPoolGrad, backendName: WASM_BACKEND, kernelFunc: maxPoolGrad });
    changed.push(tf.MaxPoolGrad);
  }
  const matMul = wasmKernel(tf.BatchMatMul);
  if (!OURS.has(matMul.kernelFunc)) {
    const wrapped = batchMatMulTransposingFirst(matMul.kernelFunc);
    OURS.add(wrapped);
    replaceKernel({ ...matMul, kernelFunc: wrapped } as KernelConfig);
    changed.push(tf.BatchMatMul);
  }
  const sum = wasmKernel(tf.Sum);
  if (!OURS.has(sum.kernelFunc)) {
    const wrapped = sumOverLeadingAxesByMatMul(sum.kernelFunc);
    OURS.add(wrapped);
    replaceKernel({ ...sum, kernelFunc: wrapped } as KernelConfig);
    changed.push(tf.Sum);
  }
  return changed;
}
