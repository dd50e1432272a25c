import { describe, expect, it } from 'vitest';
import { consoleSummary, exitCodeFor, failingLine, junitXml, reportJson } from '../../src/runner/report';
import type { NotebookReport, RunReport } from '../../src/runner/types';

const passed: NotebookReport = {
  notebook: 'notebooks/01-a.ipynb',
  name: '01-a',
  status: 'passed',
  seconds: 1.25,
  cellsRun: 3,
  codeCells: 3,
  allowedErrors: 0,
  parameters: {},
};
const failed: NotebookReport = {
  notebook: 'notebooks/02-b.ipynb',
  name: '02-b',
  status: 'failed',
  seconds: 2,
  cellsRun: 2,
  codeCells: 4,
  allowedErrors: 0,
  parameters: { epochs: 1 },
  failingCell: {
    index: 3,
    id: 'boom',
    codeCellNumber: 2,
    source: 'const a = 1;\nthrow new Error("x < y & z");',
    failure: {
      kind: 'error',
      ename: 'Error',
      evalue: 'x < y & z',
      traceback: ['\x1b[31mError: x < y & z\x1b[0m', '    at <cell>:2:7'],
    },
  },
  outputNotebook: 'build/notebooks/02-b.ipynb',
};
const infra: NotebookReport = { ...passed, name: '03-c', notebook: 'c.ipynb', status: 'infrastructure-error', cellsRun: 0, message: 'kernel could not start' };

const run = (notebooks: NotebookReport[]): RunReport => ({
  startedAt: '2026-01-01T00:00:00.000Z',
  seconds: 3.5,
  jobs: 2,
  server: 'private',
  notebooks,
  exitCode: exitCodeFor(notebooks),
});

describe('exitCodeFor', () => {
  it('maps statuses to 0, 1 and 3', () => {
    expect(exitCodeFor([passed])).toBe(0);
    expect(exitCodeFor([passed, failed])).toBe(1);
    expect(exitCodeFor([{ ...passed, status: 'timeout' }])).toBe(1);
    expect(exitCodeFor([{ ...passed, status: 'kernel-died' }])).toBe(1);
    expect(exitCodeFor([failed, infra])).toBe(3);
  });
});

describe('failingLine', () => {
  it('finds the line a traceback names, or nothing', () => {
    expect(failingLine(failed.failingCell!)).toEqual({ line: 2, text: 'throw new Error("x < y & z");' });
    const compile = { ...failed.failingCell!, failure: { kind: 'error' as const, ename: 'TSError', evalue: '1:7 - Type string is not assignable', traceback: [] } };
    expect(failingLine(compile)?.line).toBe(1);
    const none = { ...failed.failingCell!, failure: { kind: 'error' as const, ename: 'E', evalue: 'v', traceback: [] } };
    expect(failingLine(none)).toBeUndefined();
  });

  it("takes the failing cell's own `Cell In[n], line N` frame, not an earlier cell's", () => {
    const source = 'const a = 1;\nconst b = f(a);\n// three\n// four\n// five';
    const traceback = [
      'Error: bad input 1',
      '    at check (Cell In[2], line 5)',
      '        5 |   throw new Error(`bad input ${x}`);',
      '    at f (Cell In[3], line 1)',
      '    at Cell In[7], line 2',
      '        2 | const b = f(a);',
    ];
    const cell = { ...failed.failingCell!, source, failure: { kind: 'error' as const, ename: 'Error', evalue: 'bad input 1', traceback } };
    expect(failingLine({ ...cell, executionCount: 7 })).toEqual({ line: 2, text: 'const b = f(a);' });
    // Without a known count, the highest count is the cell that ran last.
    expect(failingLine(cell)).toEqual({ line: 2, text: 'const b = f(a);' });
    // A traceback naming cells, none of them this one, names no line of it.
    expect(failingLine({ ...cell, executionCount: 9 })).toBeUndefined();
  });
});

describe('junitXml', () => {
  it('writes one escaped test case per notebook with failures and errors counted', () => {
    const xml = junitXml(run([passed, failed, infra]));
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<testsuites tests="3" failures="1" errors="1"');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('<testcase classname="notebooks" name="01-a" file="notebooks/01-a.ipynb" time="1.250"/>');
    expect(xml).toContain('<failure message="cell 2: Error: x &lt; y &amp; z" type="failed">');
    expect(xml).toContain('<error message="kernel could not start">kernel could not start</error>');
    expect(xml).not.toContain('\x1b');
  });

  it('counts notebooks a stopped run never started as skipped, and a runner bug as an error', () => {
    const notRun: NotebookReport = { ...passed, name: '04-d', status: 'not-run', cellsRun: 0, message: 'not run: the run was interrupted (SIGTERM)' };
    const bug: NotebookReport = { ...passed, name: '05-e', status: 'internal-error', message: 'TypeError: x is undefined\n    at f (a.ts:1:1)' };
    const xml = junitXml(run([passed, notRun, bug]));
    expect(xml).toContain('<testsuites tests="3" failures="0" errors="1"');
    expect(xml).toContain('skipped="1"');
    expect(xml).toContain('<skipped message="not run: the run was interrupted (SIGTERM)"/>');
    expect(xml).toContain('<error message="TypeError: x is undefined">TypeError: x is undefined\n    at f (a.ts:1:1)</error>');
    expect(exitCodeFor([passed, notRun])).toBe(1);
    expect(exitCodeFor([{ ...passed, writeError: 'cannot write x: ENOSPC' }])).toBe(3);
  });
});

describe('consoleSummary and reportJson', () => {
  it('prints the table and each failure with its cell, failing line and traceback', () => {
    const text = consoleSummary(run([passed, failed]));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^notebook\s+cells\s+seconds\s+status$/);
    expect(text).toMatch(/01-a\s+3\/3\s+1\.3\s+passed/);
    expect(text).toMatch(/02-b\s+2\/4\s+2\.0\s+failed/);
    expect(text).toContain('✗ notebooks/02-b.ipynb, code cell 2 (index 3, id boom): Error: x < y & z');
    expect(text).toContain('  line 2: throw new Error("x < y & z");');
    expect(text).toContain('    at <cell>:2:7');
    expect(text).toContain('1/2 notebooks passed in 3.5 s (exit 1)');
  });

  it('report.json is the report as JSON', () => {
    const report = run([passed]);
    expect(JSON.parse(reportJson(report))).toEqual(report);
  });
});
