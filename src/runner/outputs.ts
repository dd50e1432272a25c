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

/** Removes each backspace with the character before it on its line (one pass, a stack). */
function applyBackspaces(text: string): string {
  if (!text.includes('\x08')) return text;
  const kept: string[] = [];
  for (const char of text) {
    const top = kept[kept.length - 1];
    if (char === '\x08' && top !== undefined && top !== '\n') kept.pop();
    else kept.push(char);
  }
  return kept.join('');
}

/**
 * Applies carriage returns and backspaces the way a terminal shows them, so that progress lines
 * written with `\r` keep their last state (as nbclient's stream coalescing and JupyterLab do):
 * a `\r` followed by more text on its line erases the line so far; a `\r` at the very end stays
 * (the next text decides). One linear pass per line, no backtracking.
 */
export function applyCarriageReturns(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    // The last `\r` with something after it on this line.
    const cut = line.length < 2 ? -1 : line.lastIndexOf('\r', line.length - 2);
    if (cut >= 0) lines[i] = line.slice(cut + 1);
  }
  return applyBackspaces(lines.join('\n'));
}

/** Characters of a cell's streams kept from the start, across all its stream outputs. */
export const STREAM_HEAD_CHARS = 500_000;
/** Characters kept from the end of each stream (stdout, stderr) once the head is full. */
export const STREAM_TAIL_CHARS = 100_000;

export interface StreamLimits {
  headChars: number;
  tailChars: number;
}

/**
 * Incremental carriage-return handling for one stream: text is fed in pieces as the kernel sends
 * it; complete lines are handed to `commit`, the unfinished last line is kept (a later `\r` may
 * still erase it). A line longer than `maxLine` is committed as it is, so memory stays bounded.
 */
class LineAssembler {
  line = '';
  constructor(
    private readonly commit: (text: string) => void,
    private readonly maxLine: number,
  ) {}

  push(text: string): void {
    let input = text;
    // A `\r\n` split across two messages.
    if (this.line.endsWith('\r') && input.startsWith('\n')) this.line = this.line.slice(0, -1);
    input = input.replace(/\r\n/g, '\n');
    let start = 0;
    for (;;) {
      const newline = input.indexOf('\n', start);
      const segment = newline < 0 ? input.slice(start) : input.slice(start, newline);
      this.append(segment);
      if (newline < 0) break;
      this.commit(`${this.line}\n`);
      this.line = '';
      start = newline + 1;
    }
    if (this.line.length > this.maxLine && !this.line.endsWith('\r')) {
      this.commit(this.line);
      this.line = '';
    }
  }

  private append(segment: string): void {
    if (!segment) return;
    const cut = segment.length < 2 ? -1 : segment.lastIndexOf('\r', segment.length - 2);
    if (cut >= 0) this.line = segment.slice(cut + 1);
    else if (this.line.endsWith('\r')) this.line = segment;
    else this.line += segment;
    if (segment.includes('\x08')) this.line = applyBackspaces(this.line);
  }
}

/** The last `limit` characters of what is pushed, and how many were pushed in all. */
class TailBuffer {
  private parts: string[] = [];
  private first = 0;
  private kept = 0;
  total = 0;
  constructor(private readonly limit: number) {}

  push(text: string): void {
    this.parts.push(text);
    this.kept += text.length;
    this.total += text.length;
    while (this.first < this.parts.length && this.kept - this.parts[this.first].length >= this.limit) {
      this.kept -= this.parts[this.first].length;
      this.first += 1;
    }
    if (this.first > 1024 && this.first * 2 > this.parts.length) {
      this.parts = this.parts.slice(this.first);
      this.first = 0;
    }
  }

  text(): string {
    const joined = this.parts.slice(this.first).join('');
    return joined.length > this.limit ? joined.slice(joined.length - this.limit) : joined;
  }
}

/** A stream output being written: its committed text (kept while the cell's head budget lasts) and open line. */
interface OpenStream {
  output: StreamOutput;
  committed: string;
  lines: LineAssembler;
}

/** A stream's text after the cell's head budget is used up: only its end is kept. */
interface Overflow {
  tail: TailBuffer;
  lines: LineAssembler;
}

/** The note put where a cell's stream output was cut. */
export function truncationNote(name: 'stdout' | 'stderr', leftOut: number, limits: StreamLimits): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return (
    `\n[llm-price-lab: ${n(leftOut)} characters of ${name} left out here; a cell keeps the first ` +
    `${n(limits.headChars)} characters of its output streams and the last ${n(limits.tailChars)} of each]\n`
  );
}

type DisplayOutput = DisplayDataOutput | ExecuteResultOutput;

/**
 * Per-notebook output state: one instance per notebook run, cells attach their outputs list.
 * What a cell's streams keep is bounded (`limits`): the first `headChars` characters in order,
 * then only the last `tailChars` of each stream, after a note saying how much was left out.
 */
export class OutputRecorder {
  private current: Output[] = [];
  private clearPending = false;
  private readonly displays = new Map<string, DisplayOutput[]>();
  private open: OpenStream | undefined;
  private headLeft: number;
  private overflow = new Map<'stdout' | 'stderr', Overflow>();
  private readonly limits: StreamLimits;

  constructor(limits: Partial<StreamLimits> = {}) {
    this.limits = { headChars: STREAM_HEAD_CHARS, tailChars: STREAM_TAIL_CHARS, ...limits };
    this.headLeft = this.limits.headChars;
  }

  /** Starts recording into `outputs` (the cell's list, emptied first). */
  beginCell(outputs: Output[]): void {
    outputs.length = 0;
    this.current = outputs;
    this.clearPending = false;
    this.resetStreams();
  }

  /** Ends the cell; a `clear_output(wait=True)` never followed by output is dropped, as Jupyter does. */
  endCell(): void {
    this.clearPending = false;
    this.flush();
  }

  /**
   * Writes the end of streams that passed the head budget (with the truncation note) into the
   * cell's outputs. Called by endCell; call it before reading a cell's outputs mid-cell.
   */
  flush(): void {
    this.open = undefined;
    for (const [name, overflow] of this.overflow) {
      const text = overflow.tail.text() + overflow.lines.line;
      const leftOut = overflow.tail.total - overflow.tail.text().length;
      const shown = leftOut > 0 ? truncationNote(name, leftOut, this.limits) + text : text;
      if (!shown) continue;
      const last = this.current[this.current.length - 1];
      if (last?.output_type === 'stream' && last.name === name) last.text += shown;
      else this.current.push({ output_type: 'stream', name, text: shown });
    }
    this.overflow.clear();
  }

  private resetStreams(): void {
    this.open = undefined;
    this.overflow.clear();
    this.headLeft = this.limits.headChars;
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
        this.open = undefined;
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
    this.resetStreams();
  }

  private add(output: DisplayOutput, displayId: string | undefined): void {
    // Showing an id again also updates where it was shown before (as JupyterLab does).
    for (const earlier of displayId ? (this.displays.get(displayId) ?? []) : []) {
      earlier.data = { ...output.data };
      earlier.metadata = { ...output.metadata };
    }
    this.open = undefined;
    this.current.push(output);
    if (displayId) this.displays.set(displayId, [...(this.displays.get(displayId) ?? []), output]);
  }

  private overflowOf(name: 'stdout' | 'stderr'): Overflow {
    let overflow = this.overflow.get(name);
    if (!overflow) {
      const tail = new TailBuffer(this.limits.tailChars);
      overflow = { tail, lines: new LineAssembler((text) => tail.push(text), this.limits.tailChars) };
      this.overflow.set(name, overflow);
    }
    return overflow;
  }

  private appendStream(name: 'stdout' | 'stderr', text: string): void {
    // Past the head budget a stream's text only feeds its tail (no new outputs, bounded memory).
    if (this.headLeft <= 0) {
      this.overflowOf(name).lines.push(text);
      return;
    }
    const last = this.current[this.current.length - 1];
    let open = this.open;
    if (!open || open.output !== last || open.output.name !== name) {
      // Coalesce with a stream output of the same name that is still last (e.g. after flush()).
      const output: StreamOutput =
        last?.output_type === 'stream' && last.name === name ? last : { output_type: 'stream', name, text: '' };
      if (output !== last) this.current.push(output);
      const prior = applyCarriageReturns(output.text);
      const cut = prior.lastIndexOf('\n') + 1;
      const created: OpenStream = {
        output,
        committed: prior.slice(0, cut),
        lines: new LineAssembler((committed) => this.commit(created, committed), this.limits.headChars),
      };
      created.lines.line = prior.slice(cut);
      open = created;
      this.open = open;
    }
    open.lines.push(text);
    // String concatenation builds a rope in V8: this stays cheap for many small messages.
    open.output.text = open.committed + open.lines.line;
  }

  private commit(open: OpenStream, text: string): void {
    const kept = Math.min(this.headLeft, text.length);
    if (kept > 0) open.committed += kept === text.length ? text : text.slice(0, kept);
    this.headLeft -= kept;
    if (kept < text.length) this.overflowOf(open.output.name).tail.push(text.slice(kept));
  }
}
