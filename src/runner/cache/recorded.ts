/**
 * Asking a kernel, once its notebook has run, what it read, published and loaded: the library's
 * provenance record (`src/provenance.ts`) and the modules in its `require` cache. The snippet
 * prints one marked line; it runs without storing history, so the executed copy shows nothing.
 */
import { sep } from 'node:path';
import { PROVENANCE_SYMBOL, type ProvenanceRecord } from '../../provenance';
import { quietStdout } from '../quiet-request';
import type { KernelSession } from '../session';
import { requireClosure } from './digest';

/** What a kernel reports: its provenance record and the modules it loaded. */
export interface KernelRecord extends ProvenanceRecord {
  modules: string[];
}

const MARKER = 'llm-price-lab-provenance:';

/** How long a kernel may take to answer before the result is not stored. */
export const RECORD_REPLY_MS = 30_000;

/** The snippet, in the kernel's language; it does not import the library. */
export function recordedCode(): string {
  return [
    '{',
    `  const held = (globalThis as any)[Symbol.for(${JSON.stringify(PROVENANCE_SYMBOL)})];`,
    `  console.log(${JSON.stringify(MARKER)} + JSON.stringify({ reads: held?.reads ?? [], writes: held?.writes ?? [], scripts: held?.scripts ?? [], modules: Object.keys(require.cache) }));`,
    '}',
  ].join('\n');
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The record in the snippet's output, or undefined when there is none or it is malformed. */
export function parseRecorded(stdout: string): KernelRecord | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(MARKER.length));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { reads, writes, scripts, modules } = value as Record<string, unknown>;
  if (!isStrings(reads) || !isStrings(writes) || !isStrings(scripts) || !isStrings(modules)) return undefined;
  return { reads, writes, scripts, modules };
}

/**
 * The project's own modules a kernel ran: those it loaded from under `root` (outside
 * `node_modules`, whose versions the lockfile keys, and the kernel's, which the kernel digest keys),
 * and the scripts its workers ran, with what they require.
 */
export function projectModules(record: KernelRecord, root: string, kernelDir: string): string[] {
  const own = (path: string) => path.startsWith(root + sep) && !path.includes(`${sep}node_modules${sep}`) && !path.startsWith(kernelDir + sep);
  return [...new Set([...record.modules.filter(own), ...requireClosure(record.scripts.filter(own))])].sort();
}

/** Asks the kernel; undefined when it does not answer in time or answers something else. Never throws. */
export async function askRecorded(session: KernelSession): Promise<KernelRecord | undefined> {
  const stdout = await quietStdout(session, recordedCode(), RECORD_REPLY_MS);
  return stdout === undefined ? undefined : parseRecorded(stdout);
}
