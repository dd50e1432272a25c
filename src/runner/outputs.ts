/**
 * Recording iopub messages into nbformat outputs, as Jupyter front ends do: streams coalesced in
 * order (with carriage returns applied), display ids tracked across the whole notebook so that
 * `update_display_data` rewrites every output showing that id, and `clear_output(wait)` deferred
 * until the next output arrives. Pure: no kernel, no I/O.
 */
import type { DisplayDataOutput, ExecuteResultOutput, Output, StreamOutput } from './types';

/** The iopub message content the recorder understands (a structural subset of the protocol). */
export type IopubMessage =
  | { msg_type: 'stream'; content: { name: 'stdout' | 'stderr'; text: string } }
  | {
      msg_type: 'display_data' | 'update_display_data';
      content: { data: Record<string, unknown>; metadata?: Record<string, unknown>; transient?: { display_id?: string } };
    }
  | {
      msg_type: 'execute_result';
      content: {
        data: Record<string, unknown>;
        metadata?: Record<string, unknown>;
        execution_count: number | null;
        transient?: { display_id?: string };
      };
    }
  | { msg_type: 'error'; content: { ename: string; evalue: string; traceback: string[] } }
  | { msg_type: 'clear_output'; content: { wait: boolean } };

const RECORDED = new Set(['stream', 'display_data', 'update_display_data', 'execute_result', 'error', 'clear_output']);

/** Whether an iopub message type changes outputs (status, execute_input, comms… do not). */
export function isRecordedMessage(msgType: string): boolean {
  return RECORDED.has(msgType);
}

/**
 * Applies carriage returns and backspaces the way a terminal shows them, so that progress lines
 * written with `\r` keep their last state (as nbclient's stream coalescing and JupyterLab do).
 */
export function applyCarriageReturns(text: string): string {
  let out = text.replace(/\r\n/g, '\n');
  // A `\r` not at the end of the text erases back to the start of its line.
  out = out.replace(/[^\n]*\r(?=[^\n])/g, '');
  while (/[^\n]\x08/.test(out)) out = out.replace(/[^\n]\x08/g, '');
  return out;
}

type DisplayOutput = DisplayDataOutput | ExecuteResultOutput;

/** Per-notebook output state: one instance per notebook run, cells attach their outputs list. */
export class OutputRecorder {
  private current: Output[] = [];
  private clearPending = false;
  private readonly displays = new Map<string, DisplayOutput[]>();

  /** Starts recording into `outputs` (the cell's list, emptied first). */
  beginCell(outputs: Output[]): void {
    outputs.length = 0;
    this.current = outputs;
    this.clearPending = false;
  }

  /** Ends the cell; a `clear_output(wait=True)` never followed by output is dropped, as Jupyter does. */
  endCell(): void {
    this.clearPending = false;
  }

  handle(message: IopubMessage): void {
    switch (message.msg_type) {
      case 'clear_output':
        if (message.content.wait) this.clearPending = true;
        else this.clear();
        return;
      case 'update_display_data': {
        const id = message.content.transient?.display_id;
        if (!id) return;
        for (const output of this.displays.get(id) ?? []) {
          output.data = { ...message.content.data };
          output.metadata = { ...(message.content.metadata ?? {}) };
        }
        return;
      }
      default:
        break;
    }
    this.flushPendingClear();
    switch (message.msg_type) {
      case 'stream':
        this.appendStream(message.content.name, message.content.text);
        return;
      case 'display_data': {
        const output: DisplayDataOutput = {
          output_type: 'display_data',
          data: { ...message.content.data },
          metadata: { ...(message.content.metadata ?? {}) },
        };
        this.add(output, message.content.transient?.display_id);
        return;
      }
      case 'execute_result': {
        const output: ExecuteResultOutput = {
          output_type: 'execute_result',
          execution_count: message.content.execution_count,
          data: { ...message.content.data },
          metadata: { ...(message.content.metadata ?? {}) },
        };
        this.add(output, message.content.transient?.display_id);
        return;
      }
      case 'error':
        this.current.push({
          output_type: 'error',
          ename: message.content.ename,
          evalue: message.content.evalue,
          traceback: [...message.content.traceback],
        });
        return;
    }
  }

  private flushPendingClear(): void {
    if (this.clearPending) {
      this.clearPending = false;
      this.clear();
    }
  }

  private clear(): void {
    const removed = new Set(this.current);
    for (const [id, outputs] of this.displays) {
      const kept = outputs.filter((o) => !removed.has(o));
      if (kept.length) this.displays.set(id, kept);
      else this.displays.delete(id);
    }
    this.current.length = 0;
  }

  private add(output: DisplayOutput, displayId: string | undefined): void {
    // Showing an id again also updates where it was shown before (as JupyterLab does).
    for (const earlier of displayId ? (this.displays.get(displayId) ?? []) : []) {
      earlier.data = { ...output.data };
      earlier.metadata = { ...output.metadata };
    }
    this.current.push(output);
    if (displayId) this.displays.set(displayId, [...(this.displays.get(displayId) ?? []), output]);
  }

  private appendStream(name: 'stdout' | 'stderr', text: string): void {
    const last = this.current[this.current.length - 1];
    if (last?.output_type === 'stream' && last.name === name) {
      last.text = applyCarriageReturns(last.text + text);
      return;
    }
    const output: StreamOutput = { output_type: 'stream', name, text: applyCarriageReturns(text) };
    this.current.push(output);
  }
}
