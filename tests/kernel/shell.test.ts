import { describe, expect, it } from 'vitest';
import type { Content, Message } from '../../kernel/messages';
import { createShellQueue, isExitRequest, type Handler } from '../../kernel/shell';

let nextId = 0;
function request(msgType: string, content: Content = {}): Message {
  nextId += 1;
  const header = { msg_id: `m${nextId}`, session: 's', username: 'u', date: '', msg_type: msgType, version: '5.3' };
  return { identities: [], header, parent_header: {}, metadata: {}, content, buffers: [] };
}

function harness(handlers: Map<string, Handler>) {
  const events: string[] = [];
  const logs: string[] = [];
  const queue = createShellQueue({
    handlers,
    reply: async (req, msgType, content) => {
      events.push(`${req.header.msg_id} ${msgType} ${String(content.status)}`);
    },
    status: (state, parent) => events.push(`${parent.header.msg_id} ${state}`),
    log: (line) => logs.push(line),
    drain: async () => {},
  });
  return { events, logs, queue };
}

/** An execute handler that fails for code 'fail' and records what it ran. */
function executeHandlers(ran: string[]): Map<string, Handler> {
  return new Map<string, Handler>([
    [
      'execute_request',
      async (message) => {
        const code = String(message.content.code);
        ran.push(code);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (code === 'fail') return { content: { status: 'error' }, abortQueue: message.content.stop_on_error !== false };
        return { content: { status: 'ok' } };
      },
    ],
    ['kernel_info_request', () => ({ content: { status: 'ok' } })],
  ]);
}

describe('shell routing', () => {
  it('answers each request with its reply type between busy and idle, in order', async () => {
    const { events, queue } = harness(executeHandlers([]));
    const a = request('kernel_info_request');
    const b = request('execute_request', { code: 'x' });
    queue.push(a);
    queue.push(b);
    await queue.idle();
    expect(events).toEqual([
      `${a.header.msg_id} busy`,
      `${a.header.msg_id} kernel_info_reply ok`,
      `${a.header.msg_id} idle`,
      `${b.header.msg_id} busy`,
      `${b.header.msg_id} execute_reply ok`,
      `${b.header.msg_id} idle`,
    ]);
  });

  it('logs and ignores unknown message types, sends no reply for a handler with none (comm messages), and replies error when a handler throws', async () => {
    const handlers = new Map<string, Handler>([
      ['inspect_request', () => {
        throw new Error('no luck');
      }],
      ['comm_msg', () => ({ content: undefined })],
    ]);
    const { events, logs, queue } = harness(handlers);
    const unknown = request('frobnicate_request');
    const comm = request('comm_msg');
    const failing = request('inspect_request');
    for (const m of [unknown, comm, failing]) queue.push(m);
    await queue.idle();
    expect(logs.some((line) => line.includes('frobnicate_request'))).toBe(true);
    // Between busy and idle, as ipykernel handles comm messages, and no reply.
    expect(events.filter((e) => e.includes(comm.header.msg_id))).toEqual([`${comm.header.msg_id} busy`, `${comm.header.msg_id} idle`]);
    expect(events).toContain(`${failing.header.msg_id} inspect_reply error`);
  });

  it('with stop_on_error, aborts the execute requests already queued and runs later ones', async () => {
    const ran: string[] = [];
    const { events, queue } = harness(executeHandlers(ran));
    const fail = request('execute_request', { code: 'fail' });
    const queued = request('execute_request', { code: 'queued' });
    const info = request('kernel_info_request');
    queue.push(fail);
    queue.push(queued);
    queue.push(info);
    await queue.idle();
    const later = request('execute_request', { code: 'later' });
    queue.push(later);
    await queue.idle();
    expect(ran).toEqual(['fail', 'later']);
    expect(events).toContain(`${queued.header.msg_id} execute_reply aborted`);
    expect(events).toContain(`${info.header.msg_id} kernel_info_reply ok`);
    expect(events).toContain(`${later.header.msg_id} execute_reply ok`);
  });

  it('without stop_on_error, runs the queued requests after an error', async () => {
    const ran: string[] = [];
    const { events, queue } = harness(executeHandlers(ran));
    const fail = request('execute_request', { code: 'fail', stop_on_error: false });
    const queued = request('execute_request', { code: 'queued' });
    queue.push(fail);
    queue.push(queued);
    await queue.idle();
    expect(ran).toEqual(['fail', 'queued']);
    expect(events).toContain(`${queued.header.msg_id} execute_reply ok`);
  });
});

describe('a shell queue that never wedges', () => {
  it('logs a failing after-step (a shutdown that rejects) and still answers the next request', async () => {
    const handlers = new Map<string, Handler>([
      ['shutdown_request', () => ({ content: { status: 'ok' }, after: () => Promise.reject(new Error('sockets already closed')) })],
      ['kernel_info_request', () => ({ content: { status: 'ok' } })],
    ]);
    const { events, logs, queue } = harness(handlers);
    const a = request('shutdown_request');
    const b = request('kernel_info_request');
    queue.push(a);
    await queue.idle();
    queue.push(b);
    await queue.idle();
    expect(events).toContain(`${b.header.msg_id} kernel_info_reply ok`);
    expect(logs).toEqual([expect.stringContaining('after shutdown_request: Error: sockets already closed')]);
  });

  it('answers later requests after one whose replies could not be sent', async () => {
    const events: string[] = [];
    const logs: string[] = [];
    const a = request('kernel_info_request');
    const b = request('kernel_info_request');
    const queue = createShellQueue({
      handlers: new Map<string, Handler>([['kernel_info_request', () => ({ content: { status: 'ok' } })]]),
      reply: async (req, msgType) => {
        if (req === a) throw new Error('socket closed'); // the reply and the error reply alike
        events.push(`${req.header.msg_id} ${msgType}`);
      },
      status: () => {},
      log: (line) => logs.push(line),
      drain: async () => {},
    });
    queue.push(a);
    await queue.idle();
    queue.push(b);
    await queue.idle();
    expect(events).toEqual([`${b.header.msg_id} kernel_info_reply`]);
    expect(logs.at(-1)).toBe('kernel_info_request could not be answered: socket closed');
  });
});

describe('exit and quit', () => {
  it('are requests to leave the front end only as a whole cell', () => {
    expect(['exit', 'quit', ' exit() ', 'quit;\n'].map(isExitRequest)).toEqual([true, true, true, true]);
    expect(['exit(1)', 'process.exit()', 'const exit = 1', 'exit\nquit', 'exited'].map(isExitRequest)).toEqual([false, false, false, false, false]);
  });
});
