import { compileError, runtimeError, type CellRef, type FrameResolver } from './errors';
import { createLineMap, type LineMap } from './linemap';
import { routeLetsThroughExports } from './live-bindings';
import { installResolutionFallback, nodePathRoots } from './resolution';
import { expandShorthandProperties } from './shorthand';
import {
  TSLAB_DIAGNOSTIC_FORMAT,
  createConverter,
  createExecutor,
  tslabExecutorDir,
  tslabSystem,
  type ConsoleInterface,
  type Converter,
  type ConverterSet,
  type Diagnostic,
  type Executor,
} from './tslab';
import type { ErrorContent } from './messages';

/** What running one cell gave: its last expression's value (if any), or an error with cell lines. */
export type CellOutcome =
  | { kind: 'ok'; result: { value: unknown } | undefined }
  | { kind: 'error'; error: ErrorContent };

export interface CellRunner {
  /** Compiles and runs `code`; `label` names the cell in tracebacks (e.g. `Cell In[3]`). */
  run(code: string, label: string): Promise<CellOutcome>;
  /** tslab's completion at a UTF-16 offset. */
  complete: Executor['complete'];
  /** tslab's quick info at a UTF-16 offset. */
  inspect: Executor['inspect'];
  /** An error thrown outside the cell's own run (a callback), frames mapped to cell lines. */
  describeError(value: unknown): ErrorContent;
  /** Abandons a pending top-level await (a synchronous loop is stopped by SIGINT itself). */
  interrupt(): void;
  close(): void;
}

/** Script names given to cells (sourceURL), so their stack frames can be told apart. */
const CELL_FILE_PREFIX = 'llm-price-lab-cell-';
/** Cells kept for mapping stack frames of functions defined in earlier cells. */
const MAX_REMEMBERED_CELLS = 2000;

interface Run {
  file: string;
  /** The interrupt count when the cell started. */
  interruptsAtStart: number;
  cell: CellRef;
  diagnostics: Diagnostic[];
  thrown: { value: unknown } | undefined;
  result: { value: unknown } | undefined;
}

export interface CellRunnerOptions {
  /** Folder imports resolve from (the notebook's folder). */
  rootDir: string;
  /** Where anything the runner cannot attribute to a cell is reported. */
  log(line: string): void;
  /** Module folders searched after the notebook's node_modules chain (default: NODE_PATH's, as Node does). */
  moduleRoots?: readonly string[];
  /**
   * How many interrupts were requested so far (interrupts.ts). One requested while a cell compiles
   * stops it before it runs; without this, a SIGINT during the (synchronous) compiler is lost.
   */
  interrupts?: () => number;
  /**
   * Global declarations the Node cells compile against (`declare global { … }`): what the kernel
   * installs on the global object, such as `prompt`, which Node's types do not declare.
   */
  globals?: string;
}

/** The in-memory module that holds `globals` for the compiler (never imported, never run). */
const GLOBALS_MODULE = '__llm_price_lab_kernel_globals__';

/** What a cell interrupted before it ran throws: V8's code for a SIGINT during `vm` execution. */
const INTERRUPTED_BEFORE_RUN =
  'throw Object.assign(new Error("Script execution was interrupted before it ran"), { code: "ERR_SCRIPT_EXECUTION_INTERRUPTED" });';

export function createCellRunner({ rootDir, log, moduleRoots = nodePathRoots(), interrupts = () => 0, globals }: CellRunnerOptions): CellRunner {
  let current: Run | undefined;
  let sequence = 0;
  const cells = new Map<string, { cell: CellRef; lineMap: LineMap }>();

  // Converters are tslab's; they are wrapped to spell out shorthand properties tslab cannot rewrite
  // (shorthand.ts), to let a cell's functions see later assignments to its `let`s (live-bindings.ts),
  // to keep the diagnostics (in the user's columns) and emitted JavaScript of each cell and to name
  // the emitted script after the cell (sourceURL), so stack frames can be mapped.
  const hook = (converter: Converter): Converter => ({
    convert(prevDecl, src) {
      const expansion = expandShorthandProperties(src);
      const compiled = converter.convert(prevDecl, expansion.source);
      const converted = {
        ...compiled,
        diagnostics: expansion.restoreDiagnostics(compiled.diagnostics),
        output: compiled.output === undefined ? undefined : routeLetsThroughExports(compiled.output),
      };
      if (!current) return converted;
      current.diagnostics = converted.diagnostics;
      if (!converted.output) return converted;
      if (interrupts() !== current.interruptsAtStart) return { ...converted, output: INTERRUPTED_BEFORE_RUN };
      cells.set(current.file, { cell: current.cell, lineMap: createLineMap(src, converted.output) });
      if (cells.size > MAX_REMEMBERED_CELLS) cells.delete(cells.keys().next().value as string);
      return { ...converted, output: `${converted.output}\n//# sourceURL=${current.file}` };
    },
    addModule(name, content, meta) {
      const diagnostics = converter.addModule(name, content, meta);
      if (current) current.diagnostics = diagnostics;
      return diagnostics;
    },
    inspect: (prevDecl, src, position) => converter.inspect(prevDecl, src, position),
    complete: (prevDecl, src, position) => converter.complete(prevDecl, src, position),
    close: () => converter.close(),
  });
  let node: Converter | undefined;
  let browser: Converter | undefined;
  const converters: ConverterSet = {
    get node() {
      if (node) return node;
      const created = createConverter({ isJS: false, isBrowser: false });
      if (globals !== undefined) {
        for (const problem of created.addModule(GLOBALS_MODULE, globals)) log(`kernel globals: ${problem.messageText}`);
      }
      return (node = hook(created));
    },
    get browser() {
      return (browser ??= hook(createConverter({ isJS: false, isBrowser: true })));
    },
    close() {
      node?.close();
      browser?.close();
    },
  };

  // tslab's executor reports through this console: `log` gets the last expression's value,
  // `error` a thrown value (diagnostics are taken from the converter).
  const console: ConsoleInterface = {
    log(value: unknown) {
      if (current) current.result = { value };
      else log(`unattributed value: ${String(value)}`);
    },
    error(first: unknown, ...rest: unknown[]) {
      // Diagnostics are taken from the converter, in the user's columns; tslab's own print is dropped.
      if (first === TSLAB_DIAGNOSTIC_FORMAT) return;
      if (current) current.thrown = { value: first };
      else log(`unattributed error: ${String(first)} ${rest.map(String).join(' ')}`);
    },
  };
  // The executor and its compiler are created on first use (a cell, a completion, an inspection),
  // so requests that need no compiler never wait a second for the TypeScript program.
  let created: Executor | undefined;
  let removeFallback: (() => void) | undefined;
  const executor = (): Executor => {
    if (!created) {
      removeFallback = installResolutionFallback(tslabSystem(), moduleRoots);
      created = createExecutor(rootDir, converters, console);
      void converters.node;
    }
    return created;
  };

  // Frames of tslab, of this kernel, and of the wrapper line tslab adds after a cell's code.
  const runnerDirs = [tslabExecutorDir(), __dirname, CELL_FILE_PREFIX];
  const resolve: FrameResolver = (file, position) => {
    const entry = cells.get(file);
    const mapped = entry?.lineMap.toSource(position);
    return entry && mapped ? { cell: entry.cell, position: mapped } : undefined;
  };

  return {
    async run(code, label) {
      sequence += 1;
      const run: Run = {
        file: `${CELL_FILE_PREFIX}${process.pid}-${sequence}.ts`,
        interruptsAtStart: interrupts(),
        cell: { label, source: code },
        diagnostics: [],
        thrown: undefined,
        result: undefined,
      };
      current = run;
      let ok: boolean;
      try {
        ok = await executor().execute(code);
      } catch (error) {
        run.thrown = { value: error };
        ok = false;
      } finally {
        current = undefined;
      }
      if (run.diagnostics.length > 0) return { kind: 'error', error: compileError(run.diagnostics, run.cell) };
      if (run.thrown) return { kind: 'error', error: runtimeError(run.thrown.value, resolve, runnerDirs) };
      if (!ok) return { kind: 'error', error: { ename: 'Error', evalue: 'the cell failed', traceback: ['Error: the cell failed'] } };
      return { kind: 'ok', result: run.result };
    },
    describeError: (value) => runtimeError(value, resolve, runnerDirs),
    complete: (src, position) => executor().complete(src, position),
    inspect: (src, position) => executor().inspect(src, position),
    interrupt: () => created?.interrupt(),
    close() {
      try {
        created?.close();
      } finally {
        removeFallback?.();
      }
    },
  };
}
