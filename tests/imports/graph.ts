/**
 * The project's module graph as TypeScript resolves it: every `import`, `import type`, `export … from`,
 * `import()` and `require()` of one of the given files by another, found with the compiler's own
 * pre-processor and resolver (the project's node16 resolution), so no import form is missed.
 */
import { readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import ts from 'typescript';

/** Module file → the project files it imports (absolute paths). */
export type ImportGraph = Map<string, string[]>;

const RESOLUTION: ts.CompilerOptions = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 };

/** The `.ts` files (not `.d.ts`) under `folders`, absolute. */
export function typeScriptFiles(folders: readonly string[]): string[] {
  return folders.flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .map((name) => resolve(folder, name)),
  );
}

/** The imports among `files`; imports of anything else (packages, Node's modules) are left out. */
export function importGraph(files: readonly string[]): ImportGraph {
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const text = ts.sys.readFile(file);
    if (text === undefined) throw new Error(`${file}: cannot read`);
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const targets = importedFiles.flatMap(({ fileName }) => {
      const resolved = ts.resolveModuleName(fileName, file, RESOLUTION, ts.sys).resolvedModule;
      const target = resolved && resolve(resolved.resolvedFileName);
      return target && known.has(target) ? [target] : [];
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The import cycles: each strongly connected group of two or more modules (or a module importing
 * itself), as one path around it that starts and ends at the same file. Tarjan's algorithm.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || (graph.get(file) ?? []).includes(file)) groups.push(group);
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return groups.map((group) => cycleThrough(graph, new Set(group)));
}

/** One closed path through a group of mutually importing files, found by breadth-first search. */
function cycleThrough(graph: ImportGraph, group: ReadonlySet<string>): string[] {
  const start = [...group].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let at = 0; at < queue.length; at += 1) {
    const file = queue[at]!;
    for (const next of graph.get(file) ?? []) {
      if (!group.has(next)) continue;
      if (next === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  throw new Error(`no cycle through ${start}`);
}

/** A cycle as `a.ts → b.ts → a.ts`, paths relative to `root`. */
export function describeCycle(cycle: readonly string[], root: string): string {
  return cycle.map((file) => relative(root, file).split('\\').join('/')).join(' → ');
}
