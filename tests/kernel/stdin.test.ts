/** The kernel's input requests against fakes (no sockets). */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../kernel/messages';
import { createStdin, InputAbandonedError, installInput, StdinNotAllowedError } from '../../kernel/stdin';
import { input, NoInputProviderError } from '../../src/stdin';

function message(msgType: string, content: Record<string, unknown> = {}, parentId?: string): Message {
  return {
    identities: [Buffer.from('client')],
    header: { msg_id: `${msgType}-1`, session: 's', username: 'u', date: '', msg_type: msgType, version: '5.3' },
    parent_header: parentId ? { msg_id: parentId, session: 's', username: 'u', date: '', msg_type: 'input_request', version: '5.3' } : {},
    metadata: {},
    content,
    buffers: [],
  };
}

function setup() {
  const calls: string[] = [];
  const stdin = createStdin({
    published: async () => void calls.push('flush'),
    send: async (msgType, content, parent) => {
      calls.push(`${msgType} ${JSON.stringify(content)} to ${parent.header.msg_id}`);
      return 'request-42';
    },
  });
  return { stdin, calls };
}

describe('kernel input requests', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => uninstall?.());

  it("flushes the cell's output, then asks the request's front end, and resolves with the reply to that request", async () => {
    const { stdin, calls } = setup();
    stdin.begin(message('execute_request'), true, 'Cell In[3]');
    const answer = stdin.input('Name: ', false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['flush', 'input_request {"prompt":"Name: ","password":false} to execute_request-1']);
    stdin.reply(message('input_reply', { value: 'stale' }, 'another-request'));
    stdin.reply(message('input_reply', { value: 'Ada' }, 'request-42'));
    await expect(answer).resolves.toBe('Ada');
  });

  it('refuses at once, naming the cell, where stdin is not allowed, and outside a cell', async () => {
    const { stdin, calls } = setup();
    stdin.begin(message('execute_request'), false, 'Cell In[4]');
    await expect(stdin.input('x', false)).rejects.toThrow(StdinNotAllowedError);
    await expect(stdin.input('x', false)).rejects.toThrow(/^Cell In\[4\]: input\(\) needs a front end/);
    stdin.end();
    await expect(stdin.input('x', false)).rejects.toThrow(/^outside a cell: /);
    expect(calls).toEqual([]);
  });

  it('ends a wait when the cell ends (an interrupt), and refuses a second question while one waits', async () => {
    const { stdin } = setup();
    stdin.begin(message('execute_request'), true, 'Cell In[5]');
    const first = stdin.input('a', false);
    await expect(stdin.input('b', false)).rejects.toThrow('Cell In[5]: input() is already waiting for an answer');
    stdin.end();
    await expect(first).rejects.toThrow(InputAbandonedError);
  });

  it("is what the library's input() reaches inside the kernel; outside it, input() says so", async () => {
    await expect(input('x')).rejects.toThrow(NoInputProviderError);
    const { stdin } = setup();
    uninstall = installInput(stdin);
    stdin.begin(message('execute_request'), true, 'Cell In[6]');
    const answer = input('Secret: ', { password: true });
    await new Promise((resolve) => setImmediate(resolve));
    stdin.reply(message('input_reply', { value: 'pw' }, 'request-42'));
    await expect(answer).resolves.toBe('pw');
  });
});
