import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { MIME_BUNDLE, type MimeBundle } from '../display';
import { registerWasmGradientKernels, WASM_TRAINING_KERNELS } from './wasm-kernels';

/** The backends, fastest first: native TensorFlow with a GPU, native on the CPU, WebAssembly, pure JS. */
export const BACKEND_ORDER = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
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
  readonly outcome: 'chosen' | 'not installed' | 'failed' | 'not tried';
  readonly reason: string;
}

/** What `selectBackend` chose and why each other backend was not chosen; displays in a notebook. */
export interface BackendReport {
  readonly chosen: BackendName;
  /** The name tfjs knows the backend by (`tensorflow`, `wasm`, `cpu`). */
  readonly tfBackend: string;
  /** Where it computes, e.g. `GPU (CUDA)`, `CPU (libtensorflow)`, `CPU (WebAssembly, 1 thread, SIMD)`. */
  readonly device: string;
  readonly attempts: readonly BackendAttempt[];
  [MIME_BUNDLE](): MimeBundle;
}

/** No backend could be initialised (or the one asked for could not). */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(
    readonly requested: string,
    readonly attempts: readonly BackendAttempt[],
  ) {
    super(`no usable tfjs backend for ${requested}: ${attempts.map((a) => `${a.name} ${a.outcome} (${a.reason})`).join('; ')}`);
  }
}

export interface SelectBackendOptions {
  /** Use this backend only (overrides `TFJS_BACKEND`); default: the first that works in `BACKEND_ORDER`. */
  backend?: BackendName;
  /** Environment to read `TFJS_BACKEND` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Loads a package by name (default: Node's `require`); tests pass a fake to simulate packages. */
  loadPackage?: (name: string) => unknown;
}

const localRequire = createRequire(__filename);

function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

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

interface GpuBinding {
  isUsingGpuDevice?: () => boolean;
}

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node', load: (name: string) => unknown): Promise<BackendAttempt & { device?: string }> {
  const pkg = NATIVE_PACKAGES[name];
  applyNodeUtilWorkaround();
  try {
    load(pkg);
  } catch (error) {
    if (isModuleNotFound(error, pkg)) {
      return { name, outcome: 'not installed', reason: `${pkg} is an optional dependency and is not installed (its install downloads libtensorflow)` };
    }
    return { name, outcome: 'failed', reason: `${pkg} did not load: ${message(error)}` };
  }
  try {
    if (!(await tf.setBackend(NATIVE_TF_BACKEND))) {
      return { name, outcome: 'failed', reason: `${pkg} loaded but the '${NATIVE_TF_BACKEND}' backend did not initialise` };
    }
  } catch (error) {
    return { name, outcome: 'failed', reason: `${pkg}: ${message(error)}` };
  }
  const binding = (tf.backend() as unknown as { binding?: GpuBinding }).binding;
  const gpu = binding?.isUsingGpuDevice?.() ?? false;
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

async function tryWasm(load: (name: string) => unknown): Promise<BackendAttempt & { device?: string }> {
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
    return { name, outcome: 'failed', reason: message(error) };
  }
}

async function tryCpu(): Promise<BackendAttempt & { device?: string }> {
  const ok = await tf.setBackend('cpu');
  return ok
    ? { name: 'cpu', outcome: 'chosen', reason: 'pure JavaScript (slowest, always there)', device: 'CPU (JavaScript)' }
    : { name: 'cpu', outcome: 'failed', reason: 'the cpu backend did not initialise' };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function makeReport(chosen: BackendName, device: string, attempts: BackendAttempt[]): BackendReport {
  return {
    chosen,
    tfBackend: tf.getBackend(),
    device,
    attempts,
    [MIME_BUNDLE]() {
      const text = [`tfjs backend: ${chosen} on ${device}`, ...attempts.map((a) => `  ${a.name}: ${a.outcome} — ${a.reason}`)].join('\n');
      const rows = attempts
        .map((a) => `<tr><td><code>${a.name}</code></td><td>${a.outcome === 'chosen' ? '<b>chosen</b>' : a.outcome}</td><td>${escapeHtml(a.reason)}</td></tr>`)
        .join('');
      const html = `<p>tfjs backend: <b>${chosen}</b> on ${escapeHtml(device)}</p><table><thead><tr><th>backend</th><th>outcome</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>`;
      return { 'text/plain': text, 'text/html': html };
    },
  };
}

/**
 * Picks and initialises the tfjs backend: `tfjs-node-gpu`, then `tfjs-node`, then `wasm` (with the
 * gradient kernels it lacks), then `cpu`, unless `options.backend` or `TFJS_BACKEND` names one.
 * Returns a report of the choice and of why each other backend was not used.
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
  const attempts: BackendAttempt[] = [];
  let chosen: (BackendAttempt & { device?: string }) | undefined;
  for (const name of candidates) {
    const attempt =
      name === 'tfjs-node-gpu' || name === 'tfjs-node' ? await tryNative(name, load) : name === 'wasm' ? await tryWasm(load) : await tryCpu();
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
  return makeReport(chosen.name, chosen.device ?? 'unknown', attempts);
}
