import { describe, expect, it } from 'vitest';
import { createSender, replyTo, replyType, type Message } from '../../kernel/messages';
import { DELIMITER, createReplayGuard, createSigner, decode, encode } from '../../kernel/wire';

const parts = ['{"msg_id":"1","msg_type":"execute_request"}', '{}', '{}', '{"code":"1+1"}'].map((p) => Buffer.from(p));

function frames(signature: string, identities: string[] = ['client-1']): Buffer[] {
  return [...identities.map((i) => Buffer.from(i)), Buffer.from(DELIMITER), Buffer.from(signature), ...parts];
}

describe('message signing', () => {
  const signer = createSigner('hmac-sha256', 'secret');

  it('signs as jupyter_client.session.Session does', () => {
    // Session(key=b'secret', signature_scheme='hmac-sha256').sign(parts)
    expect(signer.sign(parts)).toBe('3fd52fe2512ab9af20fb8ed100b7943e16f88513e6d33809e1aea84e18610f44');
  });

  it('accepts a correctly signed message and keeps its routing identities', () => {
    const result = decode(frames(signer.sign(parts)), signer);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.message.identities.map(String)).toEqual(['client-1']);
    expect(result.message.header.msg_type).toBe('execute_request');
    expect(result.message.content).toEqual({ code: '1+1' });
  });

  it('rejects a wrong signature, a signature made with another key, and a tampered body', () => {
    expect(decode(frames('0'.repeat(64)), signer).kind).toBe('bad-signature');
    expect(decode(frames(createSigner('hmac-sha256', 'other').sign(parts)), signer).kind).toBe('bad-signature');
    const tampered = frames(signer.sign(parts));
    tampered[tampered.length - 1] = Buffer.from('{"code":"process.exit()"}');
    expect(decode(tampered, signer).kind).toBe('bad-signature');
  });

  it('reports malformed framing', () => {
    expect(decode([Buffer.from('x')], signer)).toMatchObject({ kind: 'malformed' });
    expect(decode([Buffer.from(DELIMITER), Buffer.from('')], signer)).toMatchObject({ kind: 'malformed' });
  });

  it('refuses a replayed signed message, from the same or another client identity', () => {
    const replays = createReplayGuard();
    const signature = signer.sign(parts);
    expect(decode(frames(signature), signer, replays).kind).toBe('ok');
    expect(decode(frames(signature), signer, replays)).toMatchObject({ kind: 'replayed', reason: /already used/ });
    expect(decode(frames(signature, ['client-2']), signer, replays).kind).toBe('replayed');
    // A forged signature is refused as such, and does not enter the history.
    expect(decode(frames('0'.repeat(64)), signer, replays).kind).toBe('bad-signature');
  });

  it('keeps a bounded digest history, forgetting the oldest first', () => {
    const replays = createReplayGuard(2);
    expect(['a', 'b', 'a', 'c', 'b'].map((s) => replays.admit(s))).toEqual([true, true, false, true, false]);
    // 'a' was the oldest when 'c' came: forgotten, so admitted again.
    expect(replays.admit('a')).toBe(true);
  });

  it('does not sign with an empty key (authentication off, as the protocol allows)', () => {
    const open = createSigner('hmac-sha256', '');
    expect(open.sign(parts)).toBe('');
    expect(decode(frames(''), open).kind).toBe('ok');
  });

  it('round-trips a reply through encode and decode', () => {
    const sender = createSender();
    const request = decode(frames(signer.sign(parts)), signer);
    if (request.kind !== 'ok') throw new Error('request did not decode');
    const reply: Message = replyTo(sender, request.message, replyType('execute_request'), { status: 'ok' });
    const back = decode(encode(reply, signer), signer);
    expect(back.kind).toBe('ok');
    if (back.kind !== 'ok') return;
    expect(back.message.header).toMatchObject({ msg_type: 'execute_reply', version: '5.3', session: sender.session });
    expect(back.message.parent_header).toEqual(request.message.header);
    expect(back.message.identities.map(String)).toEqual(['client-1']);
  });
});
