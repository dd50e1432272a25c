import { inspect } from 'node:util';
import type { Content, ErrorContent, Message } from './messages';

/**
 * Exceptions and promise rejections no cell's `await` chain catches (a timer callback that throws,
 * a promise nobody awaits). Each is written to the kernel's log; while a cell runs, it is also
 * that cell's error output, and the cell fails with it.
 */
export interface UncaughtErrors {
  /** From now until `endCell`, uncaught errors belong to `parent` (an execute_request). */
  beginCell(parent: Message): void;
  /** Ends the cell; returns the first uncaught error reported while it ran. */
  endCell(): ErrorContent | undefined;
  report(kind: UncaughtKind, error: unknown): void;
  /** Installs the process handlers; returns the undo. */
  install(): () => void;
}

export type UncaughtKind = 'uncaughtException' | 'unhandledRejection';

const LABELS: Record<UncaughtKind, string> = {
  uncaughtException: 'Uncaught exception',
  unhandledRejection: 'Unhandled promise rejection',
};

export interface UncaughtDependencies {
  log(line: string): void;
  /** The error as an error message, frames mapped to cell lines. */
  describe(error: unknown): ErrorContent;
  publish(msgType: string, content: Content, parent: Message): void;
}

export function createUncaughtErrors({ log, describe, publish }: UncaughtDependencies): UncaughtErrors {
  let cell: { parent: Message; first: ErrorContent | undefined } | undefined;
  const report = (kind: UncaughtKind, error: unknown): void => {
    const label = LABELS[kind];
    log(`${label}${cell ? '' : ' outside any cell'}: ${error instanceof Error ? (error.stack ?? error.message) : inspect(error)}`);
    if (!cell) return;
    const described = describe(error);
    const content: ErrorContent = { ...described, traceback: [`${label} (in a callback of this cell):`, ...described.traceback] };
    cell.first ??= content;
    publish('error', content, cell.parent);
  };
  return {
    beginCell(parent) {
      cell = { parent, first: undefined };
    },
    endCell() {
      const first = cell?.first;
      cell = undefined;
      return first;
    },
    report,
    install() {
      const onException = (error: unknown) => report('uncaughtException', error);
      const onRejection = (error: unknown) => report('unhandledRejection', error);
      process.on('uncaughtException', onException);
      process.on('unhandledRejection', onRejection);
      return () => {
        process.off('uncaughtException', onException);
        process.off('unhandledRejection', onRejection);
      };
    },
  };
}
