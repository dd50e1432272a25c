/**
 * What a kernel read and wrote through the library, for the runner's execution cache: the data
 * files and folders the library's readers opened, the folders its writers published for other
 * notebooks, and the scripts it started outside this thread (training and deployment workers).
 *
 * The record lives on `globalThis` under a registered symbol, so that every copy of this module
 * loaded into one kernel adds to the same record, and the runner can read it with a snippet that
 * does not import the library (`recordedCode` in `runner/cache/recorded.ts`).
 */
import { resolve } from 'node:path';

/** The symbol the record is kept under (`Symbol.for`, shared by every module copy). */
export const PROVENANCE_SYMBOL = 'llm-price-lab.provenance';

export interface ProvenanceRecord {
  /** Files and folders read, absolute, in first-read order. */
  reads: string[];
  /** Folders and files published for readers after this kernel (e.g. a saved model), absolute. */
  writes: string[];
  /** Scripts run in worker threads or child processes, absolute. */
  scripts: string[];
}

function record(): ProvenanceRecord {
  const holder = globalThis as unknown as Record<symbol, ProvenanceRecord | undefined>;
  const key = Symbol.for(PROVENANCE_SYMBOL);
  holder[key] ??= { reads: [], writes: [], scripts: [] };
  return holder[key];
}

function add(list: string[], path: string): void {
  const full = resolve(path);
  if (!list.includes(full)) list.push(full);
}

/** Notes that the library read `path` (a file, or a folder read as a whole). */
export function recordRead(path: string): void {
  add(record().reads, path);
}

/** Notes that the library published `path` for later readers. */
export function recordWrite(path: string): void {
  add(record().writes, path);
}

/** Notes that the library ran the script `path` in another thread or process. */
export function recordScript(path: string): void {
  add(record().scripts, path);
}

/** A copy of what this process has recorded so far. */
export function recorded(): ProvenanceRecord {
  const { reads, writes, scripts } = record();
  return { reads: [...reads], writes: [...writes], scripts: [...scripts] };
}

/**
 * The environment variables the library reads while a notebook runs (backend choice, training
 * threads, the chart browser, the Vulkan driver a WebGPU adapter comes from): their values are part
 * of each cached result's key. A test fails when the library reads one that is not listed here.
 */
export const LIBRARY_ENVIRONMENT = [
  'TFJS_BACKEND',
  'LLM_PRICE_LAB_TRAINING_THREADS',
  'PLOTLY_BROWSER',
  'VK_ICD_FILENAMES',
  'VK_DRIVER_FILES',
] as const;
