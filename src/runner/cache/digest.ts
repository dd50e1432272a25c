/**
 * Content digests for the execution cache: of text, of canonical JSON (key order does not matter),
 * of a file or a whole folder as it is on disk, and the static `require` closure of compiled scripts.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

export function digestOf(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** The digest a path that does not exist has. */
export const MISSING = 'missing';

/**
 * The digest of what is at `path`: a file's bytes, a folder's names, kinds and contents (recursively,
 * in name order), a symbolic link's target; `MISSING` when nothing is there. Dates and permissions
 * do not count.
 */
export function pathDigest(path: string): string {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return MISSING;
  }
  if (stats.isSymbolicLink()) return sha256(`link:${readlinkSync(path)}`);
  if (stats.isFile()) return sha256(readFileSync(path));
  if (stats.isDirectory()) {
    const hash = createHash('sha256').update('folder');
    for (const name of readdirSync(path).sort()) hash.update(`\0${name}\0${pathDigest(join(path, name))}`);
    return hash.digest('hex');
  }
  return sha256(`special:${stats.mode}`);
}

/** Relative `require("./x")` / `require("../x")` calls of compiled CommonJS. */
const RELATIVE_REQUIRE = /\brequire\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.js`, join(base, 'index.js')]) {
    if (existsSync(candidate) && lstatSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * The compiled scripts `entries` load through relative requires, themselves included: what a
 * worker thread or a child process started from one of them runs of the project's code.
 */
export function requireClosure(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = entries.map((entry) => resolve(entry));
  for (let file = stack.pop(); file !== undefined; file = stack.pop()) {
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(RELATIVE_REQUIRE)) {
      const found = resolveRelative(file, match[1]!);
      if (found && !seen.has(found)) stack.push(found);
    }
  }
  return [...seen].sort();
}
