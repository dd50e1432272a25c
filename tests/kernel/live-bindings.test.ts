import { describe, expect, it } from 'vitest';
import { routeLetsThroughExports } from '../../kernel/live-bindings';
import { useCellRunner } from './cell-runner';

describe('routeLetsThroughExports', () => {
  it('reads and assigns top-level lets and vars through exports, all but tslab\'s first copy', () => {
    const emitted = [
      'var __helper = (this && this.__helper) || function () { return __helper; };',
      'exports.k = exports.c = exports.d = exports.v = void 0;',
      'let c = 0, d = 1;',
      'exports.c = c;',
      'var v = 2;',
      'const k = 3;',
      'function get() { return c + d + v + k + __helper(); }',
      'const bump = () => { exports.c = c += 1; exports.d = d = 3; };',
      'class K { m() { return v; } get g() { return c; } }',
      'exports.c = c = 5;',
    ].join('\n');
    expect(routeLetsThroughExports(emitted).split('\n')).toEqual([
      'var __helper = (this && this.__helper) || function () { return __helper; };',
      'exports.k = exports.c = exports.d = exports.v = void 0;',
      'let c = 0, d = 1;',
      'exports.c = c;',
      'var v = 2;',
      'const k = 3;',
      'function get() { return exports.c + exports.d + exports.v + k + __helper(); }',
      'const bump = () => { exports.c = exports.c += 1; exports.d = exports.d = 3; };',
      'class K { m() { return exports.v; } get g() { return exports.c; } }',
      'exports.c = exports.c = 5;',
    ]);
  });

  it('leaves parameters, locals, properties and destructured names that shadow a let alone', () => {
    const emitted = [
      'let t = 1;',
      'let { a, b: [e] } = { a: 1, b: [2] };',
      'exports.t = t; exports.a = a; exports.e = e;',
      'const f = (t) => t + a + e;',
      'function g() { const a = 2; return { t: a, x: obj.t }; }',
    ].join('\n');
    expect(routeLetsThroughExports(emitted).split('\n').slice(3)).toEqual([
      'const f = (t) => t + exports.a + exports.e;',
      'function g() { const a = 2; return { t: a, x: obj.t }; }',
    ]);
  });

  it('keeps a total summed by a callback and read at the top level of the same cell', () => {
    const emitted = 'let sum = 0;\nexports.sum = sum;\n[1, 2].forEach((n) => { exports.sum = sum += n; });\nexports.tsLastExpr = sum;';
    expect(routeLetsThroughExports(emitted).split('\n').slice(1)).toEqual([
      'exports.sum = sum;',
      '[1, 2].forEach((n) => { exports.sum = exports.sum += n; });',
      'exports.tsLastExpr = exports.sum;',
    ]);
  });

  it('leaves what runs before the copy into exports alone: initialisers of the same declaration', () => {
    const emitted = 'let a = 1, b = a + 1, f = () => a;\nexports.a = a;\nexports.b = b;\nexports.f = f;';
    expect(routeLetsThroughExports(emitted).split('\n')[0]).toBe('let a = 1, b = a + 1, f = () => exports.a;');
  });

  it('returns code without lets unchanged', () => {
    const emitted = 'const a = 1;\nexports.a = a;\nfunction f() { return a; }\nvar __h = function () { return __h; };';
    expect(routeLetsThroughExports(emitted)).toBe(emitted);
  });
});

describe('a let of one cell assigned in a later one, through tslab', () => {
  const cellRunner = useCellRunner('kernel-live-');

  it('is seen by the functions of the cell that declared it, and their assignments are kept', async () => {
    const cells = [
      'let threshold = 0.5;\nlet count = 0;\nconst keep = (score: number) => score > threshold;\nfunction inc() { count += 1; return count; }',
      'threshold = 0.8;\nkeep(0.6)',
      'count = 10;\ninc();\ninc();\ncount',
      'let threshold = 0.1;', // declared again, as injected parameters are
      'keep(0.6)',
      'const shadow = (threshold: number) => threshold;\nshadow(3)',
      'let sum = 0;\n[1, 2, 3].forEach((n) => { sum += n; });\nfor (const n of [4]) sum += n;\nsum',
      'sum',
      'let first = 1, second = first + 1;\n[first, second]',
    ];
    const values: unknown[] = [];
    for (const code of cells) {
      const outcome = await cellRunner().run(code, 'Cell');
      values.push(outcome.kind === 'ok' ? outcome.result?.value : outcome.error.evalue);
    }
    expect(values).toEqual([undefined, false, 12, undefined, true, 3, 10, 10, [1, 2]]);
  });
});
