import { describe, expect, it } from 'vitest';
import { cellDeadline, deadlineMessage } from '../../src/runner/deadlines';
import type { Cell } from '../../src/runner/types';

const cell = (metadata: Record<string, unknown> = {}): Cell => ({
  id: 'c',
  cell_type: 'code',
  metadata,
  source: '',
  outputs: [],
  execution_count: null,
});

describe('cellDeadline', () => {
  it('defaults to 10 minutes, then the option, then the cell metadata', () => {
    expect(cellDeadline(cell(), {}, 0)).toEqual({ ms: 600_000, which: 'cell', seconds: 600 });
    expect(cellDeadline(cell(), { cellTimeout: 30 }, 0)).toEqual({ ms: 30_000, which: 'cell', seconds: 30 });
    expect(cellDeadline(cell({ timeout: 2 }), { cellTimeout: 30 }, 0)).toEqual({ ms: 2_000, which: 'cell', seconds: 2 });
    expect(cellDeadline(cell({ timeout: 'x' }), { cellTimeout: 30 }, 0).seconds).toBe(30);
  });

  it('is cut by what is left of the notebook deadline, and names it', () => {
    expect(cellDeadline(cell(), { cellTimeout: 30, notebookTimeout: 60 }, 50_000)).toEqual({
      ms: 10_000,
      which: 'notebook',
      seconds: 60,
    });
    expect(cellDeadline(cell(), { cellTimeout: 30, notebookTimeout: 60 }, 90_000).ms).toBe(0);
    expect(cellDeadline(cell(), { cellTimeout: 30, notebookTimeout: 600 }, 0).which).toBe('cell');
  });

  it('says which deadline passed', () => {
    expect(deadlineMessage('cell', 3, false)).toBe('cell timeout of 3 s passed; the kernel was interrupted');
    expect(deadlineMessage('notebook', 60, true)).toMatch(/^notebook timeout of 60 s passed.*still busy, shut down$/);
  });
});
