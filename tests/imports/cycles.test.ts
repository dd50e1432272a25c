import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { describeCycle, importCycles, importGraph, typeScriptFiles } from './graph';

const root = projectRoot();

describe('import cycles', () => {
  it('none among the modules of src/ and kernel/ (type-only imports included)', () => {
    const files = typeScriptFiles([join(root, 'src'), join(root, 'kernel')]);
    expect(files.length).toBeGreaterThan(100);
    const graph = importGraph(files);
    // The graph sees the imports it is meant to see: a value import, a type-only one, a re-export.
    expect(graph.get(join(root, 'src', 'plot', 'bundle.ts'))).toContain(join(root, 'src', 'plot', 'html.ts'));
    expect(graph.get(join(root, 'src', 'plot', 'html.ts'))).toContain(join(root, 'src', 'plot', 'figure.ts'));
    expect(graph.get(join(root, 'src', 'index.ts'))).toContain(join(root, 'src', 'display.ts'));
    expect(importCycles(graph).map((cycle) => describeCycle(cycle, root))).toEqual([]);
  });

  it('are found when there is one, through type-only imports and re-exports', () => {
    const folder = join(root, 'tests', 'fixtures', 'imports', 'cycle');
    const cycles = importCycles(importGraph(typeScriptFiles([folder])));
    expect(cycles.map((cycle) => describeCycle(cycle, folder))).toEqual(['a.ts → b.ts → c.ts → a.ts']);
  });

  it('and a module importing itself is one', () => {
    const self = join(root, 'self.ts');
    expect(importCycles(new Map([[self, [self]]]))).toEqual([[self, self]]);
    expect(importCycles(new Map([[self, []]]))).toEqual([]);
  });
});
