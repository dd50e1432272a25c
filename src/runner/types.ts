/**
 * Shapes shared by the runner's modules: the nbformat 4.5 notebook subset the runner reads and
 * writes, cell and notebook outcomes (discriminated unions) and the hooks a listener receives.
 */

import type { Movement } from '../facts/lock';

/** nbformat `multiline_string`: a string or a list of lines. */
export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: string;
}
export interface DisplayDataOutput {
  output_type: 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  id: string;
  cell_type: 'code';
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  id: string;
  cell_type: 'markdown' | 'raw';
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: {
    kernelspec?: { name: string; display_name?: string; language?: string };
    [key: string]: unknown;
  };
  cells: Cell[];
}

/** The source of a cell as one string. */
export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** The cell's tags (`metadata.tags`), empty when absent or malformed. */
export function cellTags(cell: Cell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Why a cell did not complete normally. */
export type CellFailure =
  | { kind: 'error'; ename: string; evalue: string; traceback: string[] }
  | { kind: 'timeout'; deadline: 'cell' | 'notebook'; limitSeconds: number; stillBusy: boolean }
  | { kind: 'kernel-died'; message: string }
  /** The run was stopped (signal, abort) while the cell ran; its kernel was shut down. */
  | { kind: 'interrupted'; reason: string };

/** The outcome of one code cell. */
export type CellResult =
  | { kind: 'ok'; executionCount: number | null; seconds: number }
  | { kind: 'skipped'; reason: 'skip-execution' }
  | { kind: 'expected-error'; executionCount: number | null; seconds: number; ename: string; evalue: string }
  | ({ executionCount: number | null; seconds: number } & CellFailure);

/** Where a notebook stopped, for reports and the error note. */
export interface FailingCell {
  /**
   * 0-based index in `notebook.cells` of the notebook as executed: error notes of an earlier run
   * removed, the `injected-parameters` cell counted when there is one, this run's error notes not
   * yet added (they are inserted at this index and at the top).
   */
  index: number;
  id: string;
  /** 1-based position among code cells, as users count "cell i/N". */
  codeCellNumber: number;
  /** The kernel's execution count for the cell (`Cell In[n]` in tracebacks), when it gave one. */
  executionCount?: number | null;
  source: string;
  failure: CellFailure;
}

/**
 * `cached`: not executed; the execution cache held its result for unchanged inputs (`cache/`).
 * `interrupted`: the run was stopped while this notebook ran (its partial copy is written);
 * `not-run`: the run stopped before it started; `internal-error`: a bug in the runner (exit 1).
 */
export type NotebookStatus =
  | 'passed'
  | 'cached'
  | 'failed'
  | 'timeout'
  | 'kernel-died'
  | 'interrupted'
  | 'not-run'
  | 'infrastructure-error'
  | 'internal-error';

/** A notebook's summary against its facts lock (facts.ts). */
export interface NotebookFacts {
  profile: string;
  lockFile: string;
  /** Figures beyond their tolerance, missing or new (empty: every locked figure held). */
  movements: Movement[];
  /** The lock was rewritten from this run. */
  refreshed: boolean;
  /** The lock could not be read (damaged file, no entry for the profile): nothing was compared. */
  error?: string;
}

/** One notebook's result. `failingCell` is set for every status but passed, cached and infrastructure-error. */
export interface NotebookReport {
  notebook: string;
  name: string;
  status: NotebookStatus;
  seconds: number;
  cellsRun: number;
  codeCells: number;
  /** Cells that failed but were allowed (`--allow-errors`). */
  allowedErrors: number;
  failingCell?: FailingCell;
  /** Infrastructure message (kernel could not start), the kernel-died server message, why not run. */
  message?: string;
  /** Names of notebooks this one waited for (`metadata["llm-price-lab"].after`). */
  after?: string[];
  /** The server it ran on, when the run spread notebooks over several. */
  server?: string;
  parameters: Record<string, unknown>;
  /** Where the executed notebook and its HTML were written (absent when not written). */
  outputNotebook?: string;
  html?: string;
  htmlError?: string;
  /** The executed notebook could not be written (e.g. the disk is full): exit 3. */
  writeError?: string;
  /** Its summary against its facts lock (facts.ts), for a passed or cached notebook that has a summary. */
  facts?: NotebookFacts;
  /** A cached result: when the run that produced it started, and how long the notebook took then. */
  cached?: { producedAt: string; seconds: number };
  /** With a cache: why the notebook ran (no result stored, or what changed since). */
  cacheMiss?: string;
  /** Its result could not be stored in the cache (the notebook itself passed). */
  cacheError?: string;
  /**
   * After its last cell, how long the runner waited for output the kernel was still finishing (the
   * images of charts, drawn after their cells end): absent when it did not wait (a failure, an abort).
   */
  imageWaitSeconds?: number;
}

export interface RunReport {
  startedAt: string;
  seconds: number;
  jobs: number;
  server: 'private' | 'external';
  /** Set when the run was stopped early: why (e.g. `SIGTERM`). */
  interrupted?: string;
  notebooks: NotebookReport[];
  /** 0 all passed, 1 a notebook failed, 3 infrastructure (2 is thrown before a report exists). */
  exitCode: 0 | 1 | 3;
}

/** Observers of a run. None of them may throw; the runner never prints itself. */
export interface RunHooks {
  onRunStart?(info: { notebooks: string[]; jobs: number }): void;
  onNotebookStart?(info: { notebook: string; name: string; codeCells: number }): void;
  onCellStart?(info: { notebook: string; name: string; cellIndex: number; codeCellNumber: number; codeCells: number }): void;
  onCellDone?(info: {
    notebook: string;
    name: string;
    cellIndex: number;
    codeCellNumber: number;
    codeCells: number;
    result: CellResult;
  }): void;
  onNotebookDone?(report: NotebookReport): void;
  onRunDone?(report: RunReport): void;
}
