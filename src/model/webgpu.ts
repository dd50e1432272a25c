import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { findSwiftShaderIcd, findVulkanLoader } from '../machine';
import { firstLine, ProjectError } from '../errors';
import { webgpuTensorRecord } from './tfjs-internals';

/**
 * WebGPU in Node: Dawn's binding (npm `webgpu`, an optional dependency) gives `navigator.gpu`, on
 * which `@tensorflow/tfjs-backend-webgpu` runs. Dawn needs a Vulkan driver on Linux: a GPU vendor's,
 * or SwiftShader (Vulkan on the CPU, shipped with Chromium) selected through `VK_ICD_FILENAMES`.
 * This module finds the adapter, tells a software one from a GPU, and runs tfjs on the one chosen.
 * Nothing happens at import: Dawn is loaded on the first probe.
 */

/** The npm packages of this route (both optional dependencies). */
export const WEBGPU_PACKAGES = { dawn: 'webgpu', backend: '@tensorflow/tfjs-backend-webgpu' } as const;
/** The name tfjs knows the backend by. */
export const WEBGPU_TF_BACKEND = 'webgpu';

/** SwiftShader's ICD manifest and the Vulkan loader: where they are installed, and which one is (`machine.ts`). */
export { SWIFTSHADER_ICD_PATHS, VULKAN_LOADER_PATHS, findSwiftShaderIcd, findVulkanLoader } from '../machine';

/** What the adapter says about itself (WebGPU's `GPUAdapterInfo`). */
export interface GpuAdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** The driver's own flag for a fallback (software) adapter. */
  readonly isFallbackAdapter: boolean;
}

/** The few parts of WebGPU's `GPUAdapter` and `GPUDevice` this module uses. */
export interface GpuAdapterLike {
  readonly info: Partial<GpuAdapterSummary>;
  readonly limits: Record<string, number | undefined>;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<GpuDeviceLike>;
}
export interface GpuDeviceLike {
  destroy(): void;
}

/** An adapter found, with its description and whether it is a software renderer. */
export interface WebGpuAdapterFound {
  readonly kind: 'adapter';
  readonly adapter: GpuAdapterLike;
  readonly info: GpuAdapterSummary;
  /** Why this is a software (CPU) adapter; undefined for a GPU. */
  readonly software: string | undefined;
}
/** No adapter: the packages are missing, Dawn failed to load, or Vulkan offers no usable driver. */
export interface WebGpuUnavailable {
  readonly kind: 'not installed' | 'no adapter';
  readonly reason: string;
}
export type WebGpuProbe = WebGpuAdapterFound | WebGpuUnavailable;

/** A GPU read was asked synchronously (`dataSync`, `arraySync`), which Dawn's Node binding cannot do. */
export class WebGpuSyncReadError extends ProjectError<{ size: number }> {
  constructor(readonly size: number) {
    super(
      `the webgpu backend cannot read ${size} values from the GPU synchronously in Node ` +
        '(dataSync/arraySync need OffscreenCanvas): read it with await tensor.data() instead',
      { size },
    );
  }
}

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

/**
 * Why an adapter is a software renderer (pure): the driver's fallback flag, or a vendor,
 * architecture, device or description naming SwiftShader, llvmpipe/lavapipe or the like.
 * Returns undefined for a GPU.
 */
export function softwareAdapterReason(info: GpuAdapterSummary): string | undefined {
  if (info.isFallbackAdapter) return 'the driver marks it as a fallback (software) adapter';
  for (const field of ['vendor', 'architecture', 'device', 'description'] as const) {
    const value = info[field];
    if (SOFTWARE_RENDERERS.test(value)) return `its ${field} "${value}" names a software renderer`;
  }
  return undefined;
}

/** One line naming an adapter, e.g. `SwiftShader driver 5.0.0 (google, swiftshader)`. */
export function describeAdapter(info: GpuAdapterSummary): string {
  const name = info.description || info.device || 'unnamed adapter';
  const details = [info.vendor, info.architecture].filter((part) => part !== '').join(', ');
  return details ? `${name} (${details})` : name;
}

function summarize(info: Partial<GpuAdapterSummary>): GpuAdapterSummary {
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? false,
  };
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

const localRequire = createRequire(__filename);
// One Dawn instance per process, created on first use.
let dawn: Promise<GpuLike> | undefined;

function isModuleNotFound(error: unknown, name: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && error.message.includes(name);
}

/** Installs `navigator.gpu` and WebGPU's constants (`GPUBufferUsage`, …) the way a browser has them. */
function installGlobals(gpu: GpuLike, globals: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const scope = globalThis as { navigator?: object };
  if (scope.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  }
  if (!('gpu' in scope.navigator!)) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
}

async function loadDawn(): Promise<GpuLike> {
  // The package is an ES module; `import()` loads it from CommonJS.
  const module = (await import(WEBGPU_PACKAGES.dawn)) as DawnModule;
  const gpu = module.create([]);
  installGlobals(gpu, module.globals);
  return gpu;
}

/** Why Dawn offered no adapter, from what is installed (pure). */
export function noAdapterReason(env: Record<string, string | undefined>, vulkanLoader: string | undefined, swiftShaderIcd: string | undefined): string {
  if (vulkanLoader === undefined) return 'Dawn found no adapter: the Vulkan loader (Debian: libvulkan1) is not installed';
  const chosen = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  if (chosen) return `Dawn found no usable Vulkan adapter with the driver named by VK_ICD_FILENAMES (${chosen})`;
  const hint = swiftShaderIcd ? `; for SwiftShader (on the CPU, slow) set VK_ICD_FILENAMES=${swiftShaderIcd}` : '';
  return `Dawn found no usable Vulkan adapter: no Vulkan driver for a GPU (Mesa's lavapipe is refused)${hint}`;
}

export interface ProbeOptions {
  /** Loads Dawn and returns its `navigator.gpu` (default: the `webgpu` package, once per process). */
  loadGpu?: () => Promise<GpuLike>;
}

/**
 * Asks Dawn for its preferred high-performance adapter. Never throws: a missing package, a Dawn that
 * does not load or no adapter come back as `WebGpuUnavailable` with the reason.
 */
export async function probeWebGpu(options: ProbeOptions = {}): Promise<WebGpuProbe> {
  let gpu: GpuLike;
  try {
    if (options.loadGpu) gpu = await options.loadGpu();
    else {
      dawn ??= loadDawn();
      gpu = await dawn;
    }
  } catch (error) {
    if (options.loadGpu === undefined) dawn = undefined;
    if (isModuleNotFound(error, WEBGPU_PACKAGES.dawn)) {
      return { kind: 'not installed', reason: `${WEBGPU_PACKAGES.dawn} (Dawn for Node) is an optional dependency and is not installed` };
    }
    return { kind: 'no adapter', reason: `Dawn did not load: ${firstLine(error)}` };
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { kind: 'no adapter', reason: `Dawn's requestAdapter failed: ${firstLine(error)}` };
  }
  if (adapter === null) return { kind: 'no adapter', reason: noAdapterReason(process.env, findVulkanLoader(), findSwiftShaderIcd()) };
  const info = summarize(adapter.info);
  return { kind: 'adapter', adapter, info, software: softwareAdapterReason(info) };
}

interface WebGpuBackendModule {
  WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
}

/** The limits tfjs-backend-webgpu asks of its device (as its own factory does). */
const REQUIRED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

// The adapter the registered tfjs backend runs on, and its device once created.
let registered: { adapter: GpuAdapterLike; device?: GpuDeviceLike } | undefined;

/** tfjs's WebGPUBackend, with synchronous reads of GPU data failing clearly instead of on a missing OffscreenCanvas. */
function nodeBackendClass(base: WebGpuBackendModule['WebGPUBackend']): WebGpuBackendModule['WebGPUBackend'] {
  return class NodeWebGpuBackend extends base {
    override readSync(dataId: object): tf.backend_util.BackendValues {
      const data = webgpuTensorRecord(this, dataId);
      if (data.values == null && data.dtype !== 'string' && typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined') {
        throw new WebGpuSyncReadError(tf.util.sizeFromShape(data.shape));
      }
      return super.readSync(dataId);
    }
  };
}

/**
 * Registers tfjs's `webgpu` backend on `adapter` (replacing one registered on another adapter) and
 * makes it the active backend. Throws when the package is missing or the device cannot be created.
 */
export async function useWebGpuBackend(adapter: GpuAdapterLike, load: (name: string) => unknown = localRequire): Promise<void> {
  const { WebGPUBackend } = load(WEBGPU_PACKAGES.backend) as WebGpuBackendModule;
  if (registered?.adapter !== adapter) {
    releaseWebGpu();
    // The package registers its own factory at load when navigator.gpu exists; this one uses the chosen adapter.
    if (tf.findBackendFactory(WEBGPU_TF_BACKEND) !== null) tf.removeBackend(WEBGPU_TF_BACKEND);
    const state: { adapter: GpuAdapterLike; device?: GpuDeviceLike } = { adapter };
    const Backend = nodeBackendClass(WebGPUBackend);
    tf.registerBackend(WEBGPU_TF_BACKEND, async () => {
      const requiredLimits: Record<string, number> = {};
      for (const name of REQUIRED_LIMITS) {
        const value = adapter.limits[name];
        if (value !== undefined) requiredLimits[name] = value;
      }
      state.device = await adapter.requestDevice({ requiredLimits });
      return new Backend(state.device, adapter.info);
    });
    registered = state;
  }
  if (!(await tf.setBackend(WEBGPU_TF_BACKEND))) throw new Error(`the ${WEBGPU_TF_BACKEND} backend did not initialise on ${describeAdapter(summarize(adapter.info))}`);
}

/**
 * Unregisters the `webgpu` backend (freeing its buffers) and destroys its device. Safe to call when
 * nothing is registered. tfjs then falls back to another registered backend.
 */
export function releaseWebGpu(): void {
  const state = registered;
  registered = undefined;
  if (state === undefined) return;
  if (tf.findBackendFactory(WEBGPU_TF_BACKEND) !== null) tf.removeBackend(WEBGPU_TF_BACKEND);
  state.device?.destroy();
}
