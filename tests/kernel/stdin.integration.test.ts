/**
 * `await input()` through jupyter_client (tests/kernel/stdin_driver.py): the input_request goes to
 * the front end after the cell's earlier output, the answer comes back as the value; a password
 * request says so; where stdin is not allowed the cell fails at once naming itself; an interrupt
 * while waiting ends the cell and the kernel answers the next one. The same for the synchronous
 * global `prompt()`, which blocks the cell's thread while the control thread waits for the answer.
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

  it('blocks a cell in prompt() until the answer, after its earlier output, giving the default for an empty line', () => {
    const requests = r.prompt.input_requests as RawMessage[];
    for (const request of requests) expect(readMessage(request)).toEqual([]);
    expect(requests.map((request) => request.content)).toEqual([
      { prompt: 'Port? [8888] ', password: false },
      { prompt: 'Host? ', password: false },
    ]);
    expect(requests.every((request) => request.parent_header.msg_id === r.prompt.request_id)).toBe(true);
    expect(ofType(r.prompt.iopub, 'stream')).toEqual([{ name: 'stdout', text: 'before prompt\n' }]);
    expect(ofType(r.prompt.iopub, 'execute_result')[0]!.data['text/plain']).toBe("[ '8888', '' ]");
    expect(ofType(r.prompt_typed.iopub, 'execute_result')[0]!.data['text/plain']).toBe("'example.org'");
  });

  it('fails prompt() at once, naming the cell, where the front end does not allow stdin', () => {
    expect(r.prompt_not_allowed.reply.content).toMatchObject({ status: 'error', ename: 'StdinNotAllowedError' });
    expect(r.prompt_not_allowed.reply.content.evalue).toMatch(/^Cell In\[\d+\]: prompt\(\) needs a front end that answers input requests/);
  });

  it('wakes a cell blocked in prompt() on an interrupt with the interrupt error, and answers the next one', () => {
    expect(r.prompt_interrupted_request.content.prompt).toBe('blocked for ever: ');
    expect(r.prompt_interrupted.reply.content).toMatchObject({ status: 'error', ename: 'InterruptError' });
    expect(ofType(r.prompt_after.iopub, 'execute_result')[0]!.data['text/plain']).toBe("'yes'");
  });

  it('wakes a cell blocked in prompt() on a SIGINT to the kernel process as well', () => {
    expect(r.prompt_signalled_request.content.prompt).toBe('blocked until a signal: ');
    expect(r.prompt_signalled.reply.content).toMatchObject({ status: 'error', ename: 'InterruptError' });
    expect(ofType(r.prompt_after_signal.iopub, 'execute_result')[0]!.data['text/plain']).toBe("'still'");
  });
});
