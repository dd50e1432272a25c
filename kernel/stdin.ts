/**
 * Input from the user while a cell runs: `await input(message, { password })` sends `input_request`
 * on the stdin channel to the front end that sent the cell and resolves with the `input_reply`'s value.
 * Only when that request allowed stdin (JupyterLab and `jupyter console` do; the headless runner and
 * nbclient do not): otherwise `input` throws at once, naming the cell, and never waits.
 */
import { INPUT_PROVIDER, type InputProvider } from '../src/stdin';
import type { Content, Message } from './messages';

/** `input()` was called where no front end can answer. */
export class StdinNotAllowedError extends Error {
  override readonly name = 'StdinNotAllowedError';
  constructor(readonly cell: string) {
    super(`${cell}: input() needs a front end that answers input requests, and the one that sent this cell does not (allow_stdin is false, as in headless runs)`);
  }
}

/** The wait for an answer ended without one (the cell ended: an interrupt, a restart). */
export class InputAbandonedError extends Error {
  override readonly name = 'InputAbandonedError';
}

export interface StdinDependencies {
  /** Sends `input_request` on the stdin socket to the request's front end; returns the sent message's id. */
  send(msgType: string, content: Content, parent: Message): Promise<string>;
  /** Resolves once all output so far is handed to IOPub (it is shown before the prompt). */
  published(): Promise<void>;
}

export interface Stdin {
  /** A cell starts: `request` may be answered through stdin when `allowed`. */
  begin(request: Message, allowed: boolean, cell: string): void;
  /** The cell ended: a pending wait ends with InputAbandonedError. */
  end(): void;
  /** What the notebook calls (installed as the global `input`). */
  input(message: string, password: boolean): Promise<string>;
  /** An `input_reply` arrived on the stdin socket. */
  reply(message: Message): void;
}

export function createStdin(deps: StdinDependencies): Stdin {
  let current: { request: Message; allowed: boolean; cell: string } | undefined;
  let pending: { id: string | undefined; resolve(value: string): void; reject(error: Error): void } | undefined;
  return {
    begin(request, allowed, cell) {
      current = { request, allowed, cell };
    },
    end() {
      current = undefined;
      const waiting = pending;
      pending = undefined;
      waiting?.reject(new InputAbandonedError('the cell ended while it waited for input'));
    },
    async input(message, password) {
      const cell = current;
      if (cell === undefined || !cell.allowed) throw new StdinNotAllowedError(cell?.cell ?? 'outside a cell');
      if (pending !== undefined) throw new Error(`${cell.cell}: input() is already waiting for an answer; await it before asking again`);
      const answer = new Promise<string>((resolve, reject) => (pending = { id: undefined, resolve, reject }));
      const waiting = pending!;
      try {
        await deps.published();
        waiting.id = await deps.send('input_request', { prompt: message, password }, cell.request);
      } catch (error) {
        if (pending === waiting) pending = undefined;
        throw error;
      }
      return answer;
    },
    reply(message) {
      const waiting = pending;
      if (waiting === undefined) return;
      const parent = (message.parent_header as { msg_id?: string }).msg_id;
      if (waiting.id !== undefined && parent !== undefined && parent !== waiting.id) return;
      pending = undefined;
      waiting.resolve(typeof message.content.value === 'string' ? message.content.value : '');
    },
  };
}

/** Puts the kernel's input provider where `input` of `llm-price-lab/stdin` finds it; returns the undo. */
export function installInput(stdin: Stdin): () => void {
  const slots = globalThis as Record<symbol, InputProvider | undefined>;
  const provider: InputProvider = { input: (message, password) => stdin.input(message, password) };
  slots[INPUT_PROVIDER] = provider;
  return () => {
    if (slots[INPUT_PROVIDER] === provider) delete slots[INPUT_PROVIDER];
  };
}
