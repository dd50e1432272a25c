import { describe, expect, it } from 'vitest';
import { lineProgress, progressMode } from '../../src/runner/progress';

describe('progress', () => {
  it('chooses bars only on a TTY outside CI', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(progressMode(tty, {})).toBe('bars');
    expect(progressMode(tty, { CI: 'true' })).toBe('lines');
    expect(progressMode(tty, { CI: 'false' })).toBe('bars');
    expect(progressMode(pipe, {})).toBe('lines');
  });

  it('writes timestamped lines for notebook and cell events', () => {
    const lines: string[] = [];
    const hooks = lineProgress((l) => lines.push(l), () => new Date('2026-01-02T03:04:05.000Z'));
    const where = { notebook: 'n/01-a.ipynb', name: '01-a', cellIndex: 2, codeCellNumber: 1, codeCells: 3 };
    hooks.onNotebookStart?.({ notebook: where.notebook, name: '01-a', codeCells: 3 });
    hooks.onCellStart?.(where);
    hooks.onCellDone?.({ ...where, result: { kind: 'ok', executionCount: 1, seconds: 0.25 } });
    hooks.onCellDone?.({
      ...where,
      codeCellNumber: 2,
      result: { kind: 'error', executionCount: 2, seconds: 0.1, ename: 'TypeError', evalue: 'x is undefined', traceback: [] },
    });
    expect(lines).toEqual([
      '2026-01-02T03:04:05.000Z 01-a start (3 code cells)',
      '2026-01-02T03:04:05.000Z 01-a cell 1/3 running',
      '2026-01-02T03:04:05.000Z 01-a cell 1/3 ok 0.3s',
      '2026-01-02T03:04:05.000Z 01-a cell 2/3 FAILED TypeError: x is undefined',
    ]);
  });
});
