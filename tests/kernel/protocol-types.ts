/**
 * Messages read as a typed Jupyter client reads them (the messaging specification 5.3 and the
 * typed protocol libraries behind runtimed/nteract): each field of each type checked, so a value
 * such a client cannot decode fails here. `readMessage` returns the problems found ([] when none).
 */
export interface RawMessage {
  header: Record<string, unknown>;
  parent_header: Record<string, unknown>;
  content: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

type Check = (value: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const int: Check = (v) => Number.isInteger(v);
const bool: Check = (v) => typeof v === 'boolean';
const obj: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = (item: Check): Check => (v) => Array.isArray(v) && v.every(item);
const oneOf = (...values: unknown[]): Check => (v) => values.includes(v);
const optional = (check: Check): Check => (v) => v === undefined || check(v);
const either = (...checks: Check[]): Check => (v) => checks.some((c) => c(v));
const shape = (fields: Record<string, Check>): Check => (v) => obj(v) && Object.entries(fields).every(([k, c]) => c((v as Record<string, unknown>)[k]));

/** `codemirror_mode`: a mode name, or `{ name, version }` with an integer version. */
const codemirrorMode = either(str, shape({ name: str, version: int }));

const mimeBundle = (v: unknown) => obj(v) && Object.entries(v as Record<string, unknown>).every(([mime, data]) => /^[\w\-+.]+\/[\w\-+.]+$/.test(mime) && (!mime.startsWith('text/') || typeof data === 'string'));

const CONTENT: Record<string, Record<string, Check>> = {
  kernel_info_reply: {
    status: oneOf('ok'),
    protocol_version: (v) => str(v) && /^\d+\.\d+(\.\d+)?$/.test(v as string),
    implementation: str,
    implementation_version: str,
    language_info: shape({ name: str, version: str, mimetype: str, file_extension: str, pygments_lexer: optional(str), codemirror_mode: optional(codemirrorMode), nbconvert_exporter: optional(str) }),
    banner: str,
    help_links: optional(arrayOf(shape({ text: str, url: str }))),
  },
  status: { execution_state: oneOf('busy', 'idle', 'starting') },
  stream: { name: oneOf('stdout', 'stderr'), text: str },
  execute_input: { code: str, execution_count: int },
  execute_reply: { status: oneOf('ok', 'error', 'aborted'), execution_count: optional(int) },
  execute_result: { execution_count: int, data: mimeBundle, metadata: obj },
  display_data: { data: mimeBundle, metadata: obj, transient: optional(obj) },
  update_display_data: { data: mimeBundle, metadata: obj, transient: shape({ display_id: str }) },
  error: { ename: str, evalue: str, traceback: arrayOf(str) },
  complete_reply: { status: oneOf('ok'), matches: arrayOf(str), cursor_start: int, cursor_end: int, metadata: obj },
  inspect_reply: { status: oneOf('ok'), found: bool, data: obj, metadata: obj },
  is_complete_reply: { status: oneOf('complete', 'incomplete', 'invalid', 'unknown'), indent: optional(str) },
  history_reply: { status: oneOf('ok'), history: arrayOf((e) => Array.isArray(e) && e.length === 3 && int(e[0]) && int(e[1]) && (str(e[2]) || arrayOf(either(str, (x) => x === null))(e[2]))) },
  comm_info_reply: { status: oneOf('ok'), comms: (v) => obj(v) && Object.values(v as object).every(shape({ target_name: str })) },
  comm_open: { comm_id: str, target_name: str, data: obj },
  comm_msg: { comm_id: str, data: obj },
  comm_close: { comm_id: str, data: obj },
  interrupt_reply: { status: oneOf('ok', 'error') },
  shutdown_reply: { status: oneOf('ok'), restart: bool },
  iopub_welcome: { subscription: str },
  input_request: { prompt: str, password: bool },
  input_reply: { value: str },
};

const HEADER: Record<string, Check> = { msg_id: str, session: str, username: str, date: str, msg_type: str, version: str };

/** What a typed client could not read in `message` ([] when it reads it all). */
export function readMessage(message: RawMessage): string[] {
  const problems: string[] = [];
  for (const [field, check] of Object.entries(HEADER)) if (!check(message.header[field])) problems.push(`header.${field}`);
  const type = String(message.header.msg_type);
  const fields = CONTENT[type];
  if (fields === undefined) return [...problems, `no reading for message type ${type}`];
  for (const [field, check] of Object.entries(fields)) {
    if (!check(message.content[field])) problems.push(`${type}.${field} = ${JSON.stringify(message.content[field])}`);
  }
  if (type === 'execute_reply' && message.content.status === 'error') {
    for (const field of ['ename', 'evalue']) if (!str(message.content[field])) problems.push(`execute_reply.${field}`);
    if (!arrayOf(str)(message.content.traceback)) problems.push('execute_reply.traceback');
  }
  if (type === 'is_complete_reply' && message.content.status === 'incomplete' && !str(message.content.indent)) problems.push('is_complete_reply.indent');
  return problems;
}
