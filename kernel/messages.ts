import { randomUUID } from 'node:crypto';

/** Messaging protocol version this kernel speaks. */
export const PROTOCOL_VERSION = '5.3';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export type Content = Record<string, unknown>;

/** A Jupyter message, as on the wire minus framing and signature. */
export interface Message<C extends Content = Content> {
  /** ZeroMQ routing prefix (ROUTER identities, or the iopub topic). */
  identities: Buffer[];
  header: Header;
  /** Empty object when there is no parent. */
  parent_header: Header | Record<string, never>;
  metadata: Content;
  content: C;
  buffers: Buffer[];
}

/** Who is sending: the kernel's session id and user name, shared by all its messages. */
export interface Sender {
  session: string;
  username: string;
}

export function createSender(): Sender {
  return { session: randomUUID(), username: 'kernel' };
}

export function makeHeader(sender: Sender, msgType: string): Header {
  return {
    msg_id: randomUUID(),
    session: sender.session,
    username: sender.username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** A reply (or an iopub message) to `parent`, routed back to the same identities. */
export function replyTo<C extends Content>(
  sender: Sender,
  parent: Pick<Message, 'identities' | 'header'>,
  msgType: string,
  content: C,
  identities: Buffer[] = parent.identities,
): Message<C> {
  return { identities, header: makeHeader(sender, msgType), parent_header: parent.header, metadata: {}, content, buffers: [] };
}

/** The msg_type of the reply to a request (`execute_request` → `execute_reply`). */
export function replyType(requestType: string): string {
  return requestType.endsWith('_request') ? `${requestType.slice(0, -'_request'.length)}_reply` : `${requestType}_reply`;
}

/** Error content, as in iopub `error` and in an error reply. */
export interface ErrorContent extends Content {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface ExecuteRequest {
  code: string;
  silent: boolean;
  store_history: boolean;
  user_expressions: Record<string, string>;
  allow_stdin: boolean;
  stop_on_error: boolean;
}

/** Reads an execute_request's content with the protocol's defaults. */
export function executeRequest(content: Content): ExecuteRequest {
  const silent = content.silent === true;
  return {
    code: typeof content.code === 'string' ? content.code : '',
    silent,
    store_history: silent ? false : content.store_history !== false,
    user_expressions: isStringRecord(content.user_expressions) ? content.user_expressions : {},
    allow_stdin: content.allow_stdin === true,
    stop_on_error: content.stop_on_error !== false,
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string')
  );
}
