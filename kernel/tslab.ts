/**
 * Every place the kernel depends on tslab's internals, in one module; the rest of the kernel imports
 * tslab only from here.
 *
 * tslab's public API (`versions`, `display`) does not cover running cells with our own console,
 * wrapping its converters, printing quick info, or routing its `display` calls, so the kernel
 * deep-imports `tslab/dist/*` and relies on two strings tslab's executor uses. None of that is a
 * published contract: tslab is pinned exactly in package.json, and
 * tests/kernel/tslab-touchpoints.test.ts checks each item below against the installed tslab, so an
 * upgrade that changes one fails there, naming it.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { ResolutionSystem } from './resolution';

export { versions } from 'tslab';
export { createConverter, isCompleteCode, type Converter, type Diagnostic } from 'tslab/dist/converter';
export { createExecutor, type ConsoleInterface, type ConverterSet, type Executor } from 'tslab/dist/executor';
export { printQuickInfo } from 'tslab/dist/inspect';

/**
 * The format string tslab's executor prints each diagnostic with, as
 * `console.error(TSLAB_DIAGNOSTIC_FORMAT, fileNamePrefix, line, column, message)`. The kernel takes
 * diagnostics from the converter instead, and drops these calls.
 */
export const TSLAB_DIAGNOSTIC_FORMAT = '%s%d:%d - %s';

/** The message of the error tslab's executor rejects a pending top-level await with on `interrupt()`. */
export const TSLAB_INTERRUPT_MESSAGE = 'Interrupted asynchronously';

/** The folder of tslab's executor: its stack frames are the machinery that runs a cell. */
export function tslabExecutorDir(): string {
  return dirname(require.resolve('tslab/dist/executor'));
}

/** TypeScript's file system (`ts.sys`) of the compiler copy tslab's converter loads. */
export function tslabSystem(): ResolutionSystem {
  const load = createRequire(require.resolve('tslab/dist/converter'));
  return (load('@tslab/typescript-for-tslab') as { sys: ResolutionSystem }).sys;
}

/** What tslab's `display` API hands over for one `display_data` or `update_display_data`. */
export interface TslabDisplayContent {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** `{ display_id }`, the id undefined unless the display was made with `tslab.newDisplay()`. */
  transient?: Record<string, unknown>;
}
/** `update` is true for the second and later writes of a `newDisplay()`, else false or undefined. */
export type TslabDisplayWriter = (content: TslabDisplayContent, update: boolean | undefined) => void;

/** tslab/dist/jupyter: `display.*` of `import * as tslab from 'tslab'` calls this module slot. */
interface TslabJupyterModule {
  lastWriteDisplayData: TslabDisplayWriter | null;
}

/**
 * Routes tslab's own `display` API (`tslab.display.html(...)` in a cell) to `writer`, or back to
 * nothing (`null`: tslab then throws "Not ready"). tslab/dist/jupyter is loaded only here, on use.
 */
export function setTslabDisplayWriter(writer: TslabDisplayWriter | null): void {
  const jupyter = require('tslab/dist/jupyter') as TslabJupyterModule;
  jupyter.lastWriteDisplayData = writer;
}
