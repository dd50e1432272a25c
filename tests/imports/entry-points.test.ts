/**
 * The library's entry points: the root and one subpath per part (package.json `exports`, with
 * `typesVersions` for TypeScript's Node 10 resolution, which the kernel's compiler uses). Each must
 * resolve for Node and for the kernel's TypeScript, inside the project, outside it through NODE_PATH
 * (as the kernelspec sets it) and as an installed package; loading one must do no work, and the parts
 * a cost notebook uses must not load TensorFlow.js.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import type * as TypeScript from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { installResolutionFallback } from '../../kernel/resolution';
import { projectRoot } from '../../src/paths';
import { modulesLoadedBy, tensorflowFiles } from './loaded';

const root = projectRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};
/** Subpath (`cost`) → the compiled files it stands for, relative to the root. */
const parts = Object.entries(manifest.exports).flatMap(([key, target]) =>
  key.startsWith('./') && typeof target !== 'string' ? [{ name: key.slice(2), js: target.default.slice(2), dts: target.types.slice(2) }] : [],
);
const specifiers = ['llm-price-lab', ...parts.map((p) => `llm-price-lab/${p.name}`)];
/** What each specifier must end up at (real paths). */
const expectedJs = new Map([['llm-price-lab', join(root, 'dist', 'src', 'index.js')], ...parts.map((p) => [`llm-price-lab/${p.name}`, join(root, p.js)] as const)]);
const expectedDts = new Map([['llm-price-lab', join(root, 'dist', 'src', 'index.d.ts')], ...parts.map((p) => [`llm-price-lab/${p.name}`, join(root, p.dts)] as const)]);

/** Parts a notebook about prices and algorithms imports; none may bring TensorFlow.js with it. */
const WITHOUT_TFJS = ['comm', 'cost', 'display', 'facts', 'math', 'paths', 'plot', 'show', 'stats', 'stdin', 'tools', 'widgets'];

const outside = mkdtempSync(join(tmpdir(), 'entry-points-'));
afterAll(() => rmSync(outside, { recursive: true, force: true }));

/**
 * For each specifier, whether Node's require, from a module in `folder` in a fresh process, gives the
 * very module object of the compiled file it stands for (through the forwarding package or `exports`).
 */
function nodeLoadsExpected(folder: string, env: NodeJS.ProcessEnv): Record<string, boolean> {
  const script = [
    "const { createRequire } = require('node:module');",
    `const load = createRequire(${JSON.stringify(join(folder, 'cell.js'))});`,
    `const expected = ${JSON.stringify(Object.fromEntries(expectedJs))};`,
    'process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(expected).map(([s, file]) => [s, load(s) === require(file)]))));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], { cwd: folder, env, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`requiring from ${folder} failed: ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout) as Record<string, boolean>;
}

const allTrue = Object.fromEntries(specifiers.map((s) => [s, true]));

/** The kernel's own TypeScript (tslab's bundled 5.0) and the options its converter compiles cells with. */
const kernelTs = createRequire(createRequire(import.meta.url).resolve('tslab/dist/converter'))('@tslab/typescript-for-tslab') as typeof TypeScript;
const KERNEL_OPTIONS: TypeScript.CompilerOptions = { moduleResolution: kernelTs.ModuleResolutionKind.Node10 };

/** The forwarding package setup writes: each declaration file in it only forwards to another module. */
const FORWARDING_PACKAGE = join(root, 'node_modules', 'llm-price-lab') + sep;
const FORWARDING = /^export \* from '([^']+)';\n?$/;

/**
 * Where TypeScript resolves each specifier's types from a cell in `folder`: the real path of the
 * declaration file reached, following forwarding stubs (undefined when it does not resolve).
 */
function typesResolve(ts: typeof TypeScript, folder: string, options: TypeScript.CompilerOptions, host: TypeScript.ModuleResolutionHost): Record<string, string | undefined> {
  const resolveFrom = (specifier: string, from: string): string | undefined => {
    const resolved = ts.resolveModuleName(specifier, from, options, host).resolvedModule?.resolvedFileName;
    if (resolved === undefined) return undefined;
    const real = realpathSync(resolved);
    if (!real.startsWith(FORWARDING_PACKAGE)) return real;
    const forward = FORWARDING.exec(readFileSync(real, 'utf8'));
    if (!forward) throw new Error(`${real}: not a forwarding stub`);
    return resolveFrom(forward[1]!, real);
  };
  return Object.fromEntries(specifiers.map((s) => [s, resolveFrom(s, join(folder, 'cell.ts'))]));
}

describe('entry points', () => {
  it('one per part, each with its types for Node 10 resolution and its own source index', () => {
    expect(parts.map((p) => p.name)).toEqual(expect.arrayContaining(['algorithms', 'compress', 'cost', 'data', 'deploy', 'model', 'plot', 'privacy', 'show', 'stats', 'tools']));
    for (const part of parts) {
      expect(manifest.typesVersions['*']![part.name], part.name).toEqual([part.dts]);
      const source = part.js.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(existsSync(join(root, source)), source).toBe(true);
    }
  });

  it('Node resolves each from a notebook in the project', () => {
    expect(nodeLoadsExpected(join(root, 'notebooks'), process.env)).toEqual(allTrue);
  });

  it('Node resolves each from a folder outside the project through NODE_PATH, as the kernelspec sets it', () => {
    expect(() => nodeLoadsExpected(outside, { ...process.env, NODE_PATH: '' })).toThrow(/Cannot find module 'llm-price-lab'/);
    expect(nodeLoadsExpected(outside, { ...process.env, NODE_PATH: join(root, 'node_modules') })).toEqual(allTrue);
  });

  it('the kernel’s TypeScript resolves each one’s types from a notebook in the project', () => {
    expect(typesResolve(kernelTs, join(root, 'notebooks'), KERNEL_OPTIONS, kernelTs.sys)).toEqual(Object.fromEntries(expectedDts));
  });

  it('the kernel’s TypeScript resolves each one’s types from outside the project with the kernel’s fallback', () => {
    const host = { ...kernelTs.sys };
    expect(typesResolve(kernelTs, outside, KERNEL_OPTIONS, host)).toEqual(Object.fromEntries(specifiers.map((s) => [s, undefined])));
    installResolutionFallback(host, [join(root, 'node_modules')]);
    expect(typesResolve(kernelTs, outside, KERNEL_OPTIONS, host)).toEqual(Object.fromEntries(expectedDts));
  });

  it('as an installed package: Node through `exports`, TypeScript through `typesVersions` (Node 10) and `exports` (Node 16)', () => {
    const consumer = join(outside, 'consumer');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(root, join(consumer, 'node_modules', 'llm-price-lab'), 'dir');
    const env = { ...process.env, NODE_PATH: '' };
    expect(nodeLoadsExpected(consumer, env)).toEqual(allTrue);
    expect(typesResolve(kernelTs, consumer, KERNEL_OPTIONS, kernelTs.sys)).toEqual(Object.fromEntries(expectedDts));
    const node16 = { module: kernelTs.ModuleKind.Node16, moduleResolution: kernelTs.ModuleResolutionKind.Node16 };
    expect(typesResolve(kernelTs, consumer, node16, kernelTs.sys)).toEqual(Object.fromEntries(expectedDts));
  });

  it('loading any of them does no work: nothing printed, no timer, socket or handle left open', () => {
    for (const specifier of specifiers) {
      const script = `require(${JSON.stringify(specifier)});\nconst open = process.getActiveResourcesInfo();\nprocess.stdout.write(JSON.stringify(open));`;
      const run = spawnSync(process.execPath, ['-e', script], { cwd: join(root, 'notebooks'), encoding: 'utf8', timeout: 60_000 });
      expect({ specifier, status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ specifier, status: 0, stdout: '[]', stderr: '' });
    }
  });

  it.each(WITHOUT_TFJS)('llm-price-lab/%s loads no TensorFlow.js', (name) => {
    const loaded = modulesLoadedBy([`llm-price-lab/${name}`], join(root, 'notebooks'));
    expect(loaded).toContain(expectedJs.get(`llm-price-lab/${name}`));
    expect(tensorflowFiles(loaded)).toEqual([]);
  });

  it('while the model part does', () => {
    expect(tensorflowFiles(modulesLoadedBy(['llm-price-lab/model'], join(root, 'notebooks'))).length).toBeGreaterThan(0);
  });
});
