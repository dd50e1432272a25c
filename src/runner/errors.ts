/**
 * Typed errors of the runner; the CLI maps them to exit codes 2 (input) and 3 (infrastructure).
 * Any other error is a bug in the runner: the CLI prints its stack and exits 1.
 */
import type { RunReport } from './types';
import { ProjectError } from '../errors';

/** Bad usage or bad input: unreadable or invalid notebook, unknown kernel, bad parameters (exit 2). */
export class RunnerInputError extends ProjectError<{ file?: string; cell?: string; parameter?: string }> {
  constructor(message: string, context: { file?: string; cell?: string; parameter?: string } = {}) {
    super(message, context);
  }
}

/** The Jupyter server or a kernel could not start or be reached (exit 3). */
export class InfrastructureError extends ProjectError<{ url?: string; notebook?: string; cause?: unknown; report?: RunReport }> {
  constructor(message: string, context: { url?: string; notebook?: string; cause?: unknown; report?: RunReport } = {}) {
    super(message, context);
  }
}

/**
 * The run was aborted through its AbortSignal (e.g. SIGINT); everything it started was stopped.
 * `report` is the report written before throwing (absent when the run stopped before any notebook).
 */
export class RunAbortedError extends ProjectError<{ report?: RunReport }> {
  constructor(
    message: string,
    readonly report?: RunReport,
  ) {
    super(message, { report });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
