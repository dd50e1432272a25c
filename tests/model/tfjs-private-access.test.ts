/**
 * No file but `src/model/tfjs-internals.ts` reaches into TensorFlow.js privately: the library and
 * the kernel are read with TypeScript's type checker (`private-access.ts` says what counts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { TFJS_TOUCHPOINTS } from '../../src/model/tfjs-internals';
import { findPrivateTfjsAccess, TFJS_INTERNAL_NAMES } from './private-access';

const root = projectRoot();
const INTERNALS = join(root, 'src', 'model', 'tfjs-internals.ts');

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
}

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(root, folder, name));
}

describe('private access to tfjs', () => {
  it('is found in a file that reaches in five ways, and only on the lines that do', () => {
    const fixture = join(root, 'tests', 'fixtures', 'tfjs-private', 'reaches-in.ts');
    const marked = readFileSync(fixture, 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.endsWith('// flagged') ? [i + 1] : []));
    expect(marked).toHaveLength(5);
    const found = findPrivateTfjsAccess([fixture], compilerOptions());
    expect([...new Set(found.map((f) => f.line))]).toEqual(marked);
  });

  it('happens only in src/model/tfjs-internals.ts, which the touchpoints test checks', () => {
    const files = [...sources('src'), ...sources('kernel')];
    expect(files).toContain(INTERNALS);
    const found = findPrivateTfjsAccess(files, compilerOptions());
    const elsewhere = found.filter((f) => f.file !== INTERNALS).map((f) => `${relative(root, f.file)}:${f.line} ${f.why}: ${f.text}`);
    expect(elsewhere).toEqual([]);
    // The internals module itself is seen reaching in (the check reads it like any other file).
    expect(found.some((f) => f.file === INTERNALS)).toBe(true);
  }, 120_000);

  it('knows each internal name the touchpoints describe', () => {
    const described = Object.values(TFJS_TOUCHPOINTS).join(' ');
    for (const name of TFJS_INTERNAL_NAMES.filter((n) => !['accumulatedFirstMoment', 'accumulatedSecondMoment', 'iterations_'].includes(n))) {
      expect(described, name).toContain(name);
    }
  });
});
