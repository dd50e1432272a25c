/**
 * Which notebooks of a run the cache answers. In dependency order, each notebook's key is made
 * from the run's inputs, its own, and the keys of the notebooks of the run it runs after; it is
 * answered from the cache only when its entry is whole, what it recorded is unchanged, and every
 * notebook of the run it runs after was answered too (one that runs again makes those after it run again).
 */
import type { Notebook } from '../types';
import { cacheKey, notebookContent, projectRelative, type KeyInputs, type RunKeyInputs } from './key';
import { NOTHING_CACHED, type ExecutionCache, type Lookup } from './store';

export interface CacheItem {
  name: string;
  path: string;
  /** The notebook as it will be executed (parameters injected). */
  notebook: Notebook;
  parameters: Record<string, unknown>;
  profile: string;
  after: string[];
}

/** The reason given when the cache was not consulted. */
export const NOT_CONSULTED = 'the cache was not consulted (--no-cache)';

export type Decision =
  | { kind: 'hit'; key: string; inputs: KeyInputs; hit: Extract<Lookup, { kind: 'hit' }> }
  | { kind: 'miss'; key: string; inputs: KeyInputs; reason: string };

/** `items` with every item after those of the run it runs after (the order has no circle: checkOrder). */
export function dependencyOrder<T extends { name: string; after: string[] }>(items: readonly T[]): T[] {
  const byName = new Map(items.map((item) => [item.name, item]));
  const ordered: T[] = [];
  const placed = new Set<string>();
  const place = (item: T) => {
    if (placed.has(item.name)) return;
    placed.add(item.name);
    for (const name of item.after) {
      const other = byName.get(name);
      if (other) place(other);
    }
    ordered.push(item);
  };
  items.forEach(place);
  return ordered;
}

/**
 * The decision for every item. With `lookup` false nothing is answered (every notebook runs and
 * its result is stored), but the keys are made all the same.
 */
export function consultCache(cache: ExecutionCache, items: readonly CacheItem[], run: RunKeyInputs, root: string, lookup: boolean): Map<string, Decision> {
  const inRun = new Set(items.map((item) => item.name));
  const decisions = new Map<string, Decision>();
  for (const item of dependencyOrder(items)) {
    const before = item.after.filter((name) => inRun.has(name));
    const inputs: KeyInputs = {
      run,
      notebook: {
        path: projectRelative(root, item.path),
        content: notebookContent(item.notebook),
        parameters: item.parameters,
        profile: item.profile,
        after: Object.fromEntries(before.map((name) => [name, decisions.get(name)!.key])),
      },
    };
    const key = cacheKey(inputs);
    const rerun = before.filter((name) => decisions.get(name)!.kind === 'miss');
    let decision: Decision;
    if (!lookup) decision = { kind: 'miss', key, inputs, reason: NOT_CONSULTED };
    else {
      const found = cache.lookup(item.name, key, inputs);
      if (rerun.length && !(found.kind === 'miss' && found.reason === NOTHING_CACHED)) {
        decision = { kind: 'miss', key, inputs, reason: `it runs after ${rerun.join(', ')}, which ${rerun.length > 1 ? 'run' : 'runs'} again` };
      } else decision = found.kind === 'hit' ? { kind: 'hit', key, inputs, hit: found } : { kind: 'miss', key, inputs, reason: found.reason };
    }
    decisions.set(item.name, decision);
  }
  return decisions;
}
