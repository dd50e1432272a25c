import { inspect } from 'node:util';
import type { ErrorContent } from './messages';
import type { Position } from './linemap';
import { TSLAB_INTERRUPT_MESSAGE, type Diagnostic } from './tslab';

/** How a cell is named in tracebacks, e.g. `Cell In[3]`, and its source for excerpts. */
export interface CellRef {
  label: string;
  source: string;
}

/** Given a stack frame's file, line and column, the cell and position it stands for, if any. */
export type FrameResolver = (file: string, position: Position) => { cell: CellRef; position: Position } | undefined;

export const COMPILE_ERROR_NAME = 'TSError';
export const INTERRUPT_ERROR_NAME = 'InterruptError';

/** The excerpt shown under a traceback line: the cell's line with its number, and a caret. */
export function excerpt(source: string, position: Position): string[] {
  const text = source.split('\n')[position.line - 1];
  if (text === undefined) return [];
  const gutter = `${position.line} | `;
  return [`${gutter}${text}`, `${' '.repeat(gutter.length + Math.max(0, position.column - 1))}^`];
}

/** TypeScript diagnostics of a cell as one error; every line number is the cell's own. */
export function compileError(diagnostics: readonly Diagnostic[], cell: CellRef): ErrorContent {
  const first = diagnostics[0];
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
  const traceback: string[] = [];
  for (const diag of diagnostics) {
    const position = { line: diag.start.line + 1, column: diag.start.character + 1 };
    const where = diag.fileName ? `${diag.fileName}, line ${position.line}` : `${cell.label}, line ${position.line}`;
    traceback.push(`${where}, column ${position.column}: error TS${diag.code}: ${diag.messageText}`);
    if (!diag.fileName) traceback.push(...excerpt(cell.source, position).map((line) => `    ${line}`));
  }
  const firstLine = first ? first.start.line + 1 : 0;
  return {
    ename: COMPILE_ERROR_NAME,
    evalue: first ? `line ${firstLine}: ${first.messageText}${more}` : 'compilation failed',
    traceback,
  };
}

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** True for stack frames of the machinery that runs cells (not the user's code or libraries). */
export function isRunnerFrame(file: string, runnerDirs: readonly string[]): boolean {
  return file.startsWith('node:') || runnerDirs.some((dir) => file.startsWith(dir));
}

/** An exception thrown by a cell as an error message, its frames pointing at cell lines. */
export function runtimeError(value: unknown, resolve: FrameResolver, runnerDirs: readonly string[]): ErrorContent {
  if (!(value instanceof Error)) {
    const shown = inspect(value);
    return { ename: 'Uncaught', evalue: shown, traceback: [`Uncaught ${shown}`] };
  }
  if (isInterrupt(value)) {
    return { ename: INTERRUPT_ERROR_NAME, evalue: 'execution was interrupted', traceback: [`${INTERRUPT_ERROR_NAME}: execution was interrupted`] };
  }
  const ename = value.name || value.constructor.name || 'Error';
  const evalue = value.message;
  const traceback = [`${ename}: ${evalue}`];
  let excerptShown = false;
  for (const line of (value.stack ?? '').split('\n')) {
    const frame = FRAME.exec(line);
    if (!frame) continue;
    const [, rawFn, file = '', lineText = '0', columnText = '0'] = frame;
    // Functions from earlier cells are called through tslab's exports proxy ("Proxy.f").
    const fn = rawFn?.replace(/^Proxy\./, '');
    const mapped = resolve(file, { line: Number(lineText), column: Number(columnText) });
    if (mapped) {
      const where = `${mapped.cell.label}, line ${mapped.position.line}`;
      traceback.push(fn ? `    at ${fn} (${where})` : `    at ${where}`);
      if (!excerptShown) {
        traceback.push(...excerpt(mapped.cell.source, mapped.position).map((text) => `        ${text}`));
        excerptShown = true;
      }
    } else if (!isRunnerFrame(file, runnerDirs)) {
      traceback.push(line.replace(/^\s*/, '    '));
    }
  }
  return { ename, evalue, traceback };
}

/** tslab's error for an abandoned top-level await, or V8's for a SIGINT during synchronous code. */
export function isInterrupt(error: Error): boolean {
  return (
    (error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' ||
    error.message === TSLAB_INTERRUPT_MESSAGE
  );
}
