/** The kernel's input requests: the cell side against a scripted link, and the link across real threads (no sockets). */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { isInterrupt } from '../../kernel/errors';
import type { Message } from '../../kernel/messages';
import { createStdin, InputAbandonedError, installInput, promptText, StdinNotAllowedError } from '../../kernel/stdin';
import { createStdinLink, type StdinAnswer, type StdinAsker } from '../../kernel/stdin-link';
import { input, NoInputProviderError, prompt } from '../../src/stdin';

function message(msgType: string): Message {
  return {
    identities: [Buffer.from('client')],
    header: { msg_id: `${msgType}-1`, session: 's', username: 'u', date: '', msg_type: msgType, version: '5.3' },
    parent_header: {},
    metadata: {},
    content: {},
    buffers: [],
  };
}

/** A link whose answers are scripted: each ask is answered by `answer(content)`. */
function setup(answer: (content: Record<string, unknown>) => Omit<StdinAnswer, 'ticket'>) {
  const calls: string[] = [];
  const asked = new Map<number, Record<string, unknown>>();
  const reply = (ticket: number): StdinAnswer => ({ ticket, ...answer(asked.get(ticket)!) }) as StdinAnswer;
  const asker: StdinAsker = {
    ask(msgId, frames) {
      const content = JSON.parse(frames[0]!.toString()) as Record<string, unknown>;
      asked.set(asked.size + 1, content);
      calls.push(`ask ${msgId} ${JSON.stringify(content)}`);
      return asked.size;
    },
    waitSync: (ticket) => reply(ticket),
    wait: async (ticket, cancelled) => {
      await new Promise((resolve) => setImmediate(resolve));
      return cancelled() ? { ticket, kind: 'closed' } : reply(ticket);
    },
    cancel: (ticket) => void calls.push(`cancel ${ticket}`),
    close: () => {},
  };
  const stdin = createStdin({
    encode: (content, parent) => ({ msgId: `request-to-${parent.header.msg_id}`, frames: [Buffer.from(JSON.stringify(content))] }),
    asker,
  });
  return { stdin, calls };
}

describe('kernel input requests', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => uninstall?.());

  it('asks the front end of the running request and gives back its answer, to input() and to prompt()', async () => {
    const { stdin, calls } = setup((content) => ({ kind: 'reply', value: `answer to ${String(content.prompt)}` }));
    stdin.begin(message('execute_request'), true, 'Cell In[3]');
    await expect(stdin.input('Name: ', true)).resolves.toBe('answer to Name: ');
    expect(stdin.prompt('Age?', undefined)).toBe('answer to Age? ');
    expect(calls).toEqual([
      'ask request-to-execute_request-1 {"prompt":"Name: ","password":true}',
      'ask request-to-execute_request-1 {"prompt":"Age? ","password":false}',
    ]);
  });

  it('shows a default as Deno does and gives it for an empty answer; a reply without a value is null', () => {
    expect(promptText('Port?', '8888')).toBe('Port? [8888] ');
    expect(promptText('Name: ', undefined)).toBe('Name: ');
    const empty = setup(() => ({ kind: 'reply', value: '' }));
    empty.stdin.begin(message('execute_request'), true, 'Cell In[4]');
    expect(empty.stdin.prompt('Port?', '8888')).toBe('8888');
    expect(empty.stdin.prompt('Port?', undefined)).toBe('');
    const none = setup(() => ({ kind: 'reply', value: null }));
    none.stdin.begin(message('execute_request'), true, 'Cell In[5]');
    expect(none.stdin.prompt('Port?', '8888')).toBeNull();
  });

  it('refuses at once, naming the cell and the call, where stdin is not allowed, and outside a cell', async () => {
    const { stdin, calls } = setup(() => ({ kind: 'reply', value: 'x' }));
    stdin.begin(message('execute_request'), false, 'Cell In[4]');
    await expect(stdin.input('x', false)).rejects.toThrow(StdinNotAllowedError);
    await expect(stdin.input('x', false)).rejects.toThrow(/^Cell In\[4\]: input\(\) needs a front end/);
    expect(() => stdin.prompt('x', undefined)).toThrow(/^Cell In\[4\]: prompt\(\) needs a front end/);
    stdin.end();
    await expect(stdin.input('x', false)).rejects.toThrow(/^outside a cell: input\(\)/);
    expect(calls).toEqual([]);
  });

  it('ends a wait with the interrupt error on an interrupt, and with InputAbandonedError on a shutdown', async () => {
    const interrupted = setup(() => ({ kind: 'interrupted' }));
    interrupted.stdin.begin(message('execute_request'), true, 'Cell In[5]');
    const thrown = (() => {
      try {
        interrupted.stdin.prompt('a', undefined);
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(thrown && isInterrupt(thrown)).toBe(true);
    await expect(interrupted.stdin.input('b', false)).rejects.toSatisfy((error: Error) => isInterrupt(error));
    const closed = setup(() => ({ kind: 'closed' }));
    closed.stdin.begin(message('execute_request'), true, 'Cell In[6]');
    expect(() => closed.stdin.prompt('a', undefined)).toThrow(InputAbandonedError);
  });

  it('cancels the request when the cell ends while input() waits, and refuses a second question meanwhile', async () => {
    const { stdin, calls } = setup(() => ({ kind: 'reply', value: 'late' }));
    stdin.begin(message('execute_request'), true, 'Cell In[7]');
    const first = stdin.input('a', false);
    expect(() => stdin.prompt('b', undefined)).toThrow('Cell In[7]: prompt() is asked while input() waits for an answer');
    stdin.end();
    await expect(first).rejects.toThrow(InputAbandonedError);
    expect(calls.at(-1)).toBe('cancel 1');
  });

  it("is what the library's input() and prompt() reach inside the kernel, with prompt also global; outside it they say so", async () => {
    await expect(input('x')).rejects.toThrow(NoInputProviderError);
    expect(() => prompt('x')).toThrow('prompt(): asking the user needs the llm-price-lab kernel');
    const { stdin } = setup((content) => ({ kind: 'reply', value: String(content.prompt) }));
    uninstall = installInput(stdin);
    stdin.begin(message('execute_request'), true, 'Cell In[8]');
    await expect(input('Secret: ', { password: true })).resolves.toBe('Secret: ');
    expect(prompt('Lib?', 'd')).toBe('Lib? [d] ');
    const global = (globalThis as unknown as { prompt: (message?: string, value?: string) => string | null }).prompt;
    expect(global('Global?')).toBe('Global? ');
    uninstall();
    uninstall = undefined;
    expect('prompt' in globalThis).toBe(false);
  });
});

/** Plays the control thread: answers each ask (after an answer to an older ticket) with its first frame's text. */
const CONTROL_THREAD = `
const { workerData } = require('node:worker_threads');
const { port, signal } = workerData;
const counter = new Int32Array(signal);
const post = (answer) => { port.postMessage(answer); Atomics.add(counter, 0, 1); Atomics.notify(counter, 0); };
port.on('message', (command) => {
  if (command.type !== 'ask') return;
  post({ ticket: command.ticket - 1, kind: 'reply', value: 'stale' });
  setTimeout(() => post({ ticket: command.ticket, kind: 'reply', value: Buffer.from(command.frames[0]).toString() }), 100);
});
`;

describe('the link between the cell thread and the stdin socket', () => {
  it('blocks the cell thread until the other thread answers, and takes only the answer to its own request', async () => {
    const { asker, worker: end } = createStdinLink();
    const thread = new Worker(CONTROL_THREAD, { eval: true, workerData: end, transferList: [end.port] });
    try {
      const first = asker.ask('m1', [Buffer.from('one')]);
      expect(asker.waitSync(first)).toEqual({ ticket: first, kind: 'reply', value: 'one' });
      const second = asker.ask('m2', [Buffer.from('two')]);
      await expect(asker.wait(second, () => false)).resolves.toEqual({ ticket: second, kind: 'reply', value: 'two' });
      const third = asker.ask('m3', [Buffer.from('three')]);
      await expect(asker.wait(third, () => true)).resolves.toEqual({ ticket: third, kind: 'closed' });
    } finally {
      asker.close();
      await thread.terminate();
    }
  });
});
