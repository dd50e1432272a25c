/**
 * Running one notebook: a kernel session, its code cells in order (tags `skip-execution`,
 * `raises-exception`; `allowErrors`), deadlines, then the executed copy written atomically —
 * with an error note at the top when it failed — and its HTML page. Reports through hooks.
 */
import type { KernelMessage, ServerConnection } from '@jupyterlab/services';
import { cellDeadline, type DeadlineOptions } from './deadlines';
import { errorMessage } from './errors';
import { abortReason, executeCell } from './execute';
import { tellTrainingThreads } from './kernel-share';
import { exportHtml } from './export';
import { markFailure } from './failures';
import { writeNotebook } from './notebook';
import { OutputRecorder, type IopubMessage } from './outputs';
import { settleKernelOutputs } from './pending-output';
import { askWidgetState, withWidgetState } from './widget-state';
import type { SavedWidgetState } from '../widgets/model';
import { startKernelSession, type KernelSession } from './session';
import {
  cellTags,
  sourceText,
  type CellFailure,
  type CodeCell,
  type FailingCell,
  type Notebook,
  type NotebookReport,
  type RunHooks,
} from './types';

export const SKIP_TAG = 'skip-execution';
export const RAISES_TAG = 'raises-exception';

export interface PreparedNotebook {
  /** Source path as given. */
  path: string;
  /** Display name (file name without `.ipynb`). */
  name: string;
  /** The notebook to execute (parameters already injected). */
  notebook: Notebook;
  parameters: Record<string, unknown>;
  /** Session path relative to the server's root (sets the kernel's working directory). */
  sessionPath: string;
  outputPath: string;
  htmlPath?: string;
}

export interface NotebookRunOptions extends DeadlineOptions {
  allowErrors: boolean;
  /**
   * On abort the kernel is shut down at once; the notebook is written as far as it ran, with the
   * running cell marked interrupted (status `interrupted`), or not started at all (`not-run`).
   */
  signal?: AbortSignal;
  /** The server's log lines about a kernel (private server only), quoted when a kernel dies. */
  serverLog?(kernelId: string): string[];
  /** Resolves with a reason when the (private) server process is gone: running cells end as kernel deaths. */
  serverGone?: Promise<string>;
  /**
   * This notebook's share of the training threads now, asked before each cell; the kernel is told
   * when it differs from what it has (every core until told). See thread-budget.ts.
   */
  trainingThreads?: { share(): number; cores: number };
  /** Called with the session after the last cell, before its kernel is shut down, when every cell passed. */
  afterCells?(session: KernelSession): Promise<void>;
}

function statusOf(failure: CellFailure): NotebookReport['status'] {
  switch (failure.kind) {
    case 'error':
      return 'failed';
    case 'timeout':
      return 'timeout';
    case 'interrupted':
      return 'interrupted';
    case 'kernel-died':
      return 'kernel-died';
  }
}

/** The report of a notebook the run never started (stopped before, or never reached). */
export function notRunReport(prepared: PreparedNotebook, message: string): NotebookReport {
  const codeCells = prepared.notebook.cells.filter((c) => c.cell_type === 'code').length;
  return {
    notebook: prepared.path,
    name: prepared.name,
    status: 'not-run',
    seconds: 0,
    cellsRun: 0,
    codeCells,
    allowedErrors: 0,
    parameters: prepared.parameters,
    message,
  };
}

/**
 * Executes, writes and exports one notebook. Never throws for a notebook's own failure, an
 * abort or a write failure: every outcome is a status in the returned report.
 */
export async function runNotebook(
  settings: ServerConnection.ISettings,
  prepared: PreparedNotebook,
  options: NotebookRunOptions,
  hooks: RunHooks,
): Promise<NotebookReport> {
  if (options.signal?.aborted) return notRunReport(prepared, `not run: the run was interrupted (${abortReason(options.signal)})`);
  const started = Date.now();
  const notebook: Notebook = structuredClone(prepared.notebook);
  const codeCells = notebook.cells.filter((c): c is CodeCell => c.cell_type === 'code');
  for (const cell of codeCells) {
    cell.outputs = [];
    cell.execution_count = null;
  }
  const base = {
    notebook: prepared.path,
    name: prepared.name,
    codeCells: codeCells.length,
    parameters: prepared.parameters,
  };
  hooks.onNotebookStart?.({ notebook: prepared.path, name: prepared.name, codeCells: codeCells.length });

  let session: KernelSession;
  try {
    const started = await startKernelSession(settings, {
      path: prepared.sessionPath,
      name: prepared.name,
      kernelName: notebook.metadata.kernelspec?.name ?? '',
    });
    const serverGone = options.serverGone;
    // The kernel's websocket would try to reconnect for minutes to a server that is gone.
    session = serverGone ? { ...started, died: () => Promise.race([started.died(), serverGone]) } : started;
  } catch (error) {
    const report: NotebookReport = {
      ...base,
      status: 'infrastructure-error',
      seconds: (Date.now() - started) / 1000,
      cellsRun: 0,
      allowedErrors: 0,
      message: errorMessage(error),
    };
    hooks.onNotebookDone?.(report);
    return report;
  }

  // The notebook deadline counts execution, from the moment its kernel answers.
  const executionStarted = Date.now();
  const recorder = new OutputRecorder();
  // A chart's image arrives after its cell ended, under whichever request the kernel then serves:
  // display updates are applied whatever their parent (applying one twice changes nothing).
  const onUpdate = (_: unknown, msg: KernelMessage.IIOPubMessage) => {
    if (msg.header.msg_type === 'update_display_data') recorder.handle({ msg_type: 'update_display_data', content: msg.content } as IopubMessage);
  };
  session.kernel.iopubMessage.connect(onUpdate);
  let cellsRun = 0;
  let allowedErrors = 0;
  let failing: FailingCell | undefined;
  let imageWaitSeconds: number | undefined;
  let widgets: SavedWidgetState | undefined;
  // A kernel not told a share trains on every core.
  let toldThreads = options.trainingThreads?.cores;
  const abort = () => void session.shutdown();
  options.signal?.addEventListener('abort', abort);
  try {
    let codeCellNumber = 0;
    for (let index = 0; index < notebook.cells.length; index += 1) {
      const cell = notebook.cells[index];
      if (cell.cell_type !== 'code') continue;
      codeCellNumber += 1;
      if (options.signal?.aborted) {
        // Stopped between two cells: the note points at the first cell not run.
        const failure = { kind: 'interrupted' as const, reason: abortReason(options.signal) };
        failing = { index, id: cell.id, codeCellNumber, source: sourceText(cell.source), failure };
        break;
      }
      const where = { notebook: prepared.path, name: prepared.name, cellIndex: index, codeCellNumber, codeCells: codeCells.length };
      const tags = cellTags(cell);
      if (tags.includes(SKIP_TAG)) {
        hooks.onCellDone?.({ ...where, result: { kind: 'skipped', reason: 'skip-execution' } });
        continue;
      }
      if (options.trainingThreads) {
        const share = options.trainingThreads.share();
        if (share !== toldThreads && (await tellTrainingThreads(session, share))) toldThreads = share;
      }
      hooks.onCellStart?.(where);
      const result = await executeCell(session, cell, recorder, {
        deadline: cellDeadline(cell, options, Date.now() - executionStarted),
        expectError: tags.includes(RAISES_TAG),
        signal: options.signal,
      });
      cellsRun += 1;
      hooks.onCellDone?.({ ...where, result });
      if (result.kind === 'ok' || result.kind === 'expected-error' || result.kind === 'skipped') continue;
      if (result.kind === 'error' && options.allowErrors) {
        allowedErrors += 1;
        continue;
      }
      const { executionCount, seconds: _seconds, ...failure } = result;
      if (failure.kind === 'kernel-died') {
        const said = (options.serverLog?.(session.kernelId) ?? []).filter((line) => !line.startsWith('Kernel started'));
        if (said.length) failure.message = `${failure.message}; server log: ${said.slice(-3).join(' | ')}`;
      }
      failing = { index, id: cell.id, codeCellNumber, executionCount, source: sourceText(cell.source), failure };
      break;
    }
    // Bounded: a kernel that never finishes leaves the chart without its image ("being drawn").
    // Only a kernel that answers: after a deadline or a death there is none to wait for.
    if (!options.signal?.aborted && (!failing || failing.failure.kind === 'error')) {
      const settling = Date.now();
      await settleKernelOutputs(session);
      imageWaitSeconds = (Date.now() - settling) / 1000;
      widgets = await askWidgetState(session);
    }
    if (!failing && !options.signal?.aborted) await options.afterCells?.(session);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    session.kernel.iopubMessage.disconnect(onUpdate);
    await session.shutdown();
  }

  const written = withWidgetState(failing ? markFailure(notebook, failing) : notebook, widgets);
  const report: NotebookReport = {
    ...base,
    status: failing ? statusOf(failing.failure) : 'passed',
    seconds: 0,
    cellsRun,
    allowedErrors,
    ...(failing ? { failingCell: failing } : {}),
    ...(failing?.failure.kind === 'kernel-died' ? { message: failing.failure.message } : {}),
    ...(imageWaitSeconds !== undefined ? { imageWaitSeconds } : {}),
  };
  try {
    writeNotebook(prepared.outputPath, written);
    report.outputNotebook = prepared.outputPath;
  } catch (error) {
    // Written atomically: the file is either complete or absent, never half-written.
    report.writeError = `cannot write ${prepared.outputPath}: ${errorMessage(error)}`;
  }
  if (prepared.htmlPath && report.outputNotebook && !options.signal?.aborted) {
    const exported = await exportHtml(prepared.outputPath, prepared.htmlPath, written);
    if (exported.kind === 'ok') report.html = exported.path;
    else report.htmlError = exported.message;
  }
  report.seconds = (Date.now() - started) / 1000;
  hooks.onNotebookDone?.(report);
  return report;
}
