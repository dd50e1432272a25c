import { describe, expect, it } from 'vitest';
import { readMessage, type RawMessage } from './protocol-types';

const header = (msgType: string) => ({ msg_id: 'm', session: 's', username: 'u', date: '2026-01-01T00:00:00Z', msg_type: msgType, version: '5.3' });
const message = (msgType: string, content: Record<string, unknown>): RawMessage => ({ header: header(msgType), parent_header: {}, content });
const info = (codemirror_mode: unknown) =>
  message('kernel_info_reply', {
    status: 'ok',
    protocol_version: '5.3',
    implementation: 'k',
    implementation_version: '1',
    language_info: { name: 'typescript', version: '5', mimetype: 'text/typescript', file_extension: '.ts', codemirror_mode },
    banner: '',
  });

describe('reading messages as a typed client does', () => {
  it('reads codemirror_mode as a string or { name, version } with an integer version, nothing else', () => {
    expect(readMessage(info('typescript'))).toEqual([]);
    expect(readMessage(info({ name: 'ipython', version: 3 }))).toEqual([]);
    // What the kernel sent before: a typed client cannot read this reply at all.
    expect(readMessage(info({ name: 'javascript', typescript: true }))).toEqual([expect.stringMatching(/^kernel_info_reply\.language_info/)]);
    expect(readMessage(info({ name: 'ipython', version: '3' }))).toHaveLength(1);
  });

  it('wants a status in interrupt_reply, an indent when incomplete, and a whole header', () => {
    expect(readMessage(message('interrupt_reply', {}))).toEqual(['interrupt_reply.status = undefined']);
    expect(readMessage(message('is_complete_reply', { status: 'incomplete' }))).toEqual(['is_complete_reply.indent']);
    const headless = { ...message('status', { execution_state: 'idle' }), header: { ...header('status'), date: undefined } };
    expect(readMessage(headless)).toEqual(['header.date']);
    expect(readMessage(message('frobnicate', {}))).toEqual(['no reading for message type frobnicate']);
  });
});
