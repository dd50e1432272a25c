/**
 * `await input()` through jupyter_client (tests/kernel/stdin_driver.py): the input_request goes to
 * the front end after the cell's earlier output, the answer comes back as the value; a password
 * request says so; where stdin is not allowed the cell fails at once naming itself; an interrupt
 * while waiting ends the cell and the kernel answers the next one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriver } from './jupyter-env';
import { readMessage, type RawMessage } from './protocol-types';

type Result = Record<string, any>;
const ofType = (messages: RawMessage[], type: string): Array<Record<string, any>> => messages.filter((m) => m.header.msg_type === type).map((m) => m.content);

describe('input() through jupyter_client', () => {
  let r: Result;
  beforeAll(() => {
    r = runDriver('stdin_driver.py', 180_000);
  }, 200_000);

  it('sends input_request under the cell, after its earlier output, and returns the answer', () => {
    const { input_request: request, request_id: id } = r.answered;
    expect(readMessage(request)).toEqual([]);
    expect(request.header.msg_type).toBe('input_request');
    expect(request.parent_header.msg_id).toBe(id);
    expect(request.content).toEqual({ prompt: 'Your name: ', password: false });
    expect(ofType(r.answered.iopub, 'stream')).toEqual([{ name: 'stdout', text: 'before the prompt\n' }]);
    expect(r.answered.reply.content.status).toBe('ok');
    expect(ofType(r.answered.iopub, 'execute_result')[0]!.data['text/plain']).toBe("'hello Ada'");
  });

  it('asks for a password as one', () => {
    expect(r.password.input_request.content).toEqual({ prompt: 'Secret: ', password: true });
    expect(ofType(r.password.iopub, 'execute_result')[0]!.data['text/plain']).toBe('6');
  });

  it('fails at once, naming the cell, where the front end does not allow stdin', () => {
    expect(r.not_allowed.reply.content).toMatchObject({ status: 'error', ename: 'StdinNotAllowedError' });
    expect(r.not_allowed.reply.content.evalue).toMatch(/^Cell In\[\d+\]: input\(\) needs a front end that answers input requests/);
  });

  it('ends the wait on an interrupt, and answers the next cell', () => {
    expect(r.interrupted_request.content.prompt).toBe('wait for ever: ');
    expect(r.interrupted.reply.content.status).toBe('error');
    expect(ofType(r.after.iopub, 'execute_result')[0]!.data['text/plain']).toBe("'still here'");
  });
});
