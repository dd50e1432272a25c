/**
 * The key of a cached result: everything a notebook's executed copy depends on that is known before
 * it runs. What is learnt only by running it (the data it read, the library modules it loaded) is
 * recorded in the entry and checked when the entry is looked up (`store.ts`). Timings are in neither.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { projectJupyterPath } from '../../paths';
import { LIBRARY_ENVIRONMENT } from '../../provenance';
import type { Cell, Notebook } from '../types';
import { sourceText } from '../types';
import { digestOf, pathDigest } from './digest';

/** Bumped when the entry layout or the key's meaning changes: older entries then never match. */
export const CACHE_FORMAT = 1;

/** What every notebook of one run shares. */
export interface RunKeyInputs {
  format: number;
  /** The compiled kernel and the kernelspecs the project installs. */
  kernel: string;
  /** The runner's own code (it decides what an executed copy holds). */
  runner: string;
  /** Node's and the TypeScript kernel's packages' versions. */
  versions: Record<string, string | null>;
  /** package-lock.json. */
  lockfile: string;
  /** The library's environment variables (`LIBRARY_ENVIRONMENT`), as the kernels inherit them. */
  environment: Record<string, string | null>;
  /** Whether notebooks running at once share the training threads. */
  threadBudget: boolean;
  /** `private`, or the URLs of the servers given. */
  server: string;
}

/** What is particular to one notebook. */
export interface NotebookKeyInputs {
  /** Its path from the project root (absolute when outside it): its kernel's working folder follows from it. */
  path: string;
  /** Its cells and metadata as executed (parameters injected), without outputs, counts or timing. */
  content: string;
  parameters: Record<string, unknown>;
  profile: string;
  /** The keys of the notebooks of this run it runs after (their results are its inputs). */
  after: Record<string, string>;
}

export interface KeyInputs {
  run: RunKeyInputs;
  notebook: NotebookKeyInputs;
}

export function cacheKey(inputs: KeyInputs): string {
  return digestOf(inputs);
}

/** Cell metadata that says how a cell was shown or when it ran, not what it computes. */
const PRESENTATION_METADATA = new Set(['execution', 'collapsed', 'scrolled', 'jupyter']);
/** Notebook metadata written by running it (saved widget state), not read by it. */
const RUN_METADATA = new Set(['widgets']);

function cellContent(cell: Cell): unknown {
  const metadata = Object.fromEntries(Object.entries(cell.metadata).filter(([name]) => !PRESENTATION_METADATA.has(name)));
  return {
    type: cell.cell_type,
    source: sourceText(cell.source),
    metadata,
    ...(cell.cell_type !== 'code' && cell.attachments ? { attachments: cell.attachments } : {}),
  };
}

/** The digest of what a notebook computes: cells and metadata, outputs and execution counts left out. */
export function notebookContent(notebook: Notebook): string {
  const metadata = Object.fromEntries(Object.entries(notebook.metadata).filter(([name]) => !RUN_METADATA.has(name)));
  return digestOf({ nbformat: [notebook.nbformat, notebook.nbformat_minor], metadata, cells: notebook.cells.map(cellContent) });
}

/** `path` from `root` with forward slashes, or `path` itself when it is outside `root`. */
export function projectRelative(root: string, path: string): string {
  const from = relative(root, path);
  return from.startsWith('..') || from === '' ? path : from.split(sep).join('/');
}

function packageVersion(root: string, name: string): string | null {
  const manifest = join(root, 'node_modules', ...name.split('/'), 'package.json');
  if (!existsSync(manifest)) return null;
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
  return typeof version === 'string' ? version : null;
}

/** Packages whose versions decide how a cell is compiled and run. */
const KERNEL_PACKAGES = ['tslab', '@tslab/typescript-for-tslab', 'typescript', '@jupyterlab/services'];

export interface RunKeyOptions {
  root: string;
  /** The folder of the runner's compiled or source modules. */
  runnerDir: string;
  threadBudget: boolean;
  server: string;
  env: NodeJS.ProcessEnv;
}

/** The inputs every notebook of a run shares, read from the project and the environment. */
export function runKeyInputs(options: RunKeyOptions): RunKeyInputs {
  const { root } = options;
  const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  return {
    format: CACHE_FORMAT,
    kernel: digestOf([pathDigest(join(root, 'dist', 'kernel')), pathDigest(join(projectJupyterPath(root), 'kernels'))]),
    runner: pathDigest(options.runnerDir),
    versions: {
      node: process.version,
      'llm-price-lab': project.version ?? null,
      ...Object.fromEntries(KERNEL_PACKAGES.map((name) => [name, packageVersion(root, name)])),
    },
    lockfile: pathDigest(join(root, 'package-lock.json')),
    environment: Object.fromEntries(LIBRARY_ENVIRONMENT.map((name) => [name, options.env[name] ?? null])),
    threadBudget: options.threadBudget,
    server: options.server,
  };
}
