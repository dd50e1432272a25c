import { readFileSync } from 'node:fs';
import { FileProblemError } from '../src/errors';

/** The connection file Jupyter writes for a kernel (jupyter_client `write_connection_file`). */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  kernel_name?: string;
}

export type Channel = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

/** A missing, unreadable or malformed connection file; `message` is one line naming the file. */
export class ConnectionFileError extends FileProblemError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(file, reason, { what: 'connection file' });
  }
}

const PORT_FIELDS = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;
const SIGNATURE_SCHEME = /^hmac-(sha256|sha384|sha512|sha1|md5)$/;

function fail(file: string, reason: string): never {
  throw new ConnectionFileError(file, reason);
}

/** Checks parsed JSON against the connection file format; throws `ConnectionFileError` otherwise. */
export function assertConnectionInfo(value: unknown, file: string): asserts value is ConnectionInfo {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, 'is not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.transport !== 'tcp' && record.transport !== 'ipc') {
    fail(file, `transport must be "tcp" or "ipc", got ${JSON.stringify(record.transport)}`);
  }
  if (typeof record.ip !== 'string' || record.ip === '') fail(file, 'ip must be a non-empty string');
  if (typeof record.key !== 'string') fail(file, 'key must be a string');
  if (typeof record.signature_scheme !== 'string' || !SIGNATURE_SCHEME.test(record.signature_scheme)) {
    fail(file, `signature_scheme must be hmac-<sha256|sha384|sha512|sha1|md5>, got ${JSON.stringify(record.signature_scheme)}`);
  }
  for (const field of PORT_FIELDS) {
    const port = record[field];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      fail(file, `${field} must be a port number, got ${JSON.stringify(port)}`);
    }
  }
}

/** Parses the text of a connection file. */
export function parseConnectionInfo(text: string, file: string): ConnectionInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(file, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  assertConnectionInfo(parsed, file);
  return parsed;
}

/** Reads and checks a connection file. */
export function readConnectionFile(file: string): ConnectionInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(file, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`);
  }
  return parseConnectionInfo(text, file);
}

/** The ZeroMQ endpoint of one channel, e.g. `tcp://127.0.0.1:5555` or `ipc://kernel-ipc-3`. */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
