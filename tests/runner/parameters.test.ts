import { describe, expect, it } from 'vitest';
import { RunnerInputError } from '../../src/runner/errors';
import {
  INJECTED_TAG,
  checkParameters,
  injectParameters,
  injectedSource,
  parseCliValue,
  parseParameterDefaults,
} from '../../src/runner/parameters';
import { notebookWith } from './notebook-with';


describe('parseParameterDefaults', () => {
  it('reads const/let declarations with and without annotations', () => {
    const defaults = parseParameterDefaults(
      [
        'const epochs = 10;',
        'let lr: number = 0.001;',
        "const name = 'mnist'; const verbose = false",
        'const sizes: number[] = [1, 2,',
        '  3];',
        'const options = { a: 1 }; // trailing comment',
        '/* block */ const big = 1_000;',
        'const fromCall = Math.sqrt(2);',
        'console.log("not a declaration");',
      ].join('\n'),
    );
    expect(defaults.map((d) => [d.name, d.keyword, d.type.kind])).toEqual([
      ['epochs', 'const', 'number'],
      ['lr', 'let', 'number'],
      ['name', 'const', 'string'],
      ['verbose', 'const', 'boolean'],
      ['sizes', 'const', 'array'],
      ['options', 'const', 'object'],
      ['big', 'const', 'number'],
      ['fromCall', 'const', 'any'],
    ]);
    expect(defaults[1].annotation).toBe('number');
    expect(defaults[4].expression.replace(/\s+/g, '')).toBe('[1,2,3]');
  });

  it('does not split inside strings that hold separators', () => {
    const defaults = parseParameterDefaults("const label = 'a; b\\'c';\nconst n = -2.5e3;");
    expect(defaults.map((d) => [d.name, d.type.kind])).toEqual([
      ['label', 'string'],
      ['n', 'number'],
    ]);
  });
});

describe('parseCliValue', () => {
  it('parses JSON, else keeps the string', () => {
    expect(parseCliValue('3')).toBe(3);
    expect(parseCliValue('true')).toBe(true);
    expect(parseCliValue('[1,2]')).toEqual([1, 2]);
    expect(parseCliValue('"quoted"')).toBe('quoted');
    expect(parseCliValue('plain text')).toBe('plain text');
  });
});

describe('checkParameters', () => {
  const nb = notebookWith("const epochs = 10;\nlet lr: number = 0.1;\nconst label = 'x';\nconst f = make();");

  it('accepts known names of the right type, and any type for an untyped default', () => {
    expect(checkParameters('a.ipynb', nb, { epochs: 3, label: 'y', f: [1] }).map((d) => d.name)).toEqual([
      'epochs',
      'label',
      'f',
    ]);
  });

  it('rejects an unknown name, naming notebook and parameter', () => {
    const call = () => checkParameters('nb/a.ipynb', nb, { epoch: 3 });
    expect(call).toThrow(RunnerInputError);
    expect(call).toThrow("nb/a.ipynb: unknown parameter 'epoch' (declared: epochs, lr, label, f)");
  });

  it('rejects a value whose type differs from the default', () => {
    expect(() => checkParameters('a.ipynb', nb, { lr: 'fast' })).toThrow(
      /a\.ipynb: parameter 'lr' expects number .* but was given string "fast"/,
    );
    try {
      checkParameters('a.ipynb', nb, { epochs: '3' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunnerInputError);
      expect((error as RunnerInputError).context).toEqual({ file: 'a.ipynb', parameter: 'epochs' });
    }
  });

  it('rejects parameters for a notebook without a parameters cell', () => {
    const plain = notebookWith('const epochs = 1;');
    plain.cells[1].metadata = {};
    expect(() => checkParameters('p.ipynb', plain, { epochs: 2 })).toThrow(/no cell tagged 'parameters'/);
  });
});

describe('injectParameters', () => {
  it('inserts an injected-parameters cell right after the parameters cell, re-declaring with the same keyword', () => {
    const nb = notebookWith('const epochs = 10;\nlet lr: number = 0.1;');
    const out = injectParameters('a.ipynb', nb, { lr: 0.5, epochs: 2 });
    expect(out.cells.map((c) => c.id)).toEqual(['md', 'p', 'injected-parameters', 'w']);
    const injected = out.cells[2];
    expect(injected.metadata.tags).toEqual([INJECTED_TAG]);
    expect(injected.source).toBe('// Parameters injected by llm-price-lab run\nlet lr: number = 0.5;\nconst epochs = 2;');
    expect(nb.cells).toHaveLength(3);
  });

  it('replaces an injected cell left by an earlier run and leaves the notebook alone without values', () => {
    const nb = notebookWith('const epochs = 10;');
    const once = injectParameters('a.ipynb', nb, { epochs: 2 });
    const twice = injectParameters('a.ipynb', once, { epochs: 4 });
    expect(twice.cells.filter((c) => (c.metadata.tags as string[] | undefined)?.includes(INJECTED_TAG))).toHaveLength(1);
    expect(twice.cells[2].source).toContain('const epochs = 4;');
    expect(injectParameters('a.ipynb', once, {}).cells).toHaveLength(3);
  });

  it('serialises strings and arrays as TypeScript literals', () => {
    const source = injectedSource(
      [
        { name: 's', keyword: 'const', type: { kind: 'string' }, expression: "'a'" },
        { name: 'xs', keyword: 'const', annotation: 'number[]', type: { kind: 'array', element: { kind: 'number' } }, expression: '[]' },
      ],
      { s: 'it\'s "q"', xs: [1, 2] },
    );
    expect(source).toContain('const s = "it\'s \\"q\\"";');
    expect(source).toContain('const xs: number[] = [1,2];');
  });
});
