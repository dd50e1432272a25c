/**
 * Jupyter comms from notebook code: a comm is a channel between an object in the kernel and one in
 * the front end (JupyterLab's widget manager, an extension), opened by either side under a target
 * name, carrying JSON messages both ways until either side closes it.
 *
 * - `registerCommTarget(name, target)`: the front end may open comms to `name`; `target` is called
 *   with each new comm and the data it was opened with. A `comm_open` to a name nobody registered is
 *   answered with `comm_close`, as ipykernel does.
 * - `openComm(targetName, data)`: opens a comm from the kernel to a target the front end registered.
 *
 * The project kernel puts a `CommManager` on `globalThis[COMM_MANAGER]` while it serves; outside it
 * (a script, a test) these functions throw `NoCommManagerError`.
 */
import { ProjectError } from './errors';

/** JSON data a comm message carries. */
export type CommData = Record<string, unknown>;

/** One message a comm received: its data, metadata and binary buffers. */
export interface CommMessage {
  readonly data: CommData;
  readonly metadata: CommData;
  readonly buffers: readonly Uint8Array[];
}

export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  /** True once either side closed it. */
  readonly closed: boolean;
  /**
   * Sends `comm_msg` to the front end, with the message's metadata and binary buffers when given.
   * Throws once the comm is closed.
   */
  send(data: CommData, metadata?: CommData, buffers?: readonly Uint8Array[]): void;
  /** Sends `comm_close` (once) and stops delivering messages. */
  close(data?: CommData): void;
  /** Called with each `comm_msg` from the front end, in order; an async handler is awaited before the next. */
  onMessage(handler: (message: CommMessage) => void | Promise<void>): void;
  /** Called once when the front end closes the comm. */
  onClose(handler: (message: CommMessage) => void | Promise<void>): void;
}

/** Called when the front end opens a comm to a registered target. */
export type CommTarget = (comm: Comm, open: CommMessage) => void | Promise<void>;

export interface CommManager {
  registerTarget(name: string, target: CommTarget): void;
  /** Returns whether `name` was registered. */
  unregisterTarget(name: string): boolean;
  open(targetName: string, data?: CommData, metadata?: CommData, buffers?: readonly Uint8Array[]): Comm;
  /**
   * The id of the message the kernel is handling now (a cell's `execute_request`, a comm message),
   * which is the parent of what is published meanwhile; undefined between messages.
   */
  parentMessageId(): string | undefined;
}

/** The global slot where the project kernel installs its `CommManager`. */
export const COMM_MANAGER: unique symbol = Symbol.for('jupyter.comm.manager');

/** Comms were used outside the project kernel. */
export class NoCommManagerError extends ProjectError<{ what: string }> {
  constructor(what: string) {
    super(`${what}: comms need the llm-price-lab kernel (run this in a notebook cell)`, { what });
  }
}

function manager(what: string): CommManager {
  const found = (globalThis as Record<symbol, CommManager | undefined>)[COMM_MANAGER];
  if (found === undefined) throw new NoCommManagerError(what);
  return found;
}

/** Lets the front end open comms to `name`; a later registration under the same name replaces it. */
export function registerCommTarget(name: string, target: CommTarget): void {
  manager(`registerCommTarget(${JSON.stringify(name)})`).registerTarget(name, target);
}

/** Stops accepting comms to `name`; returns whether it was registered. */
export function unregisterCommTarget(name: string): boolean {
  return manager(`unregisterCommTarget(${JSON.stringify(name)})`).unregisterTarget(name);
}

/**
 * Opens a comm from the kernel to the front end's target `targetName`; `metadata` is the message's
 * (where the widget protocol puts its version), `buffers` its binary buffers.
 */
export function openComm(targetName: string, data: CommData = {}, metadata: CommData = {}, buffers: readonly Uint8Array[] = []): Comm {
  return manager(`openComm(${JSON.stringify(targetName)})`).open(targetName, data, metadata, buffers);
}

/** The id of the message the kernel is handling now (see `CommManager.parentMessageId`). */
export function parentMessageId(): string | undefined {
  return manager('parentMessageId()').parentMessageId();
}
