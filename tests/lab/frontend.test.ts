/** The front end's index.js imports exactly the plugin packages package.json lists (webpack needs both). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labDir } from '../../src/lab/server';

describe('lab front end sources', () => {
  const manifest = JSON.parse(readFileSync(join(labDir(), 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    overrides: Record<string, string>;
    jupyterlab: { extensions: string[]; mimeExtensions: string[] };
  };
  const index = readFileSync(join(labDir(), 'index.js'), 'utf8');
  const imported = [...index.matchAll(/import\('([^']+)'\)/g)].map((m) => m[1]).filter((name) => !name.startsWith('.'));

  it('imports every listed plugin and mime extension package, and nothing else', () => {
    const packageOf = (specifier: string) => (specifier.startsWith('jupyterlab-plotly/') ? 'jupyterlab-plotly' : specifier);
    expect(imported.map(packageOf).sort()).toEqual([...manifest.jupyterlab.extensions, ...manifest.jupyterlab.mimeExtensions].sort());
  });

  it('depends on every package it imports', () => {
    for (const name of [...manifest.jupyterlab.extensions, ...manifest.jupyterlab.mimeExtensions]) {
      expect(manifest.dependencies[name], name).toBeDefined();
    }
  });

  it('pins every @jupyterlab, @jupyter and @lumino package to one minor line', () => {
    const pinned = Object.entries(manifest.overrides).filter(([name]) => /^@(jupyterlab|jupyter|lumino)\//.test(name));
    expect(pinned.length).toBeGreaterThan(50);
    for (const [name, range] of pinned) expect(range, name).toMatch(/^~\d+\.\d+\.0$/);
    expect(manifest.overrides['@jupyterlab/application']).toBe('~4.5.0');
  });

  it('locks one version of each of those packages (no 4.6 copy beside the 4.5 one)', () => {
    const lock = JSON.parse(readFileSync(join(labDir(), 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const versions = new Map<string, Set<string>>();
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = path.split('node_modules/').pop() ?? '';
      if (!/^@(jupyterlab|jupyter|lumino)\//.test(name) || !entry.version) continue;
      versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
    }
    const mixed = [...versions].filter(([, set]) => set.size > 1).map(([name, set]) => `${name}: ${[...set].join(', ')}`);
    expect(mixed).toEqual([]);
    expect([...(versions.get('@jupyterlab/notebook') ?? [])][0]).toMatch(/^4\.5\./);
  });
});
