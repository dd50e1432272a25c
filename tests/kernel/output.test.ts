import { afterEach, describe, expect, it } from 'vitest';
import type { Content, Message } from '../../kernel/messages';
import { DisplayError, createOutputRouter } from '../../kernel/output';
import { DISPLAY_SINK, clearOutput, display, newDisplay } from '../../src/display';

function request(id: string): Message {
  const header = { msg_id: id, session: 's', username: 'u', date: '', msg_type: 'execute_request', version: '5.3' };
  return { identities: [], header, parent_header: {}, metadata: {}, content: {}, buffers: [] };
}

describe('output routing', () => {
  const sent: Array<{ type: string; content: Content; parent: string }> = [];
  const router = createOutputRouter((type, content, parent) => sent.push({ type, content, parent: parent.header.msg_id }));
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
    sent.length = 0;
  });

  it('attributes streams and displays to the current request, through the installed sink', () => {
    restore = router.install();
    router.setParent(request('cell-1'));
    process.stdout.write('one\n');
    display({ 'text/plain': 'a', 'text/html': '<b>a</b>' });
    router.setParent(request('cell-2'));
    const handle = newDisplay({ 'text/plain': 'v1' });
    handle.update({ 'text/plain': 'v2' });
    clearOutput(true);
    restore();
    restore = undefined;
    expect((globalThis as Record<symbol, unknown>)[DISPLAY_SINK]).toBeUndefined();
    expect(sent).toEqual([
      { type: 'stream', content: { name: 'stdout', text: 'one\n' }, parent: 'cell-1' },
      { type: 'display_data', content: { data: { 'text/plain': 'a', 'text/html': '<b>a</b>' }, metadata: {}, transient: {} }, parent: 'cell-1' },
      { type: 'display_data', content: { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: handle.displayId } }, parent: 'cell-2' },
      { type: 'update_display_data', content: { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: handle.displayId } }, parent: 'cell-2' },
      { type: 'clear_output', content: { wait: true }, parent: 'cell-2' },
    ]);
  });

  it('refuses bundles the protocol does not allow, naming the problem', () => {
    router.setParent(request('cell-3'));
    expect(() => router.sink.display({ html: '<b>' })).toThrow(DisplayError);
    expect(() => router.sink.display({ 'text/html': 42 })).toThrow(/text\/html data must be a string/);
    expect(sent).toEqual([]);
  });
});
