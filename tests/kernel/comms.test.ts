/**
 * The kernel's comm registry against a recorded IOPub (no sockets): both directions, an unknown
 * target, comm_info filtered by target, handlers that throw, and the notebook's API outside a kernel.
 */
import { describe, expect, it } from 'vitest';
import { createComms } from '../../kernel/comms';
import type { Message } from '../../kernel/messages';
import { NoCommManagerError, openComm, registerCommTarget, type Comm, type CommMessage } from '../../src/comm';

function message(msgType: string, content: Record<string, unknown>, metadata: Record<string, unknown> = {}): Message {
  return {
    identities: [],
    header: { msg_id: `${msgType}-${Math.random()}`, session: 's', username: 'u', date: '', msg_type: msgType, version: '5.3' },
    parent_header: {},
    metadata,
    content,
    buffers: [],
  };
}

function setup() {
  const sent: Array<{ msgType: string; content: Record<string, unknown>; parent: string | undefined; metadata?: unknown; buffers?: number[][] }> = [];
  const logged: string[] = [];
  let parent: Message | undefined;
  const comms = createComms({
    publish: (msgType, content, p, extras) =>
      sent.push({
        msgType,
        content,
        parent: p?.header.msg_type,
        ...(extras?.metadata && Object.keys(extras.metadata).length ? { metadata: extras.metadata } : {}),
        ...(extras?.buffers?.length ? { buffers: extras.buffers.map((b) => [...b]) } : {}),
      }),
    parent: () => parent,
    setParent: (m) => (parent = m),
    log: (line) => logged.push(line),
  });
  const handle = async (m: Message) => (await comms.handlers.get(m.header.msg_type)!(m)).content;
  return { comms, sent, logged, handle, setParent: (m: Message) => (parent = m) };
}

describe('kernel comms', () => {
  it('answers a comm_open to an unknown target with comm_close and no reply', async () => {
    const { sent, logged, handle } = setup();
    expect(await handle(message('comm_open', { comm_id: 'c1', target_name: 'nobody', data: {} }))).toBeUndefined();
    expect(sent).toEqual([{ msgType: 'comm_close', content: { comm_id: 'c1', data: {} }, parent: 'comm_open' }]);
    expect(logged).toEqual(['comm_open: no comm target "nobody" is registered']);
  });

  it('opens comms to a registered target, delivers messages in order, replies under the message, closes both ways', async () => {
    const { comms, sent, handle } = setup();
    const seen: string[] = [];
    let opened: Comm | undefined;
    comms.manager.registerTarget('echo', (comm, open) => {
      opened = comm;
      seen.push(`open ${JSON.stringify(open.data)}`);
      comm.onMessage(async (m: CommMessage) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(`msg ${JSON.stringify(m.data)} ${JSON.stringify(m.metadata)}`);
        comm.send({ echo: m.data.value });
      });
      comm.onClose((m) => void seen.push(`close ${JSON.stringify(m.data)}`));
    });
    await handle(message('comm_open', { comm_id: 'c2', target_name: 'echo', data: { hello: 1 } }));
    await handle(message('comm_msg', { comm_id: 'c2', data: { value: 'a' } }, { version: '2.1.0' }));
    await handle(message('comm_msg', { comm_id: 'c2', data: { value: 'b' } }));
    expect(sent).toEqual([
      { msgType: 'comm_msg', content: { comm_id: 'c2', data: { echo: 'a' } }, parent: 'comm_msg' },
      { msgType: 'comm_msg', content: { comm_id: 'c2', data: { echo: 'b' } }, parent: 'comm_msg' },
    ]);
    expect(await handle(message('comm_info_request', {}))).toEqual({ status: 'ok', comms: { c2: { target_name: 'echo' } } });
    expect(await handle(message('comm_info_request', { target_name: 'other' }))).toEqual({ status: 'ok', comms: {} });
    await handle(message('comm_close', { comm_id: 'c2', data: { bye: true } }));
    expect(opened!.closed).toBe(true);
    expect(() => opened!.send({})).toThrow('comm c2 (target "echo") is closed');
    expect(seen).toEqual(['open {"hello":1}', 'msg {"value":"a"} {"version":"2.1.0"}', 'msg {"value":"b"} {}', 'close {"bye":true}']);
    expect(await handle(message('comm_info_request', {}))).toEqual({ status: 'ok', comms: {} });
  });

  it('opens a comm from the kernel under the current request, and closes it once', async () => {
    const { comms, sent, setParent, handle } = setup();
    const request = message('execute_request', {});
    setParent(request);
    expect(comms.manager.parentMessageId()).toBe(request.header.msg_id);
    const comm = comms.manager.open('jupyter.widget', { state: { value: 3 } }, { version: '2.1.0' }, [new Uint8Array([1, 2])]);
    // The protocol version is the message's metadata, where front ends read it; buffers go as frames.
    expect(sent[0]).toEqual({
      msgType: 'comm_open',
      content: { comm_id: comm.commId, target_name: 'jupyter.widget', data: { state: { value: 3 } } },
      parent: 'execute_request',
      metadata: { version: '2.1.0' },
      buffers: [[1, 2]],
    });
    comm.send({ method: 'update', state: {}, buffer_paths: [['x']] }, {}, [new Uint8Array([7])]);
    expect(sent[1]).toEqual({ msgType: 'comm_msg', content: { comm_id: comm.commId, data: { method: 'update', state: {}, buffer_paths: [['x']] } }, parent: 'execute_request', buffers: [[7]] });
    expect(comm.commId).toMatch(/^[0-9a-f]{32}$/);
    expect(await handle(message('comm_info_request', { target_name: 'jupyter.widget' }))).toEqual({ status: 'ok', comms: { [comm.commId]: { target_name: 'jupyter.widget' } } });
    comm.close({ reason: 'done' });
    comm.close();
    expect(sent.filter((s) => s.msgType === 'comm_close')).toEqual([{ msgType: 'comm_close', content: { comm_id: comm.commId, data: { reason: 'done' } }, parent: 'execute_request' }]);
  });

  it('reports a target or handler that throws on stderr under the message, and closes a comm whose target threw', async () => {
    const { comms, sent, logged, handle } = setup();
    comms.manager.registerTarget('broken', () => {
      throw new Error('no state');
    });
    await handle(message('comm_open', { comm_id: 'c3', target_name: 'broken', data: {} }));
    expect(sent).toEqual([
      { msgType: 'stream', content: { name: 'stderr', text: 'comm target "broken" failed: Error: no state\n' }, parent: 'comm_open' },
      { msgType: 'comm_close', content: { comm_id: 'c3', data: {} }, parent: 'comm_open' },
    ]);
    expect(logged[0]).toMatch(/^comm target "broken" failed: Error: no state/);
    expect(() => comms.manager.registerTarget('', () => undefined)).toThrow('the target name must be a non-empty string');
  });

  it('puts its manager where notebook code finds it while installed; outside a kernel the API says so', () => {
    const { comms } = setup();
    expect(() => registerCommTarget('x', () => undefined)).toThrow(NoCommManagerError);
    expect(() => openComm('x')).toThrow('openComm("x"): comms need the llm-price-lab kernel (run this in a notebook cell)');
    const uninstall = comms.install();
    try {
      registerCommTarget('x', () => undefined);
      expect(comms.manager.unregisterTarget('x')).toBe(true);
    } finally {
      uninstall();
    }
    expect(() => registerCommTarget('x', () => undefined)).toThrow(NoCommManagerError);
  });
});
