import { describe, expect, it } from 'vitest';
import { RunnerInputError } from '../../src/runner/errors';
import { checkParameters, injectParameters, parseParameterDefaults } from '../../src/runner/parameters';
import { notebookWith } from './notebook-with';


/** The one-line message checkParameters throws, or 'ok' when the values are accepted. */
function verdict(parameters: string, values: Record<string, unknown>): string {
  try {
    checkParameters('nb/a.ipynb', notebookWith(parameters), values);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(RunnerInputError);
    const message = (error as Error).message;
    expect(message, 'the error is one line').not.toContain('\n');
    return message;
  }
}

describe('initializers that are constant expressions', () => {
  it('types `1 / 1000` as a number: a string is refused, a number accepted', () => {
    expect(verdict('const lr = 1 / 1000;', { lr: 'fast' })).toBe(
      `nb/a.ipynb: parameter 'lr' expects number (default 1 / 1000) but was given string "fast"`,
    );
    expect(verdict('const lr = 1 / 1000;', { lr: 0.01 })).toBe('ok');
  });

  it('types negative numbers, powers, parenthesised arithmetic and Infinity as numbers', () => {
    for (const source of ['const x = -3;', 'const x = 2 ** 10;', 'const x = (1 + 2) * 3;', 'const x = -Infinity;', 'const x = 1e-6 * 5;']) {
      expect(verdict(source, { x: '1' }), source).toMatch(/parameter 'x' expects number/);
      expect(verdict(source, { x: 4 }), source).toBe('ok');
    }
  });

  it('types string concatenation and templates as strings, negation and comparison as booleans', () => {
    expect(verdict("const s = 'a' + 1;", { s: 2 })).toMatch(/parameter 's' expects string/);
    expect(verdict('const s = `plain`;', { s: true })).toMatch(/parameter 's' expects string/);
    expect(verdict('const b = !0;', { b: 'yes' })).toMatch(/parameter 'b' expects boolean/);
    expect(verdict('const b = 2 > 1;', { b: false })).toBe('ok');
  });

  it('types a default that refers to an earlier parameter by that parameter', () => {
    expect(verdict('const epochs = 10;\nconst warmup = epochs;', { warmup: 'x' })).toMatch(
      /parameter 'warmup' expects number \(default epochs\)/,
    );
  });

  it('checks array elements against the default elements', () => {
    const source = "const sizes = [1, 2 * 3];\nconst names = ['a'];\nconst anything = [];";
    expect(verdict(source, { sizes: [4, 5] })).toBe('ok');
    expect(verdict(source, { sizes: [] })).toBe('ok');
    expect(verdict(source, { sizes: [1, 'two'] })).toBe(
      `nb/a.ipynb: parameter 'sizes' expects number[] (default [1, 2 * 3]) but was given array [1,"two"]`,
    );
    expect(verdict(source, { names: [1] })).toMatch(/parameter 'names' expects string\[\]/);
    expect(verdict(source, { anything: ['x', 1] })).toBe('ok');
    expect(verdict(source, { anything: 'x' })).toMatch(/parameter 'anything' expects any\[\]/);
  });

  it('accepts any value for a default it cannot type (a call), as before', () => {
    expect(verdict('const root = Math.sqrt(2);', { root: 'x' })).toBe('ok');
  });

  it('puts a multi-line default on one line in the message', () => {
    expect(verdict('const sizes = [\n  1,\n  2,\n];', { sizes: 3 })).toMatch(/\(default \[ 1, 2, \]\) but was given number 3$/);
  });
});

describe('annotations', () => {
  it('reads an annotation holding `=>` whole and keeps the declarations after it', () => {
    const source = 'const f: (x: number) => number = (x) => x * 2;\nconst epochs = 10;\nconst fs: Array<(x: number) => void> = [];';
    const defaults = parseParameterDefaults(source);
    expect(defaults.map((d) => [d.name, d.annotation])).toEqual([
      ['f', '(x: number) => number'],
      ['epochs', undefined],
      ['fs', 'Array<(x: number) => void>'],
    ]);
    expect(verdict(source, { f: 3 })).toMatch(
      /^nb\/a\.ipynb: parameter 'f' expects \(x: number\) => number, which no JSON value has \(default \(x\) => x \* 2\) but was given number 3$/,
    );
    expect(verdict(source, { epochs: 'ten' })).toMatch(/parameter 'epochs' expects number/);
    expect(verdict(source, { fs: [] })).toBe('ok');
    expect(verdict(source, { fs: [1] })).toMatch(/parameter 'fs' expects Array<\(x: number\) => void>/);
  });

  it('accepts a member of a union holding a function type', () => {
    const source = 'let rate: number | ((step: number) => number) = 0.1;';
    expect(verdict(source, { rate: 0.5 })).toBe('ok');
    expect(verdict(source, { rate: 'fast' })).toMatch(/parameter 'rate' expects number \| \(\(step: number\) => number\)/);
  });

  it('takes the annotation over the initializer', () => {
    expect(verdict('let n: number = JSON.parse("1");', { n: '1' })).toMatch(/parameter 'n' expects number/);
    expect(verdict('const dataDir: string = "";', { dataDir: 'data' })).toBe('ok');
    expect(verdict('const xs: readonly number[] = [];', { xs: ['a'] })).toMatch(/parameter 'xs' expects readonly number\[\]/);
    expect(verdict('const xs: ReadonlyArray<number> = [];', { xs: [2] })).toBe('ok');
    expect(verdict('const pair: [number, string] = [1, "a"];', { pair: [2, 'b'] })).toBe('ok');
    expect(verdict('const pair: [number, string] = [1, "a"];', { pair: [2] })).toMatch(/parameter 'pair' expects \[number, string\]/);
  });

  it('keeps the annotation, `=>` included, when re-declaring in the injected cell', () => {
    const out = injectParameters('a.ipynb', notebookWith('let rate: number | ((step: number) => number) = 0.1;'), { rate: 0.2 });
    expect(out.cells[2]!.source).toContain('let rate: number | ((step: number) => number) = 0.2;');
  });
});

describe('union and literal types', () => {
  const source = "let backend: 'cpu' | 'wasm' = 'cpu';\ntype Blend = 'mean' | 'input';\nconst blend: Blend = 'mean';\nconst limit: number | null = null;\nconst sign: -1 | 1 = 1;";

  it('accepts only the listed literals', () => {
    expect(verdict(source, { backend: 'wasm' })).toBe('ok');
    expect(verdict(source, { backend: 'gpu' })).toBe(
      `nb/a.ipynb: parameter 'backend' expects 'cpu' | 'wasm' (default 'cpu') but was given string "gpu"`,
    );
    expect(verdict(source, { sign: -1 })).toBe('ok');
    expect(verdict(source, { sign: 2 })).toMatch(/parameter 'sign' expects -1 \| 1/);
  });

  it('resolves a type alias declared in the parameters cell', () => {
    expect(verdict(source, { blend: 'input' })).toBe('ok');
    expect(verdict(source, { blend: 'output' })).toBe(
      `nb/a.ipynb: parameter 'blend' expects Blend ('mean' | 'input') (default 'mean') but was given string "output"`,
    );
  });

  it('accepts null or a number for `number | null`', () => {
    expect(verdict(source, { limit: 5 })).toBe('ok');
    expect(verdict(source, { limit: null })).toBe('ok');
    expect(verdict(source, { limit: '5' })).toMatch(/parameter 'limit' expects number \| null/);
  });

  it('widens an unannotated const to its base type, as the re-declaration allows', () => {
    expect(verdict("const priceBlend = 'mean';", { priceBlend: 'input' })).toBe('ok');
    expect(verdict("const priceBlend = 'mean' as const;", { priceBlend: 'input' })).toBe('ok');
  });
});

describe('object types', () => {
  it('checks the properties of a type literal', () => {
    const source = 'const opts: { rate: number; name?: string } = { rate: 1 };';
    expect(verdict(source, { opts: { rate: 2 } })).toBe('ok');
    expect(verdict(source, { opts: { rate: 2, name: 'x' } })).toBe('ok');
    expect(verdict(source, { opts: { name: 'x' } })).toMatch(/parameter 'opts' expects \{ rate: number; name\?: string \}/);
    expect(verdict(source, { opts: { rate: 2, extra: 1 } })).toMatch(/parameter 'opts' expects/);
    expect(verdict('const weights: Record<string, number> = {};', { weights: { a: 1 } })).toBe('ok');
    expect(verdict('const weights: Record<string, number> = {};', { weights: { a: 'x' } })).toMatch(/parameter 'weights'/);
  });

  it('types an object literal default by its properties', () => {
    expect(verdict('const o = { a: 1, b: "x" };', { o: { a: 2, b: 'y' } })).toBe('ok');
    expect(verdict('const o = { a: 1, b: "x" };', { o: { a: '2', b: 'y' } })).toMatch(/parameter 'o' expects \{ a: number; b: string \}/);
  });
});

describe('names', () => {
  const source = [
    'const epochs = 10;',
    'let a = 1, b = "two";',
    'function helper() { const inner = 1; return inner; }',
    'for (let i = 0; i < 2; i++) {}',
    'const { x } = { x: 1 };',
    'if (epochs > 1) { var nested = 2; }',
  ].join('\n');

  it('declares every top-level variable of a simple name and nothing else', () => {
    expect(parseParameterDefaults(source).map((d) => [d.name, d.keyword])).toEqual([
      ['epochs', 'const'],
      ['a', 'let'],
      ['b', 'let'],
    ]);
  });

  it('refuses a name declared only inside a function, a loop or a destructuring', () => {
    for (const name of ['inner', 'i', 'x', 'nested', 'helper', 'Epochs']) {
      expect(verdict(source, { [name]: 1 })).toBe(`nb/a.ipynb: unknown parameter '${name}' (declared: epochs, a, b)`);
    }
  });
});
