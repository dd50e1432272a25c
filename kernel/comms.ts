/**
 * The kernel's side of Jupyter comms (see `src/comm.ts` for the notebook's side): the registry of
 * comm targets, the comms open now, and the shell messages `comm_open`, `comm_msg`, `comm_close`
 * (no reply) and `comm_info_request`. What a comm sends goes out on IOPub with the message being
 * handled as its parent (the cell that opened it, or the comm message it answers).
 */
import { randomUUID } from 'node:crypto';
import { COMM_MANAGER, type Comm, type CommData, type CommManager, type CommMessage, type CommTarget } from '../src/comm';
import type { Content, Message } from './messages';
import type { Handler } from './shell';

/** What a comm message carries beside its content: the message's metadata and binary buffers. */
export interface CommExtras {
  readonly metadata?: Content;
  readonly buffers?: readonly Uint8Array[];
}

export interface CommDependencies {
  publish(msgType: string, content: Content, parent: Message | undefined, extras?: CommExtras): void;
  /** The message being handled now (a cell's request, a comm message): the parent of what comms send. */
  parent(): Message | undefined;
  /** Makes `message` the parent of output from now on, as a cell's request does. */
  setParent(message: Message): void;
  log(line: string): void;
}

export interface KernelComms {
  readonly manager: CommManager;
  /** comm_open / comm_msg / comm_close (answered by nothing) and comm_info_request. */
  readonly handlers: Map<string, Handler>;
  /** Puts the manager on `globalThis[COMM_MANAGER]` for notebook code; returns the undo. */
  install(): () => void;
}

type Listener = (message: CommMessage) => void | Promise<void>;

interface OpenComm extends Comm {
  readonly listeners: { message: Listener[]; close: Listener[] };
  /** Marks the comm closed from the front end's side (nothing is sent). */
  closedByFrontEnd(): void;
}

const asData = (value: unknown): CommData => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as CommData) : {});

function received(message: Message): CommMessage {
  return { data: asData(message.content.data), metadata: asData(message.metadata), buffers: message.buffers.map((b) => new Uint8Array(b)) };
}

export function createComms(deps: CommDependencies): KernelComms {
  const targets = new Map<string, CommTarget>();
  const comms = new Map<string, OpenComm>();

  function makeComm(commId: string, targetName: string): OpenComm {
    let closed = false;
    const listeners = { message: [] as Listener[], close: [] as Listener[] };
    const comm: OpenComm = {
      commId,
      targetName,
      listeners,
      get closed() {
        return closed;
      },
      send(data, metadata = {}, buffers = []) {
        if (closed) throw new Error(`comm ${commId} (target ${JSON.stringify(targetName)}) is closed`);
        deps.publish('comm_msg', { comm_id: commId, data }, deps.parent(), { metadata, buffers });
      },
      close(data = {}) {
        if (closed) return;
        closed = true;
        comms.delete(commId);
        deps.publish('comm_close', { comm_id: commId, data }, deps.parent());
      },
      onMessage(handler) {
        listeners.message.push(handler);
      },
      onClose(handler) {
        listeners.close.push(handler);
      },
      closedByFrontEnd() {
        closed = true;
        comms.delete(commId);
      },
    };
    comms.set(commId, comm);
    return comm;
  }

  /** A target or listener threw: said on stderr under the message it was handling, and logged. */
  function report(error: unknown, where: string, message: Message): void {
    const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    deps.log(`${where} failed: ${text}`);
    deps.publish('stream', { name: 'stderr', text: `${where} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n` }, message);
  }

  /** Runs each listener in order; one that throws is reported and the others still run. */
  async function deliver(listeners: readonly Listener[], message: Message, where: string): Promise<void> {
    const content = received(message);
    for (const listener of listeners) {
      try {
        await listener(content);
      } catch (error) {
        report(error, where, message);
      }
    }
  }

  const manager: CommManager = {
    registerTarget(name, target) {
      if (typeof name !== 'string' || name === '') throw new TypeError('registerCommTarget: the target name must be a non-empty string');
      if (typeof target !== 'function') throw new TypeError(`registerCommTarget(${JSON.stringify(name)}): the target must be a function (comm, openMessage) => void`);
      targets.set(name, target);
    },
    unregisterTarget: (name) => targets.delete(name),
    open(targetName, data = {}, metadata = {}, buffers = []) {
      const comm = makeComm(randomUUID().replaceAll('-', ''), targetName);
      deps.publish('comm_open', { comm_id: comm.commId, target_name: targetName, data }, deps.parent(), { metadata, buffers });
      return comm;
    },
    parentMessageId() {
      const id = deps.parent()?.header.msg_id;
      return typeof id === 'string' ? id : undefined;
    },
  };

  const handlers = new Map<string, Handler>([
    [
      'comm_open',
      async (message) => {
        deps.setParent(message);
        const commId = String(message.content.comm_id ?? '');
        const targetName = String(message.content.target_name ?? '');
        const target = targets.get(targetName);
        if (target === undefined || commId === '' || comms.has(commId)) {
          // As ipykernel: logged, and the front end learns at once that nothing listens there.
          deps.log(target === undefined ? `comm_open: no comm target ${JSON.stringify(targetName)} is registered` : `comm_open: comm id ${JSON.stringify(commId)} is empty or in use`);
          deps.publish('comm_close', { comm_id: commId, data: {} }, message);
          return { content: undefined };
        }
        const comm = makeComm(commId, targetName);
        try {
          await target(comm, received(message));
        } catch (error) {
          report(error, `comm target ${JSON.stringify(targetName)}`, message);
          comm.close();
        }
        return { content: undefined };
      },
    ],
    [
      'comm_msg',
      async (message) => {
        deps.setParent(message);
        const comm = comms.get(String(message.content.comm_id ?? ''));
        if (comm === undefined) deps.log(`comm_msg for unknown comm ${JSON.stringify(message.content.comm_id)} ignored`);
        else await deliver(comm.listeners.message, message, `comm ${comm.commId} (target ${JSON.stringify(comm.targetName)})`);
        return { content: undefined };
      },
    ],
    [
      'comm_close',
      async (message) => {
        deps.setParent(message);
        const comm = comms.get(String(message.content.comm_id ?? ''));
        if (comm !== undefined) {
          comm.closedByFrontEnd();
          await deliver(comm.listeners.close, message, `closing comm ${comm.commId} (target ${JSON.stringify(comm.targetName)})`);
        }
        return { content: undefined };
      },
    ],
    [
      'comm_info_request',
      (message) => {
        const wanted = typeof message.content.target_name === 'string' ? message.content.target_name : undefined;
        const listed: Record<string, { target_name: string }> = {};
        for (const comm of comms.values()) if (wanted === undefined || comm.targetName === wanted) listed[comm.commId] = { target_name: comm.targetName };
        return { content: { status: 'ok', comms: listed } };
      },
    ],
  ]);

  return {
    manager,
    handlers,
    install() {
      const slots = globalThis as Record<symbol, CommManager | undefined>;
      slots[COMM_MANAGER] = manager;
      return () => {
        if (slots[COMM_MANAGER] === manager) delete slots[COMM_MANAGER];
      };
    },
  };
}
