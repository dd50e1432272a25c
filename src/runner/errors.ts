/** Typed errors of the runner; the CLI maps them to exit codes 2 (input) and 3 (infrastructure). */

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
    readonly context: { url?: string; notebook?: string; cause?: unknown } = {},
  ) {
    super(message);
  }
}

/** The run was aborted through its AbortSignal (e.g. SIGINT); everything it started was stopped. */
export class RunAbortedError extends Error {
  override readonly name = 'RunAbortedError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
