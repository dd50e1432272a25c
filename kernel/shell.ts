import { inspect } from 'node:util';
import { completeReply } from './complete';
import type { CellOutcome, CellRunner } from './execution';
import type { History } from './history';
import { inspectReply } from './inspect';
import { isComplete } from './iscomplete';
import { executeRequest, replyType, type Content, type ErrorContent, type Message } from './messages';
import type { OutputRouter } from './output';
import type { Stdin } from './stdin';
import { resultBundle } from './result';
import type { UncaughtErrors } from './uncaught';
import { FOLLOWS_UPDATES_METADATA, pendingOutputs, settleOutputs } from '../src/pending';

/** Whether the client of an execute request keeps applying display updates after the cell's reply. */
export function followsDisplayUpdates(allowStdin: boolean, metadata: Content | undefined): boolean {
  return allowStdin || metadata?.[FOLLOWS_UPDATES_METADATA] === true;
}

/** What a request handler produced: the reply content, and what the queue does afterwards. */
export interface HandlerResult {
  /** The reply's content; undefined for messages that have no reply (comm_open, comm_msg, comm_close). */
  content: Content | undefined;
  /** Abort the execute requests waiting in the queue (an error with stop_on_error). */
  abortQueue?: boolean;
  /** Runs once the reply is sent and the kernel is idle again (shutdown). */
  after?: () => Promise<void>;
}

export type Handler = (message: Message) => HandlerResult | Promise<HandlerResult>;

export interface ShellDependencies {
  runner: CellRunner;
  output: OutputRouter;
  history: History;
  uncaught: UncaughtErrors;
  /** Publishes on iopub with the given parent. */
  publish(msgType: string, content: Content, parent: Message): void;
  kernelInfo: Content;
  shutdown(restart: boolean): Promise<void>;
  /** Input requests of the running cell (stdin.ts). */
  stdin?: Stdin;
}

/**
 * A cell that is only `exit` or `quit` (optionally called) asks the front end to exit, as in
 * IPython: the reply carries the `ask_exit` payload that jupyter console acts on.
 */
export function isExitRequest(code: string): boolean {
  return /^\s*(?:exit|quit)(?:\(\))?\s*;?\s*$/.test(code);
}

function errorReply(error: ErrorContent): Content {
  return { status: 'error', ...error };
}

/** The shell channel's request handlers, by msg_type. */
export function createShellHandlers(deps: ShellDependencies): Map<string, Handler> {
  const { runner, output, history, uncaught, publish } = deps;
  let executionCount = 0;

  async function evaluateUserExpressions(expressions: Record<string, string>): Promise<Content> {
    const results: Content = {};
    for (const [name, expression] of Object.entries(expressions)) {
      const outcome = await runner.run(expression, `user expression ${JSON.stringify(name)}`);
      results[name] =
        outcome.kind === 'error'
          ? errorReply(outcome.error)
          : { status: 'ok', data: { 'text/plain': outcome.result ? inspect(outcome.result.value) : 'undefined' }, metadata: {} };
    }
    return results;
  }

  const execute: Handler = async (message) => {
    const request = executeRequest(message.content);
    output.setParent(message);
    if (request.store_history) executionCount += 1;
    const count = executionCount;
    if (!request.silent) publish('execute_input', { code: request.code, execution_count: count }, message);
    if (request.store_history) history.add(count, request.code);
    if (isExitRequest(request.code)) {
      return { content: { status: 'ok', execution_count: count, user_expressions: {}, payload: [{ source: 'ask_exit', keepkernel: false }] } };
    }
    // busy and execute_input have left before the compiler blocks the thread (publish hands each
    // message to zeromq at once): jupyter console takes the cell as running only if its busy status
    // comes within 50 ms, else it shows nothing until the end.
    uncaught.beginCell(message);
    deps.stdin?.begin(message, request.allow_stdin, `Cell In[${count}]`);
    let outcome: CellOutcome;
    let late: ErrorContent | undefined;
    try {
      outcome = await runner.run(request.code, `Cell In[${count}]`);
    } finally {
      late = uncaught.endCell();
      deps.stdin?.end();
    }
    if (!followsDisplayUpdates(request.allow_stdin, message.metadata)) await settleOutputs();
    let error = outcome.kind === 'error' ? outcome.error : undefined;
    if (outcome.kind === 'ok' && outcome.result && !request.silent) {
      try {
        const data = resultBundle(outcome.result.value);
        if (data) {
          publish('execute_result', { execution_count: count, data, metadata: {} }, message);
          if (request.store_history) history.setOutput(count, String(data['text/plain']));
        }
      } catch (thrown) {
        const reason = thrown instanceof Error ? thrown : new Error(String(thrown));
        error = { ename: reason.name, evalue: reason.message, traceback: [`${reason.name}: ${reason.message}`] };
      }
    }
    if (error) publish('error', error, message);
    // An error thrown by a callback of this cell was shown when it happened; the cell fails with it.
    error ??= late;
    if (error) {
      return { content: { ...errorReply(error), execution_count: count }, abortQueue: request.stop_on_error };
    }
    const userExpressions = await evaluateUserExpressions(request.user_expressions);
    return { content: { status: 'ok', execution_count: count, user_expressions: userExpressions, payload: [] } };
  };

  return new Map<string, Handler>([
    ['kernel_info_request', () => ({ content: deps.kernelInfo })],
    ['execute_request', execute],
    ['is_complete_request', (message) => ({ content: isComplete(String(message.content.code ?? '')) })],
    ['complete_request', (message) => ({ content: completeReply(runner, message.content) })],
    ['inspect_request', (message) => ({ content: inspectReply(runner, message.content) })],
    ['history_request', (message) => ({ content: history.reply(message.content) })],
    [
      'shutdown_request',
      (message) => {
        const restart = message.content.restart === true;
        return { content: { status: 'ok', restart }, after: () => deps.shutdown(restart) };
      },
    ],
  ]);
}

export interface QueueDependencies {
  handlers: Map<string, Handler>;
  reply(request: Message, msgType: string, content: Content): Promise<void>;
  status(state: 'busy' | 'idle', parent: Message): void;
  log(line: string): void;
  /** Lets requests already sent reach the queue (called before aborting it). */
  drain(): Promise<void>;
}

export interface ShellQueue {
  push(message: Message): void;
  /** Resolves when every queued request has been handled. */
  idle(): Promise<void>;
}

/**
 * Handles shell requests one at a time, in arrival order, each between busy and idle. After an
 * execution error with stop_on_error, the execute requests already waiting are answered `aborted`;
 * later ones run normally (no timed window).
 */
export function createShellQueue(deps: QueueDependencies): ShellQueue {
  const pending: Message[] = [];
  const aborted = new WeakSet<Message>();
  let pump: Promise<void> | undefined;
  let finishing = false;
  let dispatching = false;
  /** The request the last "busy while output is finished" was sent under. */
  let lastParent: Message | undefined;

  async function dispatch(message: Message): Promise<void> {
    const type = message.header.msg_type;
    let after: (() => Promise<void>) | undefined;
    dispatching = true;
    deps.status('busy', message);
    try {
      if (aborted.has(message)) {
        await deps.reply(message, replyType(type), { status: 'aborted' });
        return;
      }
      const handler = deps.handlers.get(type);
      if (!handler) {
        deps.log(`unknown message type ${JSON.stringify(type)} ignored`);
        return;
      }
      const result = await handler(message);
      if (result.content !== undefined) await deps.reply(message, replyType(type), result.content);
      if (result.abortQueue) {
        await deps.drain();
        for (const waiting of pending) if (waiting.header.msg_type === 'execute_request') aborted.add(waiting);
      }
      after = result.after;
    } catch (error) {
      deps.log(`${type} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const reason = error instanceof Error ? error : new Error(String(error));
      await deps.reply(message, replyType(type), { status: 'error', ename: reason.name, evalue: reason.message, traceback: [] });
    } finally {
      dispatching = false;
      deps.status('idle', message);
      // Output still being finished (a chart's image) keeps the kernel busy without holding the
      // queue: a front end sees it idle once every output of the cells run so far is in.
      if (pendingOutputs() > 0) {
        deps.status('busy', message);
        lastParent = message;
        if (!finishing) {
          finishing = true;
          void settleOutputs().finally(() => {
            finishing = false;
            // A request being handled says idle itself when it ends.
            if (!dispatching) deps.status('idle', lastParent ?? message);
          });
        }
      }
    }
    if (!after) return;
    // What follows a reply (a shutdown) may fail; the queue goes on with the next request regardless.
    try {
      await after();
    } catch (error) {
      deps.log(`after ${type}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  /** Never rejects: a request that could not be answered (its reply failed to send) is logged and the next one runs. */
  async function run(): Promise<void> {
    for (let next = pending.shift(); next; next = pending.shift()) {
      try {
        await dispatch(next);
      } catch (error) {
        deps.log(`${next.header.msg_type} could not be answered: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    pump = undefined;
  }

  return {
    push(message) {
      pending.push(message);
      pump ??= run();
    },
    async idle() {
      while (pump) await pump;
    },
  };
}
