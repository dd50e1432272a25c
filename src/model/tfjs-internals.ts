import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ProjectError } from '../errors';

/**
 * Every place where the project reaches past the documented API of TensorFlow.js. Each touchpoint
 * is checked where it is used: a tfjs release that renames or removes one fails here with a
 * `TfjsInternalsError` naming it, not as a silent fallback or a TypeError deep inside a training
 * step. `tests/model/tfjs-internals.test.ts` exercises each on the installed tfjs, and
 * `tests/model/tfjs-private-access.test.ts` fails when a file other than this one reaches into tfjs.
 */
export const TFJS_TOUCHPOINTS = {
  adamBetaPowers: "AdamOptimizer's private accBeta1 / accBeta2 variables (β1ᵗ, β2ᵗ as float32 products)",
  compiledLoss: "LayersModel.lossFunctions / metricsTensors / calculateLosses, and tf.Sequential's private model that holds them",
  trainingConfig: 'LayersModel.getTrainingConfig (protected): the loss, optimizer and metrics a model was compiled with',
  wasmHeap: "BackendWasm.makeOutput / typedArrayFromHeap / disposeData: tensors as views of the WebAssembly memory",
  webgpuTensorMap: "WebGPUBackend.tensorMap: a tensor's shape, dtype and CPU copy by data id",
  nodeGpuBinding: "tfjs-node's backend binding.isUsingGpuDevice(): whether libtensorflow found a CUDA GPU",
  wasmKernels: "the wasm backend's registered BatchMatMul and Sum kernels, which the training kernels wrap (its MaxPoolGrad is replaced outright)",
} as const;

export type TfjsTouchpoint = keyof typeof TFJS_TOUCHPOINTS;

/** A tfjs internal the project relies on is missing or changed in the installed tfjs. */
export class TfjsInternalsError extends ProjectError<{ touchpoint: TfjsTouchpoint; problem: string }> {
  constructor(
    readonly touchpoint: TfjsTouchpoint,
    readonly problem: string,
  ) {
    super(`tfjs ${tf.version.tfjs}: ${TFJS_TOUCHPOINTS[touchpoint]}: ${problem}`, { touchpoint, problem });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

// ---- Adam ----------------------------------------------------------------------------------------

/** β1ᵗ and β2ᵗ of an Adam optimizer, as the variables it divides by in its next step. */
export interface AdamBetaPowers {
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
}

/**
 * The β powers of a tfjs Adam optimizer. Its public `getWeights` / `setWeights` carry the moments and
 * the step count, but not these: `setWeights` recomputes them as `pow(β, t + 1)`, which differs in
 * the last bits from the running product tfjs keeps while it trains.
 */
export function adamBetaPowers(optimizer: tf.Optimizer): AdamBetaPowers {
  const inner = optimizer as unknown as Record<string, unknown>;
  const { accBeta1, accBeta2 } = inner;
  if (!(accBeta1 instanceof tf.Variable) || !(accBeta2 instanceof tf.Variable)) {
    throw new TfjsInternalsError('adamBetaPowers', `the ${optimizer.getClassName()} optimizer has no accBeta1 / accBeta2 variables`);
  }
  return { accBeta1, accBeta2 };
}

// ---- A compiled model's loss ---------------------------------------------------------------------

type LossOrMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** What `compile` set up for training: the loss per output, the metrics and the penalties. */
export interface CompiledLoss {
  readonly lossFunctions: readonly LossOrMetric[];
  readonly metricFunctions: readonly LossOrMetric[];
  /** The regularisation penalties of the current weights (added to the loss in training). */
  penalties(): tf.Scalar[];
}

/** The compiled loss of `model` (a `tf.Sequential` compiles the functional model it wraps); undefined before `compile`. */
export function compiledLossOf(model: tf.LayersModel): CompiledLoss | undefined {
  if (model.optimizer === undefined || model.optimizer === null) return undefined;
  const own = model as unknown as Record<string, unknown>;
  const inner = own.lossFunctions === undefined && isObject(own.model) ? own.model : own;
  const { lossFunctions, metricsTensors, calculateLosses } = inner;
  if (!Array.isArray(lossFunctions) || !lossFunctions.every((f) => typeof f === 'function')) {
    throw new TfjsInternalsError('compiledLoss', 'a compiled model has no lossFunctions array');
  }
  if (!Array.isArray(metricsTensors) || !metricsTensors.every((m) => Array.isArray(m) && typeof m[0] === 'function')) {
    throw new TfjsInternalsError('compiledLoss', 'a compiled model has no metricsTensors array of [function, output] pairs');
  }
  if (typeof calculateLosses !== 'function') throw new TfjsInternalsError('compiledLoss', 'a compiled model has no calculateLosses method');
  return {
    lossFunctions: lossFunctions as LossOrMetric[],
    metricFunctions: (metricsTensors as Array<[LossOrMetric, number]>).map(([f]) => f),
    penalties: () => (calculateLosses as () => tf.Scalar[]).call(inner),
  };
}

/** The loss / optimizer / metrics a compiled model was compiled with (undefined when not compiled). */
export function trainingConfigOf(model: tf.LayersModel): tf.io.TrainingConfig | undefined {
  if (model.optimizer === undefined || model.optimizer === null) return undefined;
  // What model.save writes with includeOptimizer, without the optimizer's weights.
  const read = (model as unknown as { getTrainingConfig?: unknown }).getTrainingConfig;
  if (typeof read !== 'function') throw new TfjsInternalsError('trainingConfig', 'LayersModel has no getTrainingConfig method');
  return (read as () => tf.io.TrainingConfig).call(model);
}

// ---- The wasm backend's memory -------------------------------------------------------------------

/** The wasm backend's allocation and views of its memory, as the training kernels use them. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of a float32 tensor in the WebAssembly memory; taken after the last allocation (growing the heap detaches views). */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

function hasHeap(backend: unknown): backend is Pick<BackendWasm, 'makeOutput' | 'typedArrayFromHeap' | 'disposeData'> {
  return isObject(backend) && typeof backend.makeOutput === 'function' && typeof backend.typedArrayFromHeap === 'function' && typeof backend.disposeData === 'function';
}

/** The memory of the wasm backend `backend` (a kernel's `backend` argument, or `tf.backend()` while wasm is active). */
export function wasmHeapOf(backend: unknown): WasmHeap {
  if (!hasHeap(backend)) throw new TfjsInternalsError('wasmHeap', 'the wasm backend has no makeOutput / typedArrayFromHeap / disposeData');
  return {
    makeOutput: (shape, dtype) => backend.makeOutput(shape, dtype),
    typedArrayFromHeap: (info) => backend.typedArrayFromHeap(info) as Float32Array,
    disposeData: (dataId) => backend.disposeData(dataId),
  };
}

/** The active backend's memory when the active backend is wasm, else undefined. */
export function activeWasmHeap(): WasmHeap | undefined {
  return tf.getBackend() === 'wasm' ? wasmHeapOf(tf.backend()) : undefined;
}

// ---- WebGPU --------------------------------------------------------------------------------------

/** What the WebGPU backend records about a tensor's data. */
export interface WebGpuTensorRecord {
  readonly values?: unknown;
  readonly dtype: string;
  readonly shape: number[];
}

/** The WebGPU backend's record of `dataId` (its CPU copy, if any, and its shape). */
export function webgpuTensorRecord(backend: object, dataId: object): WebGpuTensorRecord {
  const map = (backend as Record<string, unknown>).tensorMap;
  if (!isObject(map) || typeof map.get !== 'function') throw new TfjsInternalsError('webgpuTensorMap', 'the WebGPU backend has no tensorMap');
  const record = (map.get as (id: object) => unknown).call(map, dataId);
  if (!isObject(record) || !Array.isArray(record.shape) || typeof record.dtype !== 'string') {
    throw new TfjsInternalsError('webgpuTensorMap', "the WebGPU backend's tensorMap has no { shape, dtype } record for a tensor");
  }
  return record as unknown as WebGpuTensorRecord;
}

// ---- tfjs-node -----------------------------------------------------------------------------------

/** Whether tfjs-node's backend runs libtensorflow on a CUDA GPU. */
export function nodeBackendUsesGpu(backend: unknown): boolean {
  const binding = isObject(backend) ? backend.binding : undefined;
  if (!isObject(binding) || typeof binding.isUsingGpuDevice !== 'function') {
    throw new TfjsInternalsError('nodeGpuBinding', "tfjs-node's backend has no binding.isUsingGpuDevice()");
  }
  return (binding.isUsingGpuDevice as () => boolean).call(binding) === true;
}

// ---- The wasm backend's kernels ------------------------------------------------------------------

/** The wasm kernels the training kernels wrap; each must be registered before they are. */
export const WASM_WRAPPED_KERNELS = [tf.BatchMatMul, tf.Sum] as const;

/** The registered wasm kernel `name` that a training kernel wraps. */
export function wasmKernel(name: (typeof WASM_WRAPPED_KERNELS)[number]): tf.KernelConfig {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new TfjsInternalsError('wasmKernels', `the wasm backend registers no ${name} kernel`);
  return kernel;
}
