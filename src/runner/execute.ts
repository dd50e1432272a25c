/**
 * Executing one code cell: send execute_request, record its iopub messages into the cell (through
 * the notebook's OutputRecorder), keep Jupyter's timing metadata, and enforce its deadline
 * (interrupt, wait briefly, say whether the kernel was still busy). Returns a CellResult; never throws for an
 * ordinary outcome such as an error in the cell or a kernel death.
 */
import type { KernelMessage } from '@jupyterlab/services';
import { INTERRUPT_GRACE_MS, deadlineMessage, type CellDeadline } from './deadlines';
import { within } from '../wait';
import { FOLLOWS_UPDATES_METADATA } from '../pending';
import { errorMessage } from './errors';
import { isRecordedMessage, type IopubMessage, type OutputRecorder } from './outputs';
import type { KernelSession } from './session';
import { sourceText, type CellFailure, type CellResult, type CodeCell, type ErrorOutput } from './types';

type Settled =
  | { kind: 'reply'; reply: KernelMessage.IExecuteReplyMsg }
  | { kind: 'rejected'; message: string }
  | { kind: 'died'; message: string }
  | { kind: 'deadline' }
  | { kind: 'aborted'; reason: string };


/** nbclient's name for the error a dead kernel leaves in its cell. */
export const DEAD_KERNEL_ENAME = 'DeadKernelError';
export const TIMEOUT_ENAME = 'CellTimeoutError';
export const INTERRUPTED_ENAME = 'RunInterrupted';

/** The error output the runner itself writes into a cell that timed out, whose kernel died, or whose run stopped. */
export function runnerErrorOutput(failure: Exclude<CellFailure, { kind: 'error' }>): ErrorOutput {
  const [ename, evalue] =
    failure.kind === 'timeout'
      ? [TIMEOUT_ENAME, deadlineMessage(failure.deadline, failure.limitSeconds, failure.stillBusy)]
      : failure.kind === 'interrupted'
        ? [INTERRUPTED_ENAME, `the run was interrupted (${failure.reason}); the kernel was shut down`]
        : [DEAD_KERNEL_ENAME, failure.message];
  return { output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] };
}

/** The error of a failed execute_reply, filled from the cell's error output or stderr when the kernel says less. */
function replyError(cell: CodeCell, content: KernelMessage.IExecuteReplyMsg['content']): CellFailure {
  const errorOutput = cell.outputs.find((o): o is ErrorOutput => o.output_type === 'error');
  if (content.status === 'error' && content.ename) {
    return { kind: 'error', ename: content.ename, evalue: content.evalue, traceback: content.traceback ?? [] };
  }
  if (errorOutput) {
    return { kind: 'error', ename: errorOutput.ename, evalue: errorOutput.evalue, traceback: errorOutput.traceback };
  }
  if (content.status === 'aborted') {
    return { kind: 'error', ename: 'ExecutionAborted', evalue: 'the kernel aborted the request', traceback: [] };
  }
  const stderr = cell.outputs
    .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
    .map((o) => (o.output_type === 'stream' ? o.text : ''))
    .join('')
    .trim();
  return {
    kind: 'error',
    ename: 'Error',
    evalue: stderr.split('\n')[0] ?? 'the kernel reported an error',
    traceback: stderr ? stderr.split('\n') : [],
  };
}

export interface ExecuteCellOptions {
  deadline: CellDeadline;
  /** Whether the cell is expected to raise (`raises-exception`). */
  expectError: boolean;
  /** Aborting ends the wait at once (the caller shuts the kernel down); the cell is marked interrupted. */
  signal?: AbortSignal;
}

/** Why a run was aborted, from its signal's reason. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'aborted';
}

/** Runs `cell` on the session's kernel. */
export async function executeCell(
  session: KernelSession,
  cell: CodeCell,
  recorder: OutputRecorder,
  options: ExecuteCellOptions,
): Promise<CellResult> {
  const started = Date.now();
  const timing: Record<string, string> = {};
  recorder.beginCell(cell.outputs);
  cell.execution_count = null;
  let executionCount: number | null = null;

  let future: ReturnType<KernelSession['kernel']['requestExecute']>;
  try {
    future = session.kernel.requestExecute(
      { code: sourceText(cell.source), silent: false, store_history: true, allow_stdin: false, stop_on_error: true },
      true,
      // The runner applies a chart's image sent after its cell ended (see notebook-run.ts).
      { [FOLLOWS_UPDATES_METADATA]: true },
    );
  } catch (error) {
    // The connection refuses to send: the kernel is dead or gone.
    recorder.endCell();
    const failure = { kind: 'kernel-died' as const, message: `the kernel cannot take requests: ${errorMessage(error)}` };
    cell.outputs.push(runnerErrorOutput(failure));
    return { ...failure, executionCount: null, seconds: (Date.now() - started) / 1000 };
  }
  future.onIOPub = (msg) => {
    const type = msg.header.msg_type;
    if (type === 'status') {
      const state = (msg.content as { execution_state?: string }).execution_state;
      if (state === 'busy') timing['iopub.status.busy'] ??= msg.header.date;
      if (state === 'idle') timing['iopub.status.idle'] = msg.header.date;
    } else if (type === 'execute_input') {
      timing['iopub.execute_input'] = msg.header.date;
      const count = (msg.content as { execution_count?: number }).execution_count;
      if (typeof count === 'number') executionCount = count;
    }
  };
  // Outputs are taken from the connection's iopub signal, not the future: @jupyterlab/services
  // routes `update_display_data` to the future of the cell that first showed that display id
  // (JupyterLab's output areas), which is long disposed here. Same parent, same order.
  const requestId = future.msg.header.msg_id;
  const onIopub = (_: unknown, msg: KernelMessage.IIOPubMessage) => {
    const type = msg.header.msg_type;
    if (msg.parent_header && (msg.parent_header as { msg_id?: string }).msg_id === requestId && isRecordedMessage(type)) {
      recorder.handle({ msg_type: type, content: msg.content } as IopubMessage);
    }
  };
  session.kernel.iopubMessage.connect(onIopub);

  let timer: NodeJS.Timeout | undefined;
  const deadlinePassed = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'deadline' }), options.deadline.ms);
  });
  const done: Promise<Settled> = future.done.then(
    (reply) => ({ kind: 'reply', reply }),
    (error: unknown) => ({ kind: 'rejected', message: errorMessage(error) }),
  );
  const died = session.died().then((message): Settled => ({ kind: 'died', message }));
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<Settled>((resolve) => {
    const signal = options.signal;
    if (!signal) return;
    onAbort = () => resolve({ kind: 'aborted', reason: abortReason(signal) });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });

  let settled: Settled;
  try {
    settled = await Promise.race([done, died, deadlinePassed, aborted]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
  // The signal for this message is emitted right after the future has handled it; let it land.
  await new Promise((resolve) => setImmediate(resolve));

  let failure: CellFailure | undefined;
  if (settled.kind === 'aborted') {
    if (!future.isDisposed) future.dispose();
    failure = { kind: 'interrupted', reason: settled.reason };
  } else if (settled.kind === 'deadline') {
    await session.interrupt().catch(() => undefined);
    const afterInterrupt = await within(Promise.race([done, died]), INTERRUPT_GRACE_MS);
    // A deadline ends the notebook, and its kernel is shut down next: a kernel still busy after the
    // interrupt is not restarted (up to a minute) only to be shut down at once. Said in the cell.
    const stillBusy = afterInterrupt.kind === 'timeout';
    if (stillBusy) future.dispose();
    failure = { kind: 'timeout', deadline: options.deadline.which, limitSeconds: options.deadline.seconds, stillBusy };
  } else if (settled.kind === 'died' || settled.kind === 'rejected') {
    // A rejected future means the connection dropped or the kernel restarted under it.
    const fallback = settled.message;
    const message =
      settled.kind === 'died' ? fallback : await within(session.died(), 4_000).then((said) => (said.kind === 'done' ? said.value : fallback));
    if (!future.isDisposed) future.dispose();
    failure = { kind: 'kernel-died', message };
  } else {
    const content = settled.reply.content;
    if (typeof content.execution_count === 'number') executionCount = content.execution_count;
    timing['shell.execute_reply'] = settled.reply.header.date;
    const replyStarted = (settled.reply.metadata as { started?: unknown }).started;
    if (typeof replyStarted === 'string') timing['shell.execute_reply.started'] = replyStarted;
    if (content.status !== 'ok') failure = replyError(cell, content);
  }
  session.kernel.iopubMessage.disconnect(onIopub);
  recorder.endCell();

  const ended = new Date();
  timing['iopub.status.busy'] ??= new Date(started).toISOString();
  timing['iopub.status.idle'] ??= ended.toISOString();
  cell.metadata = { ...cell.metadata, execution: { ...timing } };
  cell.execution_count = executionCount;
  // Execute results carry the count of their cell.
  for (const output of cell.outputs) {
    if (output.output_type === 'execute_result') output.execution_count = executionCount;
  }
  const seconds = (ended.getTime() - started) / 1000;

  // As nbclient: `raises-exception` allows an error, it does not require one.
  if (!failure) return { kind: 'ok', executionCount, seconds };
  if (failure.kind === 'error' && options.expectError) {
    return { kind: 'expected-error', executionCount, seconds, ename: failure.ename, evalue: failure.evalue };
  }
  if (failure.kind !== 'error') cell.outputs.push(runnerErrorOutput(failure));
  return { ...failure, executionCount, seconds };
}
