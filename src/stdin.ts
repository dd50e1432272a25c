/**
 * Asking the user while a cell runs: `await input('Your name: ')` shows a prompt in JupyterLab (or
 * `jupyter console`) and resolves with what was typed; `{ password: true }` hides it as typed.
 * Where the front end that sent the cell takes no input (the headless runner, nbclient), the call
 * fails at once naming the cell, never waiting.
 *
 * The project kernel puts its provider on `globalThis[INPUT_PROVIDER]` while it serves; outside it
 * (a script, a test) `input` throws `NoInputProviderError`.
 */

export interface InputOptions {
  /** Hide what is typed (the front end shows a password field). */
  password?: boolean;
}

/** What the kernel provides. */
export interface InputProvider {
  input(message: string, password: boolean): Promise<string>;
}

/** The global slot where the project kernel installs its `InputProvider`. */
export const INPUT_PROVIDER: unique symbol = Symbol.for('jupyter.stdin.input');

/** `input()` was called outside the project kernel. */
export class NoInputProviderError extends Error {
  override readonly name = 'NoInputProviderError';
  constructor() {
    super('input(): asking the user needs the llm-price-lab kernel (run this in a notebook cell)');
  }
}

/** Asks the user through the front end and resolves with the line typed. */
export function input(message = '', options: InputOptions = {}): Promise<string> {
  const provider = (globalThis as Record<symbol, InputProvider | undefined>)[INPUT_PROVIDER];
  if (provider === undefined) return Promise.reject(new NoInputProviderError());
  return provider.input(String(message), options.password === true);
}
