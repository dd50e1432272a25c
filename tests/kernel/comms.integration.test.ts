/**
 * Comms through jupyter_client (tests/kernel/comms_driver.py): a comm_open to an unknown target is
 * closed at once; a target registered from a cell answers, echoes, lists itself in comm_info (filtered
 * by target) and hears the close; a cell opens, uses and closes a comm to the front end.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriver } from './jupyter-env';

interface Iopub {
  msg_type: string;
  content: Record<string, any>;
}
type Result = Record<string, any>;

const of = (messages: Iopub[], type: string) => messages.filter((m) => m.msg_type === type).map((m) => m.content);
const types = (messages: Iopub[]) => messages.map((m) => (m.msg_type === 'status' ? `status:${m.content.execution_state}` : m.msg_type));

describe('comms through jupyter_client', () => {
  let result: Result;
  beforeAll(() => {
    result = runDriver('comms_driver.py', 180_000);
  }, 200_000);

  it('answers a comm_open to an unknown target with comm_close, between busy and idle, and logs it', () => {
    expect(types(result.unknown_target)).toEqual(['status:busy', 'comm_close', 'status:idle']);
    expect(of(result.unknown_target, 'comm_close')).toEqual([{ comm_id: 'c-unknown', data: {} }]);
    expect(result.kernelLog).toContain('comm_open: no comm target "nobody" is registered');
  });

  it('opens a comm to a target a cell registered, which answers and echoes under the message it answers', () => {
    expect(result.register.reply.status).toBe('ok');
    expect(of(result.open, 'comm_msg')).toEqual([{ comm_id: 'c-echo', data: { opened: { hello: 1 } } }]);
    expect(of(result.message, 'comm_msg')).toEqual([{ comm_id: 'c-echo', data: { echo: { value: 42 } } }]);
  });

  it('lists open comms in comm_info, filtered by target_name', () => {
    expect(result.info_all).toEqual({ status: 'ok', comms: { 'c-echo': { target_name: 'echo' } } });
    expect(result.info_echo).toEqual({ status: 'ok', comms: { 'c-echo': { target_name: 'echo' } } });
    expect(result.info_other).toEqual({ status: 'ok', comms: {} });
  });

  it("runs the comm's close handler on comm_close and forgets it", () => {
    expect(types(result.close)).toEqual(['status:busy', 'status:idle']);
    expect(of(result.after_close.iopub, 'execute_result')[0].data['text/plain']).toBe('{ bye: true }');
    expect(result.info_after_close).toEqual({ status: 'ok', comms: {} });
  });

  it('opens, uses and closes a comm from a cell, each message under that cell', () => {
    const opened = of(result.from_kernel.iopub, 'comm_open');
    expect(opened).toEqual([{ comm_id: expect.stringMatching(/^[0-9a-f]{32}$/), target_name: 'front.end', data: { x: 1 } }]);
    // The widget protocol's version travels in the message's metadata, binary buffers as frames of their own.
    const message = (type: string) => result.from_kernel.iopub.find((m: { msg_type: string }) => m.msg_type === type);
    expect(message('comm_open').metadata).toEqual({ version: '2.1.0' });
    const id = opened[0]!.comm_id;
    expect(of(result.from_kernel.iopub, 'comm_msg')).toEqual([{ comm_id: id, data: { y: 2 } }]);
    expect(message('comm_msg').buffers).toEqual([[1, 2, 3]]);
    expect(of(result.from_kernel.iopub, 'comm_close')).toEqual([{ comm_id: id, data: {} }]);
    expect(of(result.from_kernel.iopub, 'execute_result')[0].data['text/plain']).toBe('true');
  });
});
