/**
 * The project's errors share one base so that each says what it is about as data, not only in its
 * message: a caller (the runner's report, a notebook cell, a test) reads `error.context` instead of
 * parsing text, and `instanceof ProjectError` tells the project's own failures from a library's.
 */

/**
 * The base of every error class in the library and the kernel. `name` is the subclass's own class
 * name, so a traceback or a kernel's `ename` names the precise error without each class repeating
 * its name as a string that can drift from the class. `context` holds what the message was built
 * from, typed by the subclass.
 */
export class ProjectError<Context extends object = Record<string, never>> extends Error {
  override readonly name: string;
  /** What the error is about (the file, the parameter, the cell), as the subclass names it. */
  readonly context: Context;

  constructor(message: string, context: Context) {
    super(message);
    this.name = new.target.name;
    this.context = context;
  }
}

/** Where a file's problem is and what it is: the context of a `FileProblemError`. */
export interface FileProblem {
  /** The file or folder. */
  readonly path: string;
  /** What is wrong, worded to follow the path ("is not valid JSON"). */
  readonly problem: string;
  /** 1-based line of the file the problem is on; null when it is not on one line (a missing row, a whole folder). */
  readonly line: number | null;
}

export interface FileProblemOptions {
  /** What the file is, put before its path when the path alone does not say ("connection file"). */
  readonly what?: string;
  /** The line the problem is on (see `FileProblem.line`). */
  readonly line?: number | null;
}

/**
 * A file or folder that is missing, malformed or cannot be written. The message has the shape of a
 * compiler's, `<path>[:<line>]: <problem>`, so editors and terminals link it to the file, and every
 * such error of the project reads the same way.
 */
export class FileProblemError extends ProjectError<FileProblem> {
  readonly path: string;
  readonly problem: string;
  readonly line: number | null;

  constructor(path: string, problem: string, options: FileProblemOptions = {}) {
    const line = options.line ?? null;
    const what = options.what === undefined ? '' : `${options.what} `;
    super(`${what}${path}${line === null ? '' : `:${line}`}: ${problem}`, { path, problem, line });
    this.path = path;
    this.problem = problem;
    this.line = line;
  }
}

/**
 * The first line of a caught value's message, for quoting a cause inside a one-line message of our
 * own: Node's and libraries' messages often go on with a stack, a hint or a dump, and anything may
 * be thrown, not only Errors.
 */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
