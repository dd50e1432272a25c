/**
 * Input from the user while a cell runs: the synchronous global `prompt(message, default)` (as in a
 * browser or Deno) and `await input(message, { password })` of `llm-price-lab/stdin` send
 * `input_request` on the stdin channel to the front end that sent the cell and return the
 * `input_reply`'s value. Only when that request allowed stdin (JupyterLab and `jupyter console` do;
 * the headless runner and nbclient do not): otherwise both throw at once, naming the cell, and never
 * wait. The stdin socket is served by the control thread (stdin-link.ts), so `prompt()` can block
 * this thread until the answer, an interrupt or a shutdown comes.
 *
 * Output the cell printed before asking is on IOPub already: the kernel hands IOPub messages to
 * zeromq synchronously (server.ts), so nothing waits in a queue of this thread while it blocks.
 */
import { INPUT_PROVIDER, type InputProvider } from '../src/stdin';
import type { Content, Message } from './messages';
import type { StdinAnswer, StdinAsker } from './stdin-link';
import { ProjectError } from '../src/errors';

/** `input()` or `prompt()` was called where no front end can answer. */
export class StdinNotAllowedError extends ProjectError<{ cell: string; call: 'input' | 'prompt' }> {
  constructor(
    readonly cell: string,
    readonly call: 'input' | 'prompt' = 'input',
  ) {
    super(`${cell}: ${call}() needs a front end that answers input requests, and the one that sent this cell does not (allow_stdin is false, as in headless runs)`, { cell, call });
  }
}

/** The wait for an answer ended without one (the cell ended, the kernel shuts down). */
export class InputAbandonedError extends ProjectError {
  constructor(message: string) {
    super(message, {});
  }
}

/** What an interrupt while waiting throws: V8's error for a SIGINT during `vm` execution, so it reads as any interrupt. */
function interruptedWhileWaiting(): Error {
  return Object.assign(new Error('Script execution was interrupted while it waited for input'), { code: 'ERR_SCRIPT_EXECUTION_INTERRUPTED' });
}

export interface StdinDependencies {
  /** Encodes `input_request` with `content` as a reply to `parent`: its message id and frames. */
  encode(content: Content, parent: Message): { msgId: string; frames: Buffer[] };
  /** The cell thread's end of the link to the stdin socket. */
  asker: StdinAsker;
}

export interface Stdin {
  /** A cell starts: `request` may be answered through stdin when `allowed`. */
  begin(request: Message, allowed: boolean, cell: string): void;
  /** The cell ended: a pending wait ends with InputAbandonedError. */
  end(): void;
  /** What `input` of `llm-price-lab/stdin` calls. */
  input(message: string, password: boolean): Promise<string>;
  /** The global `prompt`: blocks until the answer; an empty answer gives `defaultValue` when there is one. */
  prompt(message: string, defaultValue: string | undefined): string | null;
}

/** The text a front end shows for `prompt(message, default)`, as Deno shows it: `message [default] ` (one space before the answer). */
export function promptText(message: string, defaultValue: string | undefined): string {
  const text = `${message}${defaultValue === undefined ? '' : ` [${defaultValue}]`}`;
  return /\s$/.test(text) ? text : `${text} `;
}

export function createStdin({ encode, asker }: StdinDependencies): Stdin {
  let current: { request: Message; allowed: boolean; cell: string } | undefined;
  let pending: { ticket: number; cancelled: boolean } | undefined;

  const ask = (call: 'input' | 'prompt', content: Content): number => {
    const cell = current;
    if (cell === undefined || !cell.allowed) throw new StdinNotAllowedError(cell?.cell ?? 'outside a cell', call);
    if (pending !== undefined) throw new Error(`${cell.cell}: ${call}() is asked while input() waits for an answer; await it first`);
    const { msgId, frames } = encode(content, cell.request);
    const ticket = asker.ask(msgId, frames);
    pending = { ticket, cancelled: false };
    return ticket;
  };
  const settle = (answer: StdinAnswer): string | null => {
    pending = undefined;
    if (answer.kind === 'interrupted') throw interruptedWhileWaiting();
    if (answer.kind === 'closed') throw new InputAbandonedError('the wait for input ended without an answer (the cell ended or the kernel shuts down)');
    return answer.value;
  };
  return {
    begin(request, allowed, cell) {
      current = { request, allowed, cell };
    },
    end() {
      current = undefined;
      if (pending === undefined) return;
      pending.cancelled = true;
      asker.cancel(pending.ticket);
      pending = undefined;
    },
    async input(message, password) {
      const ticket = ask('input', { prompt: message, password });
      const waiting = pending!;
      const answer = await asker.wait(ticket, () => waiting.cancelled);
      if (waiting.cancelled) throw new InputAbandonedError('the cell ended while it waited for input');
      return settle(answer) ?? '';
    },
    prompt(message, defaultValue) {
      const ticket = ask('prompt', { prompt: promptText(message, defaultValue), password: false });
      const value = settle(asker.waitSync(ticket));
      return value === '' && defaultValue !== undefined ? defaultValue : value;
    },
  };
}

/** The global `prompt` the kernel installs, as the compiler sees it (lib.dom's signature). */
export const PROMPT_DECLARATION = 'declare global {\n  function prompt(message?: string, _default?: string): string | null;\n}\n';

/** Puts the kernel's input provider where `llm-price-lab/stdin` finds it and `prompt` on the global object; returns the undo. */
export function installInput(stdin: Stdin): () => void {
  const slots = globalThis as unknown as Record<symbol | string, unknown>;
  const provider: InputProvider = {
    input: (message, password) => stdin.input(message, password),
    prompt: (message, defaultValue) => stdin.prompt(message, defaultValue),
  };
  const prompt = (message?: unknown, defaultValue?: unknown): string | null =>
    stdin.prompt(message === undefined ? '' : String(message), defaultValue === undefined ? undefined : String(defaultValue));
  const previous = Object.getOwnPropertyDescriptor(globalThis, 'prompt');
  slots[INPUT_PROVIDER] = provider;
  slots.prompt = prompt;
  return () => {
    if (slots[INPUT_PROVIDER] === provider) delete slots[INPUT_PROVIDER];
    if (slots.prompt !== prompt) return;
    if (previous) Object.defineProperty(globalThis, 'prompt', previous);
    else delete slots.prompt;
  };
}
