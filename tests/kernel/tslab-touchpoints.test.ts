/**
 * Each place the kernel depends on tslab's internals (kernel/tslab.ts), checked against the installed
 * tslab. A failure here after changing tslab's version names what moved and where the kernel uses it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import * as tslabPublic from 'tslab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as compilerKernelImports from '@tslab/typescript-for-tslab';
import {
  TSLAB_DIAGNOSTIC_FORMAT,
  TSLAB_INTERRUPT_MESSAGE,
  createConverter,
  createExecutor,
  isCompleteCode,
  printQuickInfo,
  setTslabDisplayWriter,
  tslabExecutorDir,
  tslabSystem,
  versions,
  type Converter,
  type Executor,
  type TslabDisplayContent,
} from '../../kernel/tslab';

const ROOT = join(__dirname, '..', '..');
/** The version kernel/tslab.ts was written against. */
const PINNED_TSLAB = '1.0.22';

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

describe('the tslab version', () => {
  it('is pinned exactly in package.json and package-lock.json, and installed', () => {
    const manifest = readJson(join(ROOT, 'package.json')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies.tslab, 'package.json must pin tslab exactly (no ^ or ~): kernel/tslab.ts relies on its internals').toBe(PINNED_TSLAB);
    const lock = readJson(join(ROOT, 'package-lock.json')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/tslab']?.version, 'package-lock.json resolves another tslab than package.json pins').toBe(PINNED_TSLAB);
    const installed = readJson(join(ROOT, 'node_modules', 'tslab', 'package.json')) as { version: string };
    expect(installed.version, 'the installed tslab is not the pinned one: run npm ci').toBe(PINNED_TSLAB);
  });

  it("is what tslab's public `versions` reports (kernel_info_reply's banner)", () => {
    expect(versions.tslab, "tslab's `versions.tslab` (kernel/kernelinfo.ts)").toBe(PINNED_TSLAB);
    expect(versions.typescript, "tslab's `versions.typescript` (kernel/kernelinfo.ts)").toBe(compilerKernelImports.version);
    expect(versions.node, "tslab's `versions.node` (kernel/kernelinfo.ts)").toBe(process.version);
  });

  it("gives the kernel's direct imports of @tslab/typescript-for-tslab the copy tslab's converter loads", () => {
    // iscomplete.ts, shorthand.ts and live-bindings.ts parse with it; resolution.ts patches its `sys`.
    expect(tslabSystem(), "tslab's converter loads another @tslab/typescript-for-tslab than the kernel: align package.json with tslab's dependency").toBe(
      compilerKernelImports.sys,
    );
    expect(typeof tslabSystem().readFile, "ts.sys.readFile of tslab's compiler (resolution.ts patches it)").toBe('function');
  });
});

describe('tslab/dist/converter', () => {
  let converter: Converter;
  beforeAll(() => {
    expect(typeof createConverter, 'tslab/dist/converter no longer exports createConverter (kernel/execution.ts)').toBe('function');
    converter = createConverter({ isJS: false, isBrowser: false });
  });
  afterAll(() => converter?.close());

  it('makes converters with the methods kernel/execution.ts wraps', () => {
    for (const method of ['convert', 'addModule', 'inspect', 'complete', 'close'] as const) {
      expect(typeof converter[method], `tslab's Converter has no ${method}() (kernel/execution.ts wraps it)`).toBe('function');
    }
    expect(converter.convert.length, "Converter.convert(prevDecl, src)'s arity").toBe(2);
    expect(converter.inspect.length, "Converter.inspect(prevDecl, src, position)'s arity").toBe(3);
  });

  it('gives diagnostics in the shape kernel/errors.ts and kernel/shorthand.ts read', () => {
    const { diagnostics } = converter.convert('', 'const a = 1;\nconst s: number = "a";');
    expect(diagnostics, "tslab's Diagnostic changed shape (zero-based line/character, offset, messageText, code)").toEqual([
      {
        start: { offset: 19, line: 1, character: 6 },
        end: { offset: 20, line: 1, character: 7 },
        messageText: "Type 'string' is not assignable to type 'number'.",
        category: 1,
        code: 2322,
      },
    ]);
  });

  it('exports isCompleteCode(code) -> { completed, indent } (kernel/iscomplete.ts)', () => {
    expect(typeof isCompleteCode, 'tslab/dist/converter no longer exports isCompleteCode').toBe('function');
    expect(isCompleteCode('if (x) {'), "isCompleteCode's result for an open block").toEqual({ completed: false, indent: '  ' });
    expect(isCompleteCode('const x = 1;').completed, "isCompleteCode's result for a whole statement").toBe(true);
  });

  it('prints quick info with printQuickInfo(info) from tslab/dist/inspect (kernel/inspect.ts)', () => {
    expect(typeof printQuickInfo, 'tslab/dist/inspect no longer exports printQuickInfo').toBe('function');
    const source = 'const answer = 42;\nanswer';
    expect(printQuickInfo(converter.inspect('', source, source.length - 2)), 'printQuickInfo output for a const').toBe('const answer: 42');
  });
});

describe('tslab/dist/executor', () => {
  let dir: string;
  let executor: Executor;
  let converter: Converter;
  const calls: { method: 'log' | 'error'; args: unknown[] }[] = [];
  beforeAll(() => {
    expect(typeof createExecutor, 'tslab/dist/executor no longer exports createExecutor (kernel/execution.ts)').toBe('function');
    expect(createExecutor.length, 'createExecutor(rootDir, converters, console) changed arity').toBe(3);
    dir = mkdtempSync(join(tmpdir(), 'tslab-touchpoints-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    converter = createConverter({ isJS: false, isBrowser: false });
    executor = createExecutor(dir, { node: converter, browser: converter, close: () => converter.close() }, {
      log: (...args: unknown[]) => calls.push({ method: 'log', args }),
      error: (...args: unknown[]) => calls.push({ method: 'error', args }),
    });
  });
  afterAll(() => {
    try {
      executor?.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints each diagnostic with TSLAB_DIAGNOSTIC_FORMAT, which kernel/execution.ts drops", async () => {
    calls.length = 0;
    expect(await executor.execute('const s: number = "a";')).toBe(false);
    expect(calls, "tslab's executor no longer prints diagnostics as console.error('%s%d:%d - %s', file, line, column, message)").toEqual([
      { method: 'error', args: [TSLAB_DIAGNOSTIC_FORMAT, '', 1, 7, "Type 'string' is not assignable to type 'number'."] },
    ]);
  });

  it("passes the last expression's value to console.log", async () => {
    calls.length = 0;
    expect(await executor.execute('const n = 6;\nn * 7')).toBe(true);
    expect(calls, "tslab's executor no longer reports a cell's value through console.log").toEqual([{ method: 'log', args: [42] }]);
  });

  it('rejects an abandoned top-level await with TSLAB_INTERRUPT_MESSAGE (kernel/errors.ts isInterrupt)', async () => {
    calls.length = 0;
    const pending = executor.execute('await new Promise(() => {});');
    executor.interrupt();
    expect(await pending).toBe(false);
    const thrown = calls.find((c) => c.method === 'error')?.args[0];
    expect(thrown, "tslab's interrupt() no longer reports an Error through console.error").toBeInstanceOf(Error);
    expect((thrown as Error).message, "tslab's executor throws another message on interrupt(): update TSLAB_INTERRUPT_MESSAGE").toBe(
      TSLAB_INTERRUPT_MESSAGE,
    );
  });

  it('runs cells from a frame inside tslabExecutorDir(), which tracebacks leave out', async () => {
    calls.length = 0;
    await executor.execute('throw new Error("boom");');
    const thrown = calls.find((c) => c.method === 'error')?.args[0] as Error | undefined;
    expect(thrown?.message).toBe('boom');
    const frames = (thrown?.stack ?? '').split('\n').filter((line) => line.includes(`${tslabExecutorDir()}${sep}`));
    expect(frames.length, `no stack frame of a cell lies in tslabExecutorDir() (${tslabExecutorDir()}): tslab's files moved`).toBeGreaterThan(0);
  });
});

describe('tslab/dist/jupyter lastWriteDisplayData', () => {
  afterAll(() => setTslabDisplayWriter(null));

  it('is a slot of the module, empty until the kernel fills it', () => {
    const jupyter = require('tslab/dist/jupyter') as Record<string, unknown>;
    expect(Object.keys(jupyter), 'tslab/dist/jupyter no longer has lastWriteDisplayData (kernel/output.ts fills it)').toContain('lastWriteDisplayData');
    setTslabDisplayWriter(null);
    expect(() => tslabPublic.display.text('x'), "tslab's display no longer refuses to write without lastWriteDisplayData").toThrow('Not ready');
  });

  it("is what tslab's display and newDisplay write through", () => {
    const written: [TslabDisplayContent, boolean | undefined][] = [];
    setTslabDisplayWriter((content, update) => written.push([content, update]));
    tslabPublic.display.html('<b>x</b>');
    const shown = tslabPublic.newDisplay();
    shown.text('first');
    shown.text('second');
    expect(written.length, "tslab's display API no longer calls lastWriteDisplayData").toBe(3);
    expect(written[0], "tslab's display.html content").toEqual([{ data: { 'text/html': '<b>x</b>' }, metadata: {}, transient: { display_id: undefined } }, undefined]);
    const id = written[1][0].transient?.display_id;
    expect(typeof id, "newDisplay() gives its displays a display_id").toBe('string');
    expect(written.slice(1), "newDisplay() writes once, then updates in place").toEqual([
      [{ data: { 'text/plain': 'first' }, metadata: {}, transient: { display_id: id } }, undefined],
      [{ data: { 'text/plain': 'second' }, metadata: {}, transient: { display_id: id } }, true],
    ]);
  });
});
