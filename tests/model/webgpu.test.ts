import { describe, expect, it } from 'vitest';
import {
  describeAdapter,
  findSwiftShaderIcd,
  findVulkanLoader,
  noAdapterReason,
  probeWebGpu,
  softwareAdapterReason,
  type GpuAdapterLike,
  type GpuAdapterSummary,
} from '../../src/model/webgpu';

// As Dawn reported it here for Chromium's SwiftShader (requestAdapter().info).
const SWIFTSHADER: GpuAdapterSummary = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: 'swiftshader-device-subzero-',
  description: 'SwiftShader driver 5.0.0',
  isFallbackAdapter: true,
};
// Mesa's CPU driver names itself llvmpipe in its description, whatever the fallback flag says.
const LLVMPIPE: GpuAdapterSummary = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', isFallbackAdapter: false };
const NVIDIA: GpuAdapterSummary = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060', isFallbackAdapter: false };

describe('softwareAdapterReason', () => {
  it('calls SwiftShader software because the driver flags it as a fallback adapter', () => {
    expect(softwareAdapterReason(SWIFTSHADER)).toBe('the driver marks it as a fallback (software) adapter');
  });

  it('calls an adapter software when a field names a CPU renderer, even without the flag', () => {
    expect(softwareAdapterReason(LLVMPIPE)).toBe('its description "llvmpipe (LLVM 15.0.6, 256 bits)" names a software renderer');
    expect(softwareAdapterReason({ ...SWIFTSHADER, isFallbackAdapter: false })).toBe('its architecture "swiftshader" names a software renderer');
    expect(softwareAdapterReason({ ...NVIDIA, description: 'Microsoft Basic Render Driver' })).toMatch(/description .* names a software renderer/);
  });

  it('calls a GPU a GPU', () => {
    expect(softwareAdapterReason(NVIDIA)).toBeUndefined();
    expect(softwareAdapterReason({ vendor: 'amd', architecture: 'rdna-3', device: '', description: 'AMD Radeon RX 7800 XT (RADV NAVI32)', isFallbackAdapter: false })).toBeUndefined();
  });
});

describe('describeAdapter', () => {
  it('names the adapter by its description, vendor and architecture', () => {
    expect(describeAdapter(SWIFTSHADER)).toBe('SwiftShader driver 5.0.0 (google, swiftshader)');
    expect(describeAdapter(LLVMPIPE)).toBe('llvmpipe (LLVM 15.0.6, 256 bits) (mesa)');
    expect(describeAdapter({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false })).toBe('unnamed adapter');
  });
});

describe('finding the Vulkan pieces', () => {
  it('finds the first SwiftShader ICD and Vulkan loader that exist', () => {
    expect(findSwiftShaderIcd((p) => p === '/opt/google/chrome/vk_swiftshader_icd.json')).toBe('/opt/google/chrome/vk_swiftshader_icd.json');
    expect(findSwiftShaderIcd(() => false)).toBeUndefined();
    expect(findVulkanLoader((p) => p === '/usr/lib64/libvulkan.so.1')).toBe('/usr/lib64/libvulkan.so.1');
    expect(findVulkanLoader(() => false)).toBeUndefined();
  });

  it('explains a missing adapter by what is installed', () => {
    expect(noAdapterReason({}, undefined, undefined)).toMatch(/the Vulkan loader \(Debian: libvulkan1\) is not installed/);
    expect(noAdapterReason({ VK_ICD_FILENAMES: '/x/icd.json' }, '/lib/libvulkan.so.1', undefined)).toMatch(/driver named by VK_ICD_FILENAMES \(\/x\/icd\.json\)/);
    expect(noAdapterReason({}, '/lib/libvulkan.so.1', '/c/vk_swiftshader_icd.json')).toBe(
      "Dawn found no usable Vulkan adapter: no Vulkan driver for a GPU (Mesa's lavapipe is refused); for SwiftShader (on the CPU, slow) set VK_ICD_FILENAMES=/c/vk_swiftshader_icd.json",
    );
  });
});

describe('probeWebGpu', () => {
  const adapter = (info: GpuAdapterSummary): GpuAdapterLike => ({
    info,
    limits: {},
    requestDevice: () => Promise.reject(new Error('not in this test')),
  });

  it('returns the adapter with its summary and whether it is software', async () => {
    const soft = await probeWebGpu({ loadGpu: async () => ({ requestAdapter: async () => adapter(SWIFTSHADER) }) });
    expect(soft).toMatchObject({ kind: 'adapter', info: SWIFTSHADER, software: 'the driver marks it as a fallback (software) adapter' });
    const gpu = await probeWebGpu({ loadGpu: async () => ({ requestAdapter: async () => adapter(NVIDIA) }) });
    expect(gpu).toMatchObject({ kind: 'adapter', info: NVIDIA, software: undefined });
  });

  it('turns a missing package, a failing Dawn and no adapter into reasons, never throwing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'webgpu' imported from backend.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(await probeWebGpu({ loadGpu: () => Promise.reject(missing) })).toEqual({
      kind: 'not installed',
      reason: 'webgpu (Dawn for Node) is an optional dependency and is not installed',
    });
    expect(await probeWebGpu({ loadGpu: () => Promise.reject(new Error('dawn.node: invalid ELF header\nstack')) })).toEqual({
      kind: 'no adapter',
      reason: 'Dawn did not load: dawn.node: invalid ELF header',
    });
    const none = await probeWebGpu({ loadGpu: async () => ({ requestAdapter: async () => null }) });
    expect(none.kind).toBe('no adapter');
    expect(none.kind === 'no adapter' && none.reason).toMatch(/^Dawn found no (usable Vulkan )?adapter/);
  });
});
