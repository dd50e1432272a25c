import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { READING_LIST, installedVersions, runtimeInfo } from '../../src/tools';

describe('environment report', () => {
  it('reads versions from installed manifests and marks absent packages', () => {
    const root = mkdtempSync(join(tmpdir(), 'env-'));
    try {
      mkdirSync(join(root, 'node_modules', '@scope', 'pkg'), { recursive: true });
      writeFileSync(join(root, 'node_modules', '@scope', 'pkg', 'package.json'), JSON.stringify({ version: '1.2.3' }));
      expect(installedVersions(['@scope/pkg', 'absent'], root)).toEqual([
        { name: '@scope/pkg', version: '1.2.3' },
        { name: 'absent', version: null },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports this project’s TypeScript and the running Node', () => {
    expect(installedVersions(['typescript'])[0]?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(runtimeInfo().node).toBe(process.version);
  });
});

describe('the reading list', () => {
  it("07's summary: four works cited correctly, one corrected, one not found", () => {
    expect(READING_LIST.map((c) => c.status).sort()).toEqual(['correct', 'correct', 'correct', 'correct', 'corrected', 'not found']);
  });

  it('marks exactly the unfindable paper as not found, with no URL', () => {
    const missing = READING_LIST.filter((c) => c.status === 'not found');
    expect(missing).toHaveLength(1);
    expect(missing[0]?.cited).toContain('Brendan et al., 2016');
    expect(missing[0]?.url).toBeNull();
    for (const c of READING_LIST.filter((r) => r.status !== 'not found')) expect(c.url).toMatch(/^https:\/\//);
  });
});
