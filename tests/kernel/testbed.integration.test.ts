/**
 * The behaviours of the kernel-testbed conformance matrix (runtimed), by tier, each named as there,
 * against the project kernel through jupyter_client (tests/kernel/testbed_driver.py). Every message is
 * read as a typed client reads it (protocol-types.ts): a field such a client cannot decode fails.
 * stdin is asked as the testbed asks a TypeScript kernel: `prompt('Enter: ')`, the global a browser and Deno have.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriver } from './jupyter-env';
import { readMessage, type RawMessage } from './protocol-types';

interface Exchange {
  request_id: string;
  reply: RawMessage;
  iopub: RawMessage[];
}
type Result = Record<string, any>;

const typeOf = (m: RawMessage) => String(m.header.msg_type);
const ofType = (messages: RawMessage[], type: string) => messages.filter((m) => typeOf(m) === type);
const states = (messages: RawMessage[]) => ofType(messages, 'status').map((m) => m.content.execution_state);

/** Every message of an exchange reads cleanly and names the request as its parent. */
function expectReadable(exchange: Pick<Exchange, 'request_id' | 'iopub'> & { reply?: RawMessage }): void {
  for (const message of [...(exchange.reply ? [exchange.reply] : []), ...exchange.iopub]) {
    expect(readMessage(message), typeOf(message)).toEqual([]);
    expect(message.parent_header.msg_id, `${typeOf(message)} parent`).toBe(exchange.request_id);
  }
}

describe('the kernel-testbed behaviours', () => {
  let r: Result;
  beforeAll(() => {
    r = runDriver('testbed_driver.py', 240_000);
  }, 260_000);

  describe('tier 1: basic protocol', () => {
    it('heartbeat_responds', () => expect(r.heartbeat).toBe(true));
    it('iopub_welcome', () => {
      expect(r.welcome).not.toBeNull();
      expect(readMessage(r.welcome)).toEqual([]);
      expect(r.welcome.header.msg_type).toBe('iopub_welcome');
      expect(r.welcome.content).toEqual({ subscription: '' });
    });
    it('kernel_info_reply_valid', () => {
      expectReadable(r.kernel_info);
      expect(r.kernel_info.reply.header.msg_type).toBe('kernel_info_reply');
    });
    it('kernel_info_has_language_info', () => {
      expect(r.kernel_info.reply.content.language_info).toMatchObject({ name: 'typescript', file_extension: '.ts', codemirror_mode: 'typescript' });
    });
    it('kernel_info_has_protocol_version', () => expect(r.kernel_info.reply.content.protocol_version).toBe('5.3'));
    it('execute_stdout', () => {
      expectReadable(r.stdout);
      expect(ofType(r.stdout.iopub, 'stream').map((m) => m.content)).toEqual([{ name: 'stdout', text: 'to stdout\n' }]);
    });
    it('execute_stderr', () => {
      expectReadable(r.stderr);
      expect(ofType(r.stderr.iopub, 'stream').map((m) => m.content)).toEqual([{ name: 'stderr', text: 'to stderr\n' }]);
    });
    it('execute_reply_ok', () => expect(r.stdout.reply.content).toMatchObject({ status: 'ok', execution_count: expect.any(Number), user_expressions: {}, payload: [] }));
    it('status_busy_idle', () => {
      for (const name of ['kernel_info', 'stdout', 'complete', 'history', 'comm_info', 'error']) {
        const iopub = (r[name] as Exchange).iopub;
        expect(states(iopub), name).toEqual(['busy', 'idle']);
        expect(typeOf(iopub[0]!), name).toBe('status');
        expect(typeOf(iopub.at(-1)!), name).toBe('status');
      }
    });
    it('execute_input_broadcast', () => {
      const input = ofType(r.stdout.iopub, 'execute_input');
      expect(input.map((m) => m.content)).toEqual([{ code: "console.log('to stdout')", execution_count: r.stdout.reply.content.execution_count }]);
    });
    it('shutdown_reply', () => {
      expect(readMessage(r.shutdown.reply)).toEqual([]);
      expect(r.shutdown.reply.parent_header.msg_id).toBe(r.shutdown.request_id);
      expect(r.shutdown.reply.content).toEqual({ status: 'ok', restart: false });
    });
  });

  describe('tier 2: interactive features', () => {
    it('complete_request', () => {
      expectReadable(r.complete);
      expect(r.complete.reply.content.matches).toEqual(expect.arrayContaining(['max']));
    });
    it('inspect_request', () => {
      expectReadable(r.inspect);
      expect(r.inspect.reply.content.found).toBe(true);
      expect(String(r.inspect.reply.content.data['text/plain'])).toMatch(/max/);
    });
    it('is_complete_complete', () => {
      expectReadable(r.is_complete_complete);
      expect(r.is_complete_complete.reply.content.status).toBe('complete');
    });
    it('is_complete_incomplete', () => {
      expectReadable(r.is_complete_incomplete);
      expect(r.is_complete_incomplete.reply.content).toMatchObject({ status: 'incomplete', indent: expect.any(String) });
    });
    it('history_request', () => {
      expectReadable(r.history);
      expect(r.history.reply.content.history.length).toBeGreaterThan(0);
    });
    it('comm_info_request', () => {
      expectReadable(r.comm_info);
      expect(r.comm_info.reply.content.comms).toEqual({});
    });
    it('error_reply', () => {
      expectReadable(r.error);
      expect(r.error.reply.content).toMatchObject({ status: 'error', ename: 'Error', evalue: 'testbed' });
    });
    it('error_message', () => {
      const errors = ofType(r.error.iopub, 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.content).toMatchObject({ ename: 'Error', evalue: 'testbed' });
    });
  });

  describe('tier 3: rich output', () => {
    it('display_data', () => {
      expectReadable(r.display_data);
      expect(ofType(r.display_data.iopub, 'display_data').map((m) => m.content.data)).toEqual([{ 'text/plain': 'shown', 'text/html': '<b>shown</b>' }]);
    });
    it('update_display_data', () => {
      expectReadable(r.update_display_data);
      const [shown] = ofType(r.update_display_data.iopub, 'display_data');
      const [updated] = ofType(r.update_display_data.iopub, 'update_display_data');
      expect(updated!.content.data).toEqual({ 'text/plain': 'v2' });
      expect((updated!.content.transient as { display_id: string }).display_id).toBe((shown!.content.transient as { display_id: string }).display_id);
    });
    it('execute_result', () => {
      expectReadable(r.execute_result);
      expect(ofType(r.execute_result.iopub, 'execute_result').map((m) => m.content.data)).toEqual([{ 'text/plain': '42' }]);
    });
    it('execute_result_rich', () => {
      expectReadable(r.rich_execute_result);
      expect(ofType(r.rich_execute_result.iopub, 'execute_result')[0]!.content.data).toEqual({ 'text/html': '<i>rich</i>', 'text/plain': 'rich' });
    });
  });

  describe('tier 4: advanced', () => {
    it('stdin_input_request', () => {
      expect(readMessage(r.stdin.input_request)).toEqual([]);
      expect(r.stdin.input_request.header.msg_type).toBe('input_request');
      expect(r.stdin.input_request.parent_header.msg_id).toBe(r.stdin.request_id);
      expect(r.stdin.input_request.content).toEqual({ prompt: 'Enter: ', password: false });
      expectReadable(r.stdin);
      expect(ofType(r.stdin.iopub, 'execute_result')[0]!.content.data).toEqual({ 'text/plain': "'typed'" });
    });
    it('comms_lifecycle', () => {
      expectReadable(r.comm_register);
      for (const step of ['comm_open', 'comm_msg', 'comm_close']) expectReadable(r[step]);
      expect(ofType(r.comm_open.iopub, 'comm_close')).toEqual([]);
      expect(ofType(r.comm_msg.iopub, 'comm_msg').map((m) => m.content)).toEqual([{ comm_id: 'testbed-comm', data: { echo: { n: 1 } } }]);
      expect(r.comm_info_after.reply.content.comms).toEqual({});
    });
    it('interrupt_request', () => {
      expect(readMessage(r.interrupt.reply)).toEqual([]);
      expect(r.interrupt.reply.header.msg_type).toBe('interrupt_reply');
      expect(r.interrupt.reply.parent_header.msg_id).toBe(r.interrupt.request_id);
      expect(r.interrupt.reply.content.status).toBe('ok');
      expectReadable(r.interrupted_cell);
      expect(r.interrupted_cell.reply.content.status).toBe('error');
    });
    it('execution_count_increments', () => {
      const [a, b] = (r.counts as Exchange[]).map((e) => e.reply.content.execution_count as number);
      expect(b).toBe(a! + 1);
      expect(ofType((r.counts as Exchange[])[1]!.iopub, 'execute_input')[0]!.content.execution_count).toBe(b);
    });
    it('parent_header_correlation', () => {
      for (const [name, value] of Object.entries(r)) {
        if (typeof value === 'object' && value !== null && 'request_id' in value && 'iopub' in value) expectReadable(value as Exchange);
        else if (Array.isArray(value)) for (const e of value as Exchange[]) expectReadable(e);
        else if (name === 'shutdown' || name === 'interrupt') expect((value as Exchange).reply.parent_header.msg_id).toBe((value as Exchange).request_id);
      }
    });
  });
});
