/**
 * Asking the user while a cell runs: `await input('Your name: ')` shows a prompt in JupyterLab (or
 * `jupyter console`) and resolves with what was typed; `{ password: true }` hides it as typed.
 * `prompt(message, default)` asks the same way but blocks until the answer, as `prompt` in a
 * browser or Deno does (the kernel also installs it as the global `prompt`); an empty answer gives
 * the default. Where the front end that sent the cell takes no input (the headless runner,
 * nbclient), both fail at once naming the cell, never waiting.
 *
 * The project kernel puts its provider on `globalThis[INPUT_PROVIDER]` while it serves; outside it
 * (a script, a test) both throw `NoInputProviderError`.
 */
import { ProjectError } from './errors';

export interface InputOptions {
  /** Hide what is typed (the front end shows a password field). */
  password?: boolean;
}

/** What the kernel provides. */
export interface InputProvider {
  input(message: string, password: boolean): Promise<string>;
  prompt(message: string, defaultValue: string | undefined): string | null;
}

/** The global slot where the project kernel installs its `InputProvider`. */
export const INPUT_PROVIDER: unique symbol = Symbol.for('jupyter.stdin.input');

/** `input()` or `prompt()` was called outside the project kernel. */
export class NoInputProviderError extends ProjectError<{ call: 'input' | 'prompt' }> {
  constructor(call: 'input' | 'prompt' = 'input') {
    super(`${call}(): asking the user needs the llm-price-lab kernel (run this in a notebook cell)`, { call });
  }
}

function provider(): InputProvider | undefined {
  return (globalThis as Record<symbol, InputProvider | undefined>)[INPUT_PROVIDER];
}

/** Asks the user through the front end and resolves with the line typed. */
export function input(message = '', options: InputOptions = {}): Promise<string> {
  const kernel = provider();
  if (kernel === undefined) return Promise.reject(new NoInputProviderError('input'));
  return kernel.input(String(message), options.password === true);
}

/** Asks the user and blocks until the answer: the line typed, `defaultValue` for an empty line, or null when the front end sent none. */
export function prompt(message = '', defaultValue?: string): string | null {
  const kernel = provider();
  if (kernel === undefined) throw new NoInputProviderError('prompt');
  return kernel.prompt(String(message), defaultValue);
}
