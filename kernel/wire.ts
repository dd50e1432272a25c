import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Content, Header, Message } from './messages';

/** Separates the ZeroMQ routing prefix from the message proper. */
export const DELIMITER = '<IDS|MSG>';
const DELIMITER_BYTES = Buffer.from(DELIMITER);

/** Signs and verifies messages with the connection file's key (HMAC over header, parent, metadata, content). */
export interface Signer {
  sign(parts: readonly Buffer[]): string;
  verify(signature: string, parts: readonly Buffer[]): boolean;
}

/** `scheme` is `hmac-<digest>`; an empty key disables signing, as the protocol allows. */
export function createSigner(scheme: string, key: string): Signer {
  const digest = scheme.replace(/^hmac-/, '');
  const sign = (parts: readonly Buffer[]): string => {
    if (key === '') return '';
    const hmac = createHmac(digest, key);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  };
  return {
    sign,
    verify(signature, parts) {
      if (key === '') return true;
      const expected = Buffer.from(sign(parts));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** Signatures remembered to refuse replays; jupyter_client's Session keeps 2**16. */
export const DIGEST_HISTORY_SIZE = 65_536;

/**
 * The signatures of messages already accepted, as jupyter_client's `Session.digest_history`: a
 * signed message seen before is a replay and is refused. Bounded: past `size` the oldest are
 * forgotten.
 */
export interface ReplayGuard {
  /** Records `signature`; false if it was already recorded (a replay). */
  admit(signature: string): boolean;
}

export function createReplayGuard(size: number = DIGEST_HISTORY_SIZE): ReplayGuard {
  const seen = new Set<string>();
  return {
    admit(signature) {
      if (seen.has(signature)) return false;
      seen.add(signature);
      if (seen.size > size) seen.delete(seen.values().next().value as string);
      return true;
    },
  };
}

/** Why an incoming message was rejected. */
export type DecodeResult =
  | { kind: 'ok'; message: Message }
  | { kind: 'bad-signature'; identities: Buffer[]; reason: string }
  | { kind: 'replayed'; reason: string }
  | { kind: 'malformed'; reason: string };

/** Frames a message for the wire: identities, delimiter, signature, four JSON parts, buffers. */
export function encode(message: Message, signer: Signer): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part)),
  );
  return [...message.identities, DELIMITER_BYTES, Buffer.from(signer.sign(parts)), ...parts, ...message.buffers];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHeader(value: unknown): value is Header {
  return isObject(value) && typeof value.msg_id === 'string' && typeof value.msg_type === 'string';
}

/**
 * Checks the signature before anything is parsed; a message that fails is never handed on. With
 * `replays`, a correctly signed message whose signature was already seen is refused (unsigned
 * messages, with an empty key, cannot be told apart and are not checked, as in jupyter_client).
 */
export function decode(frames: readonly Buffer[], signer: Signer, replays?: ReplayGuard): DecodeResult {
  const at = frames.findIndex((frame) => frame.equals(DELIMITER_BYTES));
  if (at < 0) return { kind: 'malformed', reason: 'no <IDS|MSG> delimiter' };
  if (frames.length < at + 6) return { kind: 'malformed', reason: `only ${frames.length - at - 1} frames after the delimiter` };
  const identities = frames.slice(0, at);
  const signature = frames[at + 1]!.toString('ascii');
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, parts)) {
    return { kind: 'bad-signature', identities, reason: `signature ${JSON.stringify(signature.slice(0, 16))}… does not verify` };
  }
  if (replays && signature !== '' && !replays.admit(signature)) {
    return { kind: 'replayed', reason: `signature ${JSON.stringify(signature.slice(0, 16))}… was already used (a replayed message)` };
  }
  let parsed: unknown[];
  try {
    parsed = parts.map((part) => JSON.parse(part.toString('utf8')) as unknown);
  } catch (error) {
    return { kind: 'malformed', reason: `invalid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const [header, parent, metadata, content] = parsed;
  if (!isHeader(header)) return { kind: 'malformed', reason: 'header lacks msg_id or msg_type' };
  if (!isObject(parent) || !isObject(metadata) || !isObject(content)) {
    return { kind: 'malformed', reason: 'parent_header, metadata and content must be objects' };
  }
  return {
    kind: 'ok',
    message: {
      identities,
      header,
      parent_header: parent as Header | Record<string, never>,
      metadata,
      content: content as Content,
      buffers: frames.slice(at + 6),
    },
  };
}
