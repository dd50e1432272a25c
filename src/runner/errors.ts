/**
 * Typed errors of the runner; the CLI maps them to exit codes 2 (input) and 3 (infrastructure).
 * Any other error is a bug in the runner: the CLI prints its stack and exits 1.
 */
import type { RunReport } from './types';

/** Bad usage or bad input: unreadable or invalid notebook, unknown kernel, bad parameters (exit 2). */
export class RunnerInputError extends Error {
  override readonly name = 'RunnerInputError';
  constructor(
    message: string,
    readonly context: { file?: string; cell?: string; parameter?: string } = {},
  ) {
    super(message);
  }
}

/** The Jupyter server or a kernel could not start or be reached (exit 3). */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
  constructor(
    message: string,
    readonly context: { url?: string; notebook?: string; cause?: unknown; report?: RunReport } = {},
  ) {
    super(message);
  }
}

/**
 * The run was aborted through its AbortSignal (e.g. SIGINT); everything it started was stopped.
 * `report` is the report written before throwing (absent when the run stopped before any notebook).
 */
export class RunAbortedError extends Error {
  override readonly name = 'RunAbortedError';
  constructor(
    message: string,
    readonly report?: RunReport,
  ) {
    super(message);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
