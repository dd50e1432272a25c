import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

/**
 * Gradient kernels the WebAssembly backend of tfjs 4.22 lacks, built from kernels it has. The
 * article's CNN needs one: `Conv2DBackpropFilter`, the gradient of a convolution with respect to
 * its filter. Its other gradients (MaxPoolGrad, matmul, relu, softmax, Conv2DBackpropInput) exist.
 */
export const WASM_BACKEND = 'wasm';

/** A gradient case this module's kernels do not compute; names the kernel and what was asked. */
export class WasmKernelUnsupportedError extends Error {
  override readonly name = 'WasmKernelUnsupportedError';
  constructor(
    readonly kernelName: string,
    readonly problem: string,
  ) {
    super(`${kernelName} on the wasm backend: ${problem}`);
  }
}

type Backend = Parameters<KernelFunc>[0]['backend'];
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

function runKernel(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  const kernel = tf.getKernel(name, WASM_BACKEND);
  if (kernel === undefined) throw new WasmKernelUnsupportedError(name, 'the wasm backend has no such kernel to build on');
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new WasmKernelUnsupportedError(name, 'returned several outputs where one was expected');
  return out as TensorInfo;
}

function dispose(backend: Backend, info: TensorInfo): void {
  (backend as unknown as DisposingBackend).disposeData(info.dataId);
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

/** The kernels this module adds to the wasm backend. */
export const WASM_GRADIENT_KERNELS: readonly KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: WASM_BACKEND, kernelFunc: conv2DBackpropFilter },
];

/**
 * Registers the missing gradient kernels for `wasm` (idempotent; a kernel that tfjs itself provides
 * in a later version is left alone). Returns the names registered by this call.
 */
export function registerWasmGradientKernels(): string[] {
  const added: string[] = [];
  for (const config of WASM_GRADIENT_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
