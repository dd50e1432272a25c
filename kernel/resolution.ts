import { delimiter, isAbsolute, join, parse, relative } from 'node:path';

/**
 * The library wherever the notebook is. Jupyter starts a kernel in the notebook's folder, and
 * `import … from 'llm-price-lab'` is looked up in that folder's node_modules and its parents'. The
 * kernelspec sets NODE_PATH to this project's node_modules, which Node's `require` searches after
 * all of those; this module makes tslab's TypeScript compiler search the same folders, in the
 * same order, so a notebook in /tmp or above the clone imports the library with its types.
 *
 * How: the compiler's Node10 resolution asks its file system for `<folder>/node_modules/<name>`
 * for every folder from the notebook's up to the file system root. Questions about the last one,
 * `/node_modules/…`, that the real file system cannot answer are answered from the fallback roots
 * (mirroring Node, which tries NODE_PATH after every node_modules). Resolved files get their real
 * path, so the library's own relative imports and dependencies resolve from where it really is.
 */

/** The folders NODE_PATH lists (absolute ones, as Node uses them), in order. */
export function nodePathRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.NODE_PATH ?? '').split(delimiter).filter((entry) => entry !== '' && isAbsolute(entry));
}

/** The part of TypeScript's `System` the compiler resolves modules through. */
export interface ResolutionSystem {
  fileExists(path: string): boolean;
  directoryExists(path: string): boolean;
  readFile(path: string, encoding?: string): string | undefined;
  getDirectories(path: string): string[];
  realpath?(path: string): string;
}

/**
 * Maps `/node_modules/<rest>` (the last node_modules the compiler tries) to `<root>/<rest>` for the
 * first fallback root holding it; undefined for any other path, when the real one exists, and when
 * no root has it.
 */
export function createFallbackMapper(
  roots: readonly string[],
  exists: (path: string) => boolean,
): (path: string) => string | undefined {
  return (path) => {
    const rest = relative(join(parse(path).root, 'node_modules'), path);
    if (rest.startsWith('..') || isAbsolute(rest) || exists(path)) return undefined;
    return roots.map((root) => join(root, rest)).find(exists);
  };
}

/**
 * Patches `system` (TypeScript's `ts.sys`, which tslab's converter reads files through) so that
 * module resolution falls back to `roots`. Real files always win. Returns the undo.
 */
export function installResolutionFallback(system: ResolutionSystem, roots: readonly string[]): () => void {
  if (roots.length === 0) return () => {};
  const original = { ...system };
  const fileExists = original.fileExists.bind(system);
  const directoryExists = original.directoryExists.bind(system);
  const exists = (path: string) => fileExists(path) || directoryExists(path);
  const fallback = createFallbackMapper(roots, exists);
  const mapped = (path: string): string => fallback(path) ?? path;
  system.fileExists = (path) => fileExists(mapped(path));
  system.directoryExists = (path) => directoryExists(mapped(path));
  system.readFile = (path, encoding) => original.readFile.call(system, mapped(path), encoding);
  system.getDirectories = (path) => original.getDirectories.call(system, mapped(path));
  const realpath = original.realpath;
  if (realpath) system.realpath = (path) => realpath.call(system, mapped(path));
  return () => {
    system.fileExists = original.fileExists;
    system.directoryExists = original.directoryExists;
    system.readFile = original.readFile;
    system.getDirectories = original.getDirectories;
    if (realpath) system.realpath = realpath;
  };
}
