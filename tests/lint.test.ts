/**
 * The linter (eslint.config.mjs) holds the tree to its rules in `npm run lint`, which `npm test`
 * runs. Here: its project guard finds what it must, and it is applied to the notebooks' code cells,
 * which ESLint does not read by itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { SYNC_READ_RULE } from '../eslint.config.mjs';
import { notebooksDir } from '../src/paths';
import { sourceText, type Notebook } from '../src/runner';

/** ESLint with the project's guards alone, for code that is not a file of the tree (a cell, a sample). */
function guards(): ESLint {
  return new ESLint({
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, rules: SYNC_READ_RULE }],
  });
}

/** `where:line: message` for each problem the guards find in `code`. */
async function problems(code: string, where: string): Promise<string[]> {
  const [result] = await guards().lintText(code, { filePath: 'cell.ts' });
  return (result?.messages ?? []).map((m) => `${where}:${m.line}: ${m.message}`);
}

describe('lint guards', () => {
  it('find each kind of synchronous tensor read and pass over the asynchronous ones', async () => {
    const sample = ['const a = t.dataSync();', 'const b = t', '  .arraySync();', 'const c = t.bufferSync();', 'const d = await t.data();', 'const e = await t.array();', '// t.dataSync()'].join('\n');
    expect((await problems(sample, 'sample')).map((p) => p.split(': ')[0])).toEqual(['sample:1', 'sample:3', 'sample:4']);
  });

  it("hold in the notebooks' code cells", async () => {
    const files = readdirSync(notebooksDir()).filter((file) => file.endsWith('.ipynb'));
    expect(files.length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const file of files) {
      const notebook = JSON.parse(readFileSync(join(notebooksDir(), file), 'utf8')) as Notebook;
      for (const [index, cell] of notebook.cells.entries()) {
        if (cell.cell_type === 'code') found.push(...(await problems(sourceText(cell.source), `notebooks/${file} cell ${index}`)));
      }
    }
    expect(found).toEqual([]);
  });
});
