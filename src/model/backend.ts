import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { nodeBackendUsesGpu } from './tfjs-internals';
import { registerWasmGradientKernels, WASM_TRAINING_KERNELS } from './wasm-kernels';
import { describeAdapter, probeWebGpu, useWebGpuBackend, WEBGPU_PACKAGES, type GpuAdapterSummary, type WebGpuProbe } from './webgpu';
import { firstLine, ProjectError } from '../errors';

/**
 * The backends in the order they are tried: native TensorFlow with a CUDA GPU, native on the CPU,
 * WebGPU on a hardware adapter (Dawn on Vulkan), WebAssembly, pure JS.
 */
export const BACKEND_ORDER = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/** The environment variable that picks a backend (one of `BACKEND_ORDER`). */
export const BACKEND_ENV = 'TFJS_BACKEND';

const NATIVE_PACKAGES: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};
/** The tfjs backend name both native packages register. */
const NATIVE_TF_BACKEND = 'tensorflow';

export interface BackendAttempt {
  readonly name: BackendName;
  /** `passed over`: usable but not chosen automatically (a software WebGPU adapter). */
  readonly outcome: 'chosen' | 'not installed' | 'failed' | 'passed over' | 'not tried';
  readonly reason: string;
}

/** What `selectBackend` chose and why each other backend was not chosen (`backendTable` of `llm-price-lab/show` displays it). */
export interface BackendReport {
  readonly chosen: BackendName;
  /** The name tfjs knows the backend by (`tensorflow`, `wasm`, `cpu`). */
  readonly tfBackend: string;
  /** Where it computes, e.g. `GPU (CUDA)`, `CPU (libtensorflow)`, `CPU (WebAssembly, 1 thread, SIMD)`. */
  readonly device: string;
  readonly attempts: readonly BackendAttempt[];
  /** The WebGPU adapter Dawn offered, if the webgpu backend was probed and one was found. */
  readonly webgpuAdapter?: WebGpuAdapterReport;
  /** One line about the WebGPU adapter: the one found, none, or not looked for. */
  readonly adapterLine: string;
}

/** No backend could be initialised (or the one asked for could not). */
export class BackendUnavailableError extends ProjectError<{ requested: string; attempts: readonly BackendAttempt[] }> {
  constructor(
    readonly requested: string,
    readonly attempts: readonly BackendAttempt[],
  ) {
    super(`no usable tfjs backend for ${requested}: ${attempts.map((a) => `${a.name} ${a.outcome} (${a.reason})`).join('; ')}`, { requested, attempts });
  }
}

/** The WebGPU adapter found while selecting, and whether it is a GPU or a software renderer. */
export interface WebGpuAdapterReport extends GpuAdapterSummary {
  /** True for a GPU; false for a software renderer such as SwiftShader or llvmpipe. */
  readonly hardware: boolean;
  /** Why it counts as software; undefined for a GPU. */
  readonly software?: string;
}

export interface SelectBackendOptions {
  /** Use this backend only (overrides `TFJS_BACKEND`); default: the first that works in `BACKEND_ORDER`. */
  backend?: BackendName;
  /** Environment to read `TFJS_BACKEND` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Loads a package by name (default: Node's `require`); tests pass a fake to simulate packages. */
  loadPackage?: (name: string) => unknown;
  /**
   * Whether a software WebGPU adapter (SwiftShader, llvmpipe: correct but far slower than wasm) may be
   * used. Default: only when `webgpu` is asked for by name (option or `TFJS_BACKEND`); the automatic
   * order never uses one. `false` refuses it even then (a benchmark wants GPUs only).
   */
  allowSoftwareAdapter?: boolean;
  /** Finds the WebGPU adapter (default: Dawn's, see `probeWebGpu`); tests pass a fake. */
  probeWebGpu?: () => Promise<WebGpuProbe>;
}

const localRequire = createRequire(__filename);

function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

type Attempt = BackendAttempt & { device?: string; adapter?: WebGpuAdapterReport };

function isModuleNotFound(error: unknown, name: string): boolean {
  return (
    error instanceof Error &&
    (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
    error.message.includes(name)
  );
}

/**
 * tfjs-node 4.22 calls `util.isNullOrUndefined` and `util.isArray`, which Node 23 removed; it then
 * fails at its first op (tfjs#8609). Defining them before loading it is the known workaround.
 * Returns the names defined (none on Node ≤ 22).
 */
export function applyNodeUtilWorkaround(util: Record<string, unknown> = localRequire('node:util') as Record<string, unknown>): string[] {
  const shims: Record<string, (value: unknown) => boolean> = {
    isNullOrUndefined: (value) => value === null || value === undefined,
    isArray: (value) => Array.isArray(value),
  };
  const defined: string[] = [];
  for (const [name, fn] of Object.entries(shims)) {
    if (typeof util[name] !== 'function') {
      util[name] = fn;
      defined.push(name);
    }
  }
  return defined;
}

/** The folder holding the wasm backend's `.wasm` binaries (the package's `dist/`), with a trailing separator. */
export function wasmBinaryDir(): string {
  return join(dirname(localRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep;
}

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node', load: (name: string) => unknown): Promise<Attempt> {
  const pkg = NATIVE_PACKAGES[name];
  applyNodeUtilWorkaround();
  try {
    load(pkg);
  } catch (error) {
    if (isModuleNotFound(error, pkg)) {
      return { name, outcome: 'not installed', reason: `${pkg} is an optional dependency and is not installed (its install downloads libtensorflow)` };
    }
    return { name, outcome: 'failed', reason: `${pkg} did not load: ${firstLine(error)}` };
  }
  try {
    if (!(await tf.setBackend(NATIVE_TF_BACKEND))) {
      return { name, outcome: 'failed', reason: `${pkg} loaded but the '${NATIVE_TF_BACKEND}' backend did not initialise` };
    }
  } catch (error) {
    return { name, outcome: 'failed', reason: `${pkg}: ${firstLine(error)}` };
  }
  let gpu: boolean;
  try {
    gpu = nodeBackendUsesGpu(tf.backend());
  } catch (error) {
    // The backend works; only whether it found a GPU is unknown. Said, and counted as the CPU.
    return { name, outcome: 'chosen', reason: `${pkg} loaded; ${firstLine(error)}`, device: 'CPU (libtensorflow; GPU use unknown)' };
  }
  if (name === 'tfjs-node-gpu') {
    return {
      name,
      outcome: 'chosen',
      reason: gpu ? `${pkg} found a CUDA GPU` : `${pkg} loaded but found no CUDA GPU (needs CUDA 11.2 + cuDNN 8.1); it runs on the CPU`,
      device: gpu ? 'GPU (CUDA, libtensorflow)' : 'CPU (libtensorflow)',
    };
  }
  return { name, outcome: 'chosen', reason: `${pkg} loaded`, device: 'CPU (libtensorflow)' };
}

async function tryWasm(load: (name: string) => unknown): Promise<Attempt> {
  const name = 'wasm';
  try {
    const wasm = load('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    // In Node the binaries are read from the package's dist folder, whatever folder the caller runs
    // from (a notebook resolves modules from its own folder). Ignored once the module is loaded.
    wasm.setWasmPaths(wasmBinaryDir());
    registerWasmGradientKernels();
    if (!(await tf.setBackend(name))) return { name, outcome: 'failed', reason: 'the WebAssembly module did not initialise' };
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = wasm.getThreadsCount();
    const kernels = `; for training: ${WASM_TRAINING_KERNELS.added.join(', ')} added, ${WASM_TRAINING_KERNELS.replaced.join(', ')} replaced by faster equivalents`;
    return {
      name,
      outcome: 'chosen',
      reason: `WebAssembly (XNNPACK)${kernels}`,
      device: `CPU (WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}${simd ? ', SIMD' : ''})`,
    };
  } catch (error) {
    return { name, outcome: 'failed', reason: firstLine(error) };
  }
}

async function tryWebGpu(
  probe: () => Promise<WebGpuProbe>,
  allowSoftware: boolean,
  load: (name: string) => unknown,
): Promise<Attempt> {
  const name = 'webgpu';
  const found = await probe();
  if (found.kind !== 'adapter') return { name, outcome: found.kind === 'not installed' ? 'not installed' : 'failed', reason: found.reason };
  const adapter: WebGpuAdapterReport = { ...found.info, hardware: found.software === undefined, ...(found.software ? { software: found.software } : {}) };
  const described = describeAdapter(found.info);
  if (found.software !== undefined && !allowSoftware) {
    return {
      name,
      outcome: 'passed over',
      reason: `the only adapter is ${described}, a software renderer (${found.software}): used only when asked for with ${BACKEND_ENV}=webgpu`,
      adapter,
    };
  }
  try {
    await useWebGpuBackend(found.adapter, load);
  } catch (error) {
    if (isModuleNotFound(error, WEBGPU_PACKAGES.backend)) {
      return { name, outcome: 'not installed', reason: `${WEBGPU_PACKAGES.backend} is an optional dependency and is not installed`, adapter };
    }
    return { name, outcome: 'failed', reason: `WebGPU on ${described}: ${firstLine(error)}`, adapter };
  }
  return {
    name,
    outcome: 'chosen',
    reason: found.software === undefined ? `Dawn found the GPU ${described}` : `asked for; ${described} is a software renderer (${found.software}), correct but slow`,
    device: found.software === undefined ? `GPU (WebGPU on ${described})` : `CPU (WebGPU on ${described}, software)`,
    adapter,
  };
}

async function tryCpu(): Promise<Attempt> {
  const ok = await tf.setBackend('cpu');
  return ok
    ? { name: 'cpu', outcome: 'chosen', reason: 'pure JavaScript (slowest, always there)', device: 'CPU (JavaScript)' }
    : { name: 'cpu', outcome: 'failed', reason: 'the cpu backend did not initialise' };
}

/** One line about the WebGPU adapter for the report: the one found, none, or not looked for. */
function adapterLine(adapter: WebGpuAdapterReport | undefined, attempts: readonly BackendAttempt[]): string {
  if (adapter !== undefined) return `WebGPU adapter: ${describeAdapter(adapter)}, ${adapter.hardware ? 'a GPU' : `software (${adapter.software})`}`;
  const webgpu = attempts.find((a) => a.name === 'webgpu');
  return webgpu?.outcome === 'not tried' ? 'WebGPU adapter: not looked for' : 'WebGPU adapter: none found';
}

function makeReport(chosen: BackendName, device: string, attempts: BackendAttempt[], webgpuAdapter: WebGpuAdapterReport | undefined): BackendReport {
  return {
    chosen,
    tfBackend: tf.getBackend(),
    device,
    attempts,
    ...(webgpuAdapter ? { webgpuAdapter } : {}),
    adapterLine: adapterLine(webgpuAdapter, attempts),
  };
}

/**
 * Picks and initialises the tfjs backend: `tfjs-node-gpu`, then `tfjs-node`, then `webgpu` on a
 * hardware adapter, then `wasm` (with the gradient kernels it lacks), then `cpu`, unless
 * `options.backend` or `TFJS_BACKEND` names one (naming `webgpu` also accepts a software adapter).
 * Returns a report of the choice, the WebGPU adapter found, and why each other backend was not used.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  const env = options.env ?? process.env;
  const load = options.loadPackage ?? ((name: string) => localRequire(name));
  const fromEnv = env[BACKEND_ENV]?.trim();
  if (fromEnv && options.backend === undefined && !isBackendName(fromEnv)) {
    throw new BackendUnavailableError(`${BACKEND_ENV}=${fromEnv}`, [
      { name: 'cpu', outcome: 'not tried', reason: `${BACKEND_ENV} must be one of ${BACKEND_ORDER.join(', ')}` },
    ]);
  }
  const requested = options.backend ?? (fromEnv ? (fromEnv as BackendName) : undefined);
  const why = options.backend !== undefined ? `option backend=${requested}` : `${BACKEND_ENV}=${requested}`;
  const candidates = requested === undefined ? BACKEND_ORDER : [requested];
  const allowSoftware = options.allowSoftwareAdapter ?? requested === 'webgpu';
  const probe = options.probeWebGpu ?? (() => probeWebGpu());
  const attempts: BackendAttempt[] = [];
  let chosen: Attempt | undefined;
  let webgpuAdapter: WebGpuAdapterReport | undefined;
  for (const name of candidates) {
    const attempt =
      name === 'tfjs-node-gpu' || name === 'tfjs-node'
        ? await tryNative(name, load)
        : name === 'webgpu'
          ? await tryWebGpu(probe, allowSoftware, load)
          : name === 'wasm'
            ? await tryWasm(load)
            : await tryCpu();
    webgpuAdapter ??= attempt.adapter;
    attempts.push({ name: attempt.name, outcome: attempt.outcome, reason: attempt.reason });
    if (attempt.outcome === 'chosen') {
      chosen = attempt;
      break;
    }
  }
  for (const name of BACKEND_ORDER) {
    if (attempts.some((a) => a.name === name)) continue;
    const reason = requested !== undefined ? `${why} asked for ${requested}` : `${chosen?.name ?? 'another backend'} comes first`;
    attempts.push({ name, outcome: 'not tried', reason });
  }
  attempts.sort((a, b) => BACKEND_ORDER.indexOf(a.name) - BACKEND_ORDER.indexOf(b.name));
  if (chosen === undefined) throw new BackendUnavailableError(requested === undefined ? 'any backend' : why, attempts);
  return makeReport(chosen.name, chosen.device ?? 'unknown', attempts, webgpuAdapter);
}
