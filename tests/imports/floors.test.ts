/**
 * The floors of docs/architecture.md: the domain rooms return data and never import the
 * presentation floor (display, show, plot), which turns their data into bundles. Type-only imports
 * count too: a domain type that names a bundle is presentation leaking down.
 */
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { importGraph, typeScriptFiles } from './graph';

const root = projectRoot();
const DOMAIN = ['data', 'algorithms', 'cost', 'model', 'compress', 'privacy', 'deploy', 'stats'];
const PRESENTATION = ['display.ts', 'show', 'plot', 'widgets'];

/** The room of a file of src/: its first folder, or the file itself at the top. */
function roomOf(file: string): string {
  return relative(join(root, 'src'), file).split(sep)[0]!;
}

/** `from → to` for each import of a domain room into the presentation floor. */
function upwardImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    if (!DOMAIN.includes(roomOf(from))) continue;
    for (const to of targets) if (PRESENTATION.includes(roomOf(to))) found.push(`${relative(root, from)} → ${relative(root, to)}`);
  }
  return found.sort();
}

describe('floors', () => {
  it('no domain room imports the presentation floor', () => {
    const files = typeScriptFiles([join(root, 'src')]);
    expect(files.length).toBeGreaterThan(80);
    expect(upwardImports(importGraph(files))).toEqual([]);
  });

  it('the check sees an upward import (the presentation floor importing the domain is the allowed direction)', () => {
    const files = typeScriptFiles([join(root, 'src')]);
    const graph = importGraph(files);
    expect(graph.get(join(root, 'src', 'show', 'model.ts'))).toContain(join(root, 'src', 'model', 'backend.ts'));
    // Reversed, the same edge is what the check reports.
    const reversed = new Map([[join(root, 'src', 'model', 'backend.ts'), [join(root, 'src', 'show', 'model.ts')]]]);
    expect(upwardImports(reversed)).toEqual(['src/model/backend.ts → src/show/model.ts']);
  });
});
