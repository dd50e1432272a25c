import type { Diagnostic } from '../../kernel/tslab';
import { describe, expect, it } from 'vitest';
import { expandShorthandProperties } from '../../kernel/shorthand';
import { runCells, useCellRunner } from './cell-runner';

describe('expandShorthandProperties', () => {
  it.each([
    ['const o = { minMmlu }; o', 'const o = { minMmlu: minMmlu }; o'],
    ['f({ a, b: 1, c })', 'f({ a: a, b: 1, c: c })'],
    ['const o = { a: { b }, l: [{ c }], ...{ d } };', 'const o = { a: { b: b }, l: [{ c: c }], ...{ d: d } };'],
    ['const q = {\n  a,\n  b,\n};', 'const q = {\n  a: a,\n  b: b,\n};'],
    // destructuring assignment targets, with defaults, nested, in for-of
    ['({ a } = obj);', '({ a: a } = obj);'],
    ['({ a = 1, b: { c = 2 } } = obj);', '({ a: a = 1, b: { c: c = 2 } } = obj);'],
    ['[{ a = 1 }] = list;', '[{ a: a = 1 }] = list;'],
    ['for ({ a } of rows) {}', 'for ({ a: a } of rows) {}'],
    ['({ ...{ a = 1 } } = obj);', '({ ...{ a: a = 1 } } = obj);'],
    // a `{ a = 1 }` outside an assignment target is a TypeScript error and must stay one
    ['const o = { a = 1 };', 'const o = { a = 1 };'],
    ['f({ a = 1 });', 'f({ a = 1 });'],
    // binding patterns declare names: nothing to spell out
    ['const { a, b = 2 } = obj; function f({ c }: { c: number }) { return c; }', 'const { a, b = 2 } = obj; function f({ c }: { c: number }) { return c; }'],
    // methods, accessors, property assignments, strings and comments are left alone
    ["const m = { f() { return 1; }, get g() { return 2; }, h: 3 }; const s = '{ a }'; // { b }", "const m = { f() { return 1; }, get g() { return 2; }, h: 3 }; const s = '{ a }'; // { b }"],
  ])('%s', (cell, expected) => {
    expect(expandShorthandProperties(cell).source).toBe(expected);
  });

  it('keeps names written with escapes as written', () => {
    expect(expandShorthandProperties('({ \\u0061b })').source).toBe('({ \\u0061b: \\u0061b })');
  });

  it('maps offsets in the expanded cell back to the user text', () => {
    const cell = 'const o = { ab, c };\nlet z: number = "x";';
    const { source, toOriginal, expanded } = expandShorthandProperties(cell);
    expect(expanded).toBe(2);
    expect(source).toBe('const o = { ab: ab, c: c };\nlet z: number = "x";');
    // before the first insertion, unchanged
    expect(toOriginal(source.indexOf('ab'))).toBe(cell.indexOf('ab'));
    // the inserted value stands for the property name it repeats
    expect(toOriginal(source.indexOf('ab', source.indexOf('ab') + 1))).toBe(cell.indexOf('ab'));
    expect(toOriginal(source.indexOf('c:'))).toBe(cell.indexOf('c }'));
    // after both insertions, shifted back by their length
    expect(toOriginal(source.indexOf('"x"'))).toBe(cell.indexOf('"x"'));
    expect(toOriginal(source.length)).toBe(cell.length);
  });

  it('puts diagnostics back on the columns the user wrote, and leaves other files alone', () => {
    const cell = 'const o = { ab, c }; let z: number = "x";\nconst p = { ab }; const w: string = 1;';
    const { source, restoreDiagnostics } = expandShorthandProperties(cell);
    const at = (text: string, from = 0): Diagnostic => {
      const offset = source.indexOf(text, from);
      const before = source.slice(0, offset);
      const line = before.split('\n').length - 1;
      const character = offset - (before.lastIndexOf('\n') + 1);
      return {
        start: { offset, line, character },
        end: { offset: offset + text.length, line, character: character + text.length },
        messageText: 'm',
        category: 1,
        code: 2322,
      };
    };
    const other = { ...at('"x"'), fileName: 'helpers.ts' };
    const [first, second, third] = restoreDiagnostics([at('"x"'), at('w', source.indexOf('\n')), other]);
    expect(first?.start).toEqual({ offset: cell.indexOf('"x"'), line: 0, character: cell.indexOf('"x"') });
    expect(first?.end.character).toBe(cell.indexOf('"x"') + 3);
    const secondLine = cell.slice(cell.indexOf('\n') + 1);
    expect(second?.start).toMatchObject({ line: 1, character: secondLine.indexOf('w:') });
    expect(third).toEqual(other);
  });

  it('returns the cell unchanged when it has no shorthand property', () => {
    const cell = 'const a = 1;\na + 1';
    const expansion = expandShorthandProperties(cell);
    expect(expansion.source).toBe(cell);
    expect(expansion.expanded).toBe(0);
  });
});

/** Runs cells in order in one tslab session and gives each one's value (or its error's evalue). */
describe('names of earlier cells through tslab', () => {
  const cellRunner = useCellRunner('kernel-cross-cell-');

  it('reads an earlier cell’s const in a shorthand property, also nested and after await', async () => {
    const values = await runCells(cellRunner(), [
      'const minMmlu = 42;',
      'const o = { minMmlu }; o',
      '({ a: { minMmlu }, list: [{ minMmlu }] })',
      'await Promise.resolve({ minMmlu })',
    ]);
    expect(values.slice(1)).toEqual([{ minMmlu: 42 }, { a: { minMmlu: 42 }, list: [{ minMmlu: 42 }] }, { minMmlu: 42 }]);
  });

  it('assigns an earlier cell’s let through destructuring, with defaults and in for-of', async () => {
    const values = await runCells(cellRunner(), [
      'let best = 1; let worst = 0;',
      '({ best } = { best: 10 }); best',
      '({ best = 5, worst = -1 } = { worst: -3 }); [best, worst]',
      'for ({ best } of [{ best: 7 }, { best: 8 }]) {}\nbest',
    ]);
    expect(values.slice(1)).toEqual([10, [5, -3], 8]);
    expect('best' in globalThis).toBe(false); // no stray global was created instead
  });

  it('leaves locals, parameters and same-cell names that shadow an earlier name alone', async () => {
    const values = await runCells(cellRunner(), [
      'const shade = "earlier";',
      'const f = (shade: string) => ({ shade }); f("parameter")',
      'let fromBlock: unknown;\n{ const shade = "block"; fromBlock = { shade }; }\nfromBlock',
      'function g() { const shade = "local"; return { shade }; } g()',
      'const shade = "same cell"; ({ shade })',
      '({ shade })',
    ]);
    expect(values.slice(1)).toEqual([{ shade: 'parameter' }, { shade: 'block' }, { shade: 'local' }, { shade: 'same cell' }, { shade: 'same cell' }]);
  });

  it('puts functions, classes, enums and imports of earlier cells in shorthand properties', async () => {
    const values = await runCells(cellRunner(), [
      "import { basename } from 'node:path';\nfunction twice(n: number) { return 2 * n; }\nclass Point { constructor(readonly x: number) {} }\nenum Unit { Usd = 'USD' }",
      'const k = { basename, twice, Point, Unit }; [k.basename("/a/b.csv"), k.twice(4), new k.Point(3).x, k.Unit.Usd]',
    ]);
    expect(values[1]).toEqual(['b.csv', 8, 3, 'USD']);
  });

  it('reports a type error in a cell with shorthand properties at the user’s column', async () => {
    await cellRunner().run('const tokens = 3;', 'Cell In[1]');
    const outcome = await cellRunner().run('const o = { tokens, tokens2: tokens }; const s: string = 1;', 'Cell In[2]');
    expect(outcome.kind).toBe('error');
    if (outcome.kind !== 'error') return;
    expect(outcome.error.traceback[0]).toBe(
      "Cell In[2], line 1, column 46: error TS2322: Type 'number' is not assignable to type 'string'.",
    );
    expect(outcome.error.traceback[2]).toBe(`    ${' '.repeat(4 + 45)}^`);
  });

  it('keeps a shorthand default outside an assignment target a type error', async () => {
    const outcome = await cellRunner().run('const def = { late = 1 };', 'Cell In[1]');
    expect(outcome).toMatchObject({ kind: 'error', error: { evalue: expect.stringContaining("line 1: Did you mean to use a ':'?") } });
  });
});

describe('other names carried from cell to cell', () => {
  const cellRunner = useCellRunner('kernel-cross-cell-');

  it('functions and classes, a reassigned let, template literals, arrows, await, imports', async () => {
    const values = await runCells(cellRunner(), [
      'function perMTok(usd: number, tokens: number) { return (usd / tokens) * 1e6; }\nclass Meter { total = 0; add(n: number) { this.total += n; return this; } }',
      'new Meter().add(perMTok(2, 1e6)).add(1).total',
      'let epoch = 1;',
      'epoch = epoch + 1; epoch += 1; epoch++; epoch',
      'const rate = 0.5;',
      'const label = `rate ${rate} at epoch ${epoch}`; const scaled = (n: number) => n * rate; [label, scaled(8)]',
      'const fetched = await Promise.resolve(rate * 4);',
      '[fetched, await Promise.resolve(epoch)]',
      "import { join } from 'node:path';",
      "join('a', 'b')",
    ]);
    expect(values.filter((value) => value !== undefined)).toEqual([3, 4, ['rate 0.5 at epoch 4', 4], [2, 4], 'a/b']);
  });

  it('a const declared again in a later cell (parameter injection) replaces the earlier one', async () => {
    const values = await runCells(cellRunner(), [
      'const epochs = 10;\nlet lr: number = 0.001;',
      'const epochs = 2;\nlet lr: number = 0.1;',
      'const plan = { epochs, lr, steps: epochs * 3 }; plan',
      'const e2: 2 = epochs;',
    ]);
    expect(values[2]).toEqual({ epochs: 2, lr: 0.1, steps: 6 });
    expect(values[3]).toBeUndefined(); // `epochs` has the later declaration's type, the literal 2
  });
});
