import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileError, runtimeError } from '../../kernel/errors';
import { createLineMap } from '../../kernel/linemap';
import { useCellRunner } from './cell-runner';

describe('line map from emitted JavaScript to the cell', () => {
  it('maps statements below removed type declarations and rewritten imports to their own lines', () => {
    const source = "import * as path from 'path';\ninterface A {\n  a: number;\n}\ntype B = string;\nconst x: A = { a: 1 };\nthrow new Error(path.sep + x.a);";
    const emitted =
      'Object.defineProperty(exports, "__esModule", { value: true });\nconst path = __importStar(require("path"));\nexports.path = path;\nconst x = { a: 1 };\nexports.x = x;\nthrow new Error(path.sep + x.a);';
    const map = createLineMap(source, emitted);
    expect(map.toSource({ line: 6, column: 1 })?.line).toBe(7);
    expect(map.toSource({ line: 4, column: 7 })?.line).toBe(6);
  });
});

describe('error mapping', () => {
  it('names the cell and the cell line of every diagnostic', () => {
    const cell = { label: 'Cell In[4]', source: 'const a = 1;\nconst s: number = "a";' };
    const diag = { start: { offset: 19, line: 1, character: 6 }, end: { offset: 20, line: 1, character: 7 }, messageText: "Type 'string' is not assignable to type 'number'.", category: 1, code: 2322 };
    const error = compileError([diag], cell);
    expect(error.ename).toBe('TSError');
    expect(error.evalue).toBe("line 2: Type 'string' is not assignable to type 'number'.");
    expect(error.traceback[0]).toBe("Cell In[4], line 2, column 7: error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(error.traceback[1]).toContain('2 | const s: number = "a";');
  });

  it('maps cell frames, keeps library frames and drops the runner machinery', () => {
    const error = new TypeError('bad');
    error.stack = [
      'TypeError: bad',
      '    at f (cell-a.ts:3:9)',
      '    at parse (/lib/node_modules/thing/index.js:10:2)',
      '    at Script.runInThisContext (node:vm:137:12)',
      '    at execute (/runner/executor.js:1:1)',
    ].join('\n');
    const cell = { label: 'Cell In[2]', source: 'a\nb\nc' };
    const content = runtimeError(error, (file, pos) => (file === 'cell-a.ts' ? { cell, position: { line: pos.line - 1, column: 1 } } : undefined), ['/runner/']);
    expect(content.ename).toBe('TypeError');
    expect(content.evalue).toBe('bad');
    expect(content.traceback).toEqual(['TypeError: bad', '    at f (Cell In[2], line 2)', '        2 | b', '            ^', '    at parse (/lib/node_modules/thing/index.js:10:2)']);
  });

  it('reports thrown non-errors by their inspected value', () => {
    expect(runtimeError('oops', () => undefined, [])).toMatchObject({ ename: 'Uncaught', evalue: "'oops'" });
  });
});

describe('cells run through tslab', () => {
  const cellRunner = useCellRunner('kernel-cells-');
  // vitest formats stacks with its own Error.prepareStackTrace, which ignores a script's sourceURL;
  // the kernel process runs with V8's own formatting, as here.
  const vitestPrepare = Error.prepareStackTrace;
  beforeAll(() => {
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
  });
  afterAll(() => {
    if (vitestPrepare) Error.prepareStackTrace = vitestPrepare;
  });

  it('returns the last expression value', async () => {
    expect(await cellRunner().run('const base = 40;\nbase + 2', 'Cell In[1]')).toEqual({ kind: 'ok', result: { value: 42 } });
    expect(await cellRunner().run('let nothing = 1;', 'Cell In[2]')).toEqual({ kind: 'ok', result: undefined });
  });

  it('gives a runtime exception the line of the cell where it was thrown', async () => {
    const code = [
      "import * as path from 'path';",
      'interface Price {',
      '  usdPerMTok: number;',
      '}',
      'function check(p: Price): number {',
      '  if (p.usdPerMTok < 0) throw new RangeError(`negative price ${p.usdPerMTok}`);',
      '  return p.usdPerMTok;',
      '}',
      'path.sep;',
      'check({ usdPerMTok: -1 });',
    ].join('\n');
    const outcome = await cellRunner().run(code, 'Cell In[3]');
    expect(outcome.kind).toBe('error');
    if (outcome.kind !== 'error') return;
    expect(outcome.error).toMatchObject({ ename: 'RangeError', evalue: 'negative price -1' });
    expect(outcome.error.traceback[1]).toBe('    at check (Cell In[3], line 6)');
    expect(outcome.error.traceback).toContain('    at Cell In[3], line 10');
    expect(outcome.error.traceback.join('\n')).not.toMatch(/executor|node:vm|llm-price-lab-cell/);
  });

  it('maps frames of a function defined in an earlier cell to that cell', async () => {
    await cellRunner().run('function explode(): never {\n\n  throw new Error("kaboom");\n}', 'Cell In[4]');
    const outcome = await cellRunner().run('// call it\nexplode();', 'Cell In[5]');
    expect(outcome.kind === 'error' && outcome.error.traceback.slice(0, 2)).toEqual(['Error: kaboom', '    at explode (Cell In[4], line 3)']);
    expect(outcome.kind === 'error' && outcome.error.traceback).toContain('    at Cell In[5], line 2');
  });

  it('reports TypeScript diagnostics with cell lines and runs nothing', async () => {
    const outcome = await cellRunner().run('(globalThis as Record<string, unknown>).ranCell6 = true;\nconst n: number = "x";', 'Cell In[6]');
    expect(outcome.kind).toBe('error');
    if (outcome.kind !== 'error') return;
    expect(outcome.error.ename).toBe('TSError');
    expect(outcome.error.traceback[0]).toMatch(/^Cell In\[6\], line 2, column 7: error TS2322/);
    expect((globalThis as Record<string, unknown>).ranCell6).toBeUndefined();
  });

  it('maps an exception after a top-level await', async () => {
    const outcome = await cellRunner().run('await Promise.resolve();\n\n(undefined as unknown as string).length;', 'Cell In[8]');
    expect(outcome.kind === 'error' && outcome.error.ename).toBe('TypeError');
    expect(outcome.kind === 'error' && outcome.error.traceback).toContain('    at Cell In[8], line 3');
  });
});
