/**
 * The execution cache on disk: one folder per notebook name, one entry per key —
 * `<dir>/<name>/<key>/` with `entry.json`, the executed copy, its HTML page and the files the
 * notebook published for others (`writes/0`, …). An entry is built in a temporary folder and
 * renamed into place, so it is whole or absent; one that is damaged anyway (truncated, edited, from
 * another format) is removed when found and its notebook runs again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { publishCopy, renameFolderIn } from '../../atomic';
import { canonicalJson, pathDigest } from './digest';
import { CACHE_FORMAT, projectRelative, type KeyInputs } from './key';

/** A file or folder and its digest; `path` is from the project root when inside it. */
export interface Digested {
  path: string;
  digest: string;
}

/** What an entry says of the run that produced it, as stored and as handed to `store`. */
interface RunOfEntry {
  name: string;
  key: string;
  inputs: KeyInputs;
  /** When the run that produced it started (ISO 8601). */
  producedAt: string;
  /** How long the notebook took then. */
  seconds: number;
  cellsRun: number;
  codeCells: number;
}

export interface CacheEntry extends RunOfEntry {
  format: number;
  /** Digests of the stored executed copy and HTML page (null: none stored). */
  notebook: string;
  html: string | null;
  /** What it read through the library, and the project's modules it ran, as they were. */
  reads: Digested[];
  modules: Digested[];
  /** What it published for others, stored as `writes/<index>`. */
  writes: Digested[];
}

/** The reason given when nothing is stored for a notebook. */
export const NOTHING_CACHED = 'no cached result';

export type Lookup = { kind: 'hit'; entry: CacheEntry; folder: string } | { kind: 'miss'; reason: string };

/** What a finished notebook leaves to store. */
export interface Produced extends RunOfEntry {
  notebookFile: string;
  htmlFile?: string;
  reads: string[];
  modules: string[];
  writes: string[];
}

/** Entries kept per notebook (the newest); older ones are removed when a new one is stored. */
export const ENTRIES_PER_NOTEBOOK = 3;

const ENTRY_JSON = 'entry.json';
const NOTEBOOK_FILE = 'notebook.ipynb';
const HTML_FILE = 'page.html';
const WRITES_DIR = 'writes';

function isDigested(value: unknown): value is Digested {
  return typeof value === 'object' && value !== null && typeof (value as Digested).path === 'string' && typeof (value as Digested).digest === 'string';
}

function isEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const lists = [e.reads, e.modules, e.writes];
  return (
    e.format === CACHE_FORMAT &&
    typeof e.name === 'string' &&
    typeof e.key === 'string' &&
    typeof e.inputs === 'object' &&
    e.inputs !== null &&
    typeof e.producedAt === 'string' &&
    typeof e.seconds === 'number' &&
    typeof e.cellsRun === 'number' &&
    typeof e.codeCells === 'number' &&
    typeof e.notebook === 'string' &&
    (e.html === null || typeof e.html === 'string') &&
    lists.every((list) => Array.isArray(list) && list.every(isDigested))
  );
}

/** Names of the top-level inputs that differ, in words, for saying why a notebook runs again. */
export function changedInputs(before: KeyInputs, now: KeyInputs): string[] {
  const said: string[] = [];
  const differs = (a: unknown, b: unknown) => canonicalJson(a) !== canonicalJson(b);
  const n = now.notebook;
  const b = before.notebook;
  if (differs(b.content, n.content)) said.push('its cells or metadata changed');
  if (differs(b.parameters, n.parameters)) said.push('its parameters changed');
  if (differs(b.profile, n.profile)) said.push('its profile changed');
  if (differs(b.path, n.path)) said.push('it moved');
  for (const name of new Set([...Object.keys(b.after), ...Object.keys(n.after)])) {
    if (b.after[name] !== n.after[name]) said.push(`${name}, which it runs after, ran with other inputs`);
  }
  const r = now.run;
  const rb = before.run;
  if (differs(rb.format, r.format)) said.push('the cache format changed');
  if (differs(rb.kernel, r.kernel)) said.push('the kernel changed');
  if (differs(rb.runner, r.runner)) said.push('the runner changed');
  for (const name of new Set([...Object.keys(rb.versions), ...Object.keys(r.versions)])) {
    if (rb.versions[name] !== r.versions[name]) said.push(`${name} is now ${r.versions[name] ?? 'absent'} (was ${rb.versions[name] ?? 'absent'})`);
  }
  if (differs(rb.lockfile, r.lockfile)) said.push('package-lock.json changed');
  for (const name of new Set([...Object.keys(rb.environment), ...Object.keys(r.environment)])) {
    if (rb.environment[name] !== r.environment[name]) said.push(`${name} changed`);
  }
  if (differs(rb.threadBudget, r.threadBudget)) said.push('the thread budget was switched');
  if (differs(rb.server, r.server)) said.push('it runs on another server');
  return said;
}

export interface ExecutionCache {
  readonly dir: string;
  /** The entry for `key` when it is whole and everything it recorded is as it was. */
  lookup(name: string, key: string, inputs: KeyInputs): Lookup;
  /** Copies a hit's executed copy (and page, when asked) to where a run writes them, and its published files back. */
  restore(hit: Extract<Lookup, { kind: 'hit' }>, targets: { notebook: string; html?: string }): Promise<{ html: boolean }>;
  /** Stores a passed notebook's result; any earlier entry for the key is replaced. */
  store(produced: Produced): Promise<void>;
}

/** The cache in `dir`, for a project at `root` (paths inside it are stored relative to it). */
export function openCache(dir: string, root: string): ExecutionCache {
  const relativeTo = (path: string) => projectRelative(root, path);
  const absolute = (path: string) => (isAbsolute(path) ? path : join(root, path));
  const now = (path: string) => pathDigest(absolute(path));

  const entriesOf = (name: string): Array<{ folder: string; entry?: CacheEntry }> => {
    const folder = join(dir, name);
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((key) => !key.startsWith('.'))
      .map((key) => {
        const entryFolder = join(folder, key);
        try {
          const entry: unknown = JSON.parse(readFileSync(join(entryFolder, ENTRY_JSON), 'utf8'));
          return { folder: entryFolder, entry: isEntry(entry) ? entry : undefined };
        } catch {
          return { folder: entryFolder };
        }
      });
  };

  const damaged = (folder: string, why: string): Lookup => {
    rmSync(folder, { recursive: true, force: true });
    return { kind: 'miss', reason: `its cached result was damaged (${why}) and was removed` };
  };

  const lookup = (name: string, key: string, inputs: KeyInputs): Lookup => {
    const folder = join(dir, name, key);
    if (!existsSync(folder)) {
      const newest = entriesOf(name)
        .filter((e): e is { folder: string; entry: CacheEntry } => e.entry !== undefined)
        .sort((a, b) => b.entry.producedAt.localeCompare(a.entry.producedAt))[0];
      if (!newest) return { kind: 'miss', reason: NOTHING_CACHED };
      const said = changedInputs(newest.entry.inputs, inputs);
      return { kind: 'miss', reason: said.length ? said.join('; ') : 'no cached result for these inputs' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(folder, ENTRY_JSON), 'utf8'));
    } catch (error) {
      return damaged(folder, `${ENTRY_JSON}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!isEntry(parsed)) return damaged(folder, `${ENTRY_JSON} is not a format-${CACHE_FORMAT} entry`);
    const entry = parsed;
    if (entry.key !== key || entry.name !== name || canonicalJson(entry.inputs) !== canonicalJson(inputs)) {
      return damaged(folder, 'its recorded inputs do not match its key');
    }
    if (pathDigest(join(folder, NOTEBOOK_FILE)) !== entry.notebook) return damaged(folder, `${NOTEBOOK_FILE} is not the one stored`);
    if (entry.html !== null && pathDigest(join(folder, HTML_FILE)) !== entry.html) return damaged(folder, `${HTML_FILE} is not the one stored`);
    for (const [index, write] of entry.writes.entries()) {
      if (pathDigest(join(folder, WRITES_DIR, String(index))) !== write.digest) return damaged(folder, `the stored copy of ${write.path} is not the one stored`);
    }
    const published = new Set(entry.writes.map((w) => w.path));
    for (const read of entry.reads) {
      if (published.has(read.path)) continue;
      if (now(read.path) !== read.digest) return { kind: 'miss', reason: `${read.path}, which it read, changed` };
    }
    for (const module of entry.modules) {
      if (now(module.path) !== module.digest) return { kind: 'miss', reason: `${module.path}, which it ran, changed` };
    }
    return { kind: 'hit', entry, folder };
  };

  const restore: ExecutionCache['restore'] = async (hit, targets) => {
    const { entry, folder } = hit;
    const copy = async (from: string, to: string, digest: string) => {
      if (pathDigest(to) !== digest) await publishCopy(from, to);
    };
    await copy(join(folder, NOTEBOOK_FILE), targets.notebook, entry.notebook);
    const html = targets.html !== undefined && entry.html !== null;
    if (html) await copy(join(folder, HTML_FILE), targets.html!, entry.html!);
    for (const [index, write] of entry.writes.entries()) await copy(join(folder, WRITES_DIR, String(index)), absolute(write.path), write.digest);
    return { html };
  };

  const prune = (name: string) => {
    const entries = entriesOf(name).sort((a, b) => (b.entry?.producedAt ?? '').localeCompare(a.entry?.producedAt ?? ''));
    for (const old of entries.slice(ENTRIES_PER_NOTEBOOK)) rmSync(old.folder, { recursive: true, force: true });
  };

  const store: ExecutionCache['store'] = async (produced) => {
    const folder = join(dir, produced.name);
    mkdirSync(folder, { recursive: true });
    const temp = join(folder, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(join(temp, WRITES_DIR), { recursive: true });
      await copyFile(produced.notebookFile, join(temp, NOTEBOOK_FILE));
      if (produced.htmlFile) await copyFile(produced.htmlFile, join(temp, HTML_FILE));
      const writes: Digested[] = [];
      for (const path of produced.writes.filter((p) => existsSync(p))) {
        const stored = join(temp, WRITES_DIR, String(writes.length));
        await publishCopy(path, stored);
        writes.push({ path: relativeTo(path), digest: pathDigest(stored) });
      }
      const { name, key, inputs, producedAt, seconds, cellsRun, codeCells } = produced;
      const entry: CacheEntry = {
        format: CACHE_FORMAT,
        name,
        key,
        inputs,
        producedAt,
        seconds,
        cellsRun,
        codeCells,
        notebook: pathDigest(join(temp, NOTEBOOK_FILE)),
        html: produced.htmlFile ? pathDigest(join(temp, HTML_FILE)) : null,
        reads: produced.reads.map((path) => ({ path: relativeTo(path), digest: pathDigest(path) })),
        modules: produced.modules.map((path) => ({ path: relativeTo(path), digest: pathDigest(path) })),
        writes,
      };
      await writeFile(join(temp, ENTRY_JSON), `${JSON.stringify(entry, null, 1)}\n`);
      await renameFolderIn(temp, join(folder, produced.key));
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    prune(produced.name);
  };

  return { dir, lookup, restore, store };
}
