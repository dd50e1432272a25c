import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MIME_BUNDLE } from '../../src/display';
import { applyNodeUtilWorkaround, BackendUnavailableError, selectBackend, wasmBinaryDir } from '../../src/model/backend';
import { probeWebGpu, type WebGpuProbe } from '../../src/model/webgpu';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { projectRoot } from '../../src/paths';
import { backendTable } from '../../src/show/model';

const realRequire = createRequire(__filename);

function notFound(name: string): Error {
  const error = new Error(`Cannot find module '${name}'`) as NodeJS.ErrnoException;
  error.code = 'MODULE_NOT_FOUND';
  return error;
}

/** Loads packages for real, except the native ones, which are missing or broken as asked. */
function loader(native: 'absent' | 'broken') {
  return (name: string): unknown => {
    if (name.startsWith('@tensorflow/tfjs-node')) {
      if (native === 'absent') throw notFound(name);
      throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');
    }
    return realRequire(name);
  };
}

/** A machine without a WebGPU adapter, whatever Vulkan driver this one has. */
const noAdapter = async (): Promise<WebGpuProbe> => ({ kind: 'no adapter', reason: 'Dawn found no usable Vulkan adapter (test)' });

describe('selectBackend', () => {
  it('falls through the missing native packages and WebGPU to wasm and says why each was skipped', async () => {
    const report = await selectBackend({ env: {}, loadPackage: loader('absent'), probeWebGpu: noAdapter });
    expect(report.chosen).toBe('wasm');
    expect(report.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.attempts.map((a) => [a.name, a.outcome])).toEqual([
      ['tfjs-node-gpu', 'not installed'],
      ['tfjs-node', 'not installed'],
      ['webgpu', 'failed'],
      ['wasm', 'chosen'],
      ['cpu', 'not tried'],
    ]);
    expect(report.attempts[0]!.reason).toMatch(/@tensorflow\/tfjs-node-gpu is an optional dependency and is not installed/);
    expect(report.attempts[2]!.reason).toBe('Dawn found no usable Vulkan adapter (test)');
    expect(report.attempts[4]!.reason).toMatch(/wasm comes first/);
    expect(report.webgpuAdapter).toBeUndefined();
    expect(report.device).toMatch(/WebAssembly, 1 thread/);
    expect(report.attempts[3]!.reason).toMatch(/for training: Conv2DBackpropFilter added, MaxPoolGrad, BatchMatMul, Sum replaced/);
    const bundle = backendTable(report)[MIME_BUNDLE]();
    expect(bundle['text/plain']).toMatch(/^tfjs backend: wasm on CPU \(WebAssembly/);
    expect(bundle['text/plain']).toMatch(/tfjs-node: not installed/);
    expect(bundle['text/html']).toMatch(/<b>chosen<\/b>/);
    expect(bundle['text/html']).toMatch(/<table>/);
    expect(bundle['text/plain']).toMatch(/WebGPU adapter: none found$/);
    expect(bundle['text/markdown']).toMatch(/^\| `webgpu` \| failed \| Dawn found no usable Vulkan adapter \(test\) \|$/m);
  });

  it('says when the WebGPU package is not installed', async () => {
    const report = await selectBackend({
      env: {},
      loadPackage: loader('absent'),
      probeWebGpu: () => probeWebGpu({ loadGpu: () => Promise.reject(notFound('webgpu')) }),
    });
    expect(report.attempts.find((a) => a.name === 'webgpu')).toMatchObject({
      outcome: 'not installed',
      reason: 'webgpu (Dawn for Node) is an optional dependency and is not installed',
    });
  });

  it('on this machine (native packages not installable) reports them as not installed', async () => {
    const report = await selectBackend({ env: {}, probeWebGpu: noAdapter });
    const native = report.attempts.filter((a) => a.name.startsWith('tfjs-node'));
    let installed = true;
    try {
      realRequire.resolve('@tensorflow/tfjs-node');
    } catch {
      installed = false;
    }
    if (!installed) {
      expect(report.chosen).toBe('wasm');
      expect(native.map((a) => a.outcome)).toEqual(['not installed', 'not installed']);
    } else {
      expect(['tfjs-node-gpu', 'tfjs-node']).toContain(report.chosen);
    }
  });

  it('reports a native package that fails to load, with its error', async () => {
    const report = await selectBackend({ env: {}, loadPackage: loader('broken'), probeWebGpu: noAdapter });
    expect(report.chosen).toBe('wasm');
    expect(report.attempts[0]).toMatchObject({ name: 'tfjs-node-gpu', outcome: 'failed' });
    expect(report.attempts[0]!.reason).toMatch(/did not load: libtensorflow\.so\.2: cannot open shared object file/);
  });

  it('honours TFJS_BACKEND and the backend option, the option first', async () => {
    const fromEnv = await selectBackend({ env: { TFJS_BACKEND: 'cpu' }, loadPackage: loader('absent') });
    expect(fromEnv.chosen).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(fromEnv.attempts.find((a) => a.name === 'wasm')).toMatchObject({ outcome: 'not tried', reason: 'TFJS_BACKEND=cpu asked for cpu' });
    const fromOption = await selectBackend({ backend: 'wasm', env: { TFJS_BACKEND: 'cpu' } });
    expect(fromOption.chosen).toBe('wasm');
    expect(fromOption.attempts.find((a) => a.name === 'cpu')!.reason).toBe('option backend=wasm asked for wasm');
  });

  it('refuses an unknown TFJS_BACKEND and an unavailable requested backend', async () => {
    await expect(selectBackend({ env: { TFJS_BACKEND: 'webgl' } })).rejects.toThrow(/TFJS_BACKEND must be one of tfjs-node-gpu, tfjs-node, webgpu, wasm, cpu/);
    const err = await selectBackend({ backend: 'tfjs-node', loadPackage: loader('absent') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/no usable tfjs backend for option backend=tfjs-node: .*tfjs-node not installed/);
  });

  it('finds the wasm binaries in the package folder', () => {
    const dir = wasmBinaryDir();
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) expect(existsSync(join(dir, file))).toBe(true);
  });

  it('defines the util functions tfjs-node 4.22 needs only where Node removed them', () => {
    const modern: Record<string, unknown> = {};
    expect(applyNodeUtilWorkaround(modern).sort()).toEqual(['isArray', 'isNullOrUndefined']);
    expect((modern.isNullOrUndefined as (v: unknown) => boolean)(null)).toBe(true);
    expect((modern.isNullOrUndefined as (v: unknown) => boolean)(0)).toBe(false);
    expect((modern.isArray as (v: unknown) => boolean)([1])).toBe(true);
    const old = { isNullOrUndefined: () => true, isArray: () => true };
    expect(applyNodeUtilWorkaround(old)).toEqual([]);
  });

  it('initialises wasm from the compiled library in a process started in another folder (as a notebook kernel is)', () => {
    const compiled = join(projectRoot(), 'dist', 'src', 'model', 'backend.js');
    expect(existsSync(compiled), `${compiled} is built by npm test's setup step`).toBe(true);
    const script = `require(${JSON.stringify(compiled)}).selectBackend({ backend: 'wasm' }).then((r) => { console.log(JSON.stringify({ chosen: r.chosen, device: r.device })); })`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { chosen: string; device: string };
    expect(result.chosen).toBe('wasm');
    expect(result.device).toMatch(/WebAssembly/);
  });
});
