import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { validateNotebook } from '../../src/runner/notebook';
import type { Cell, CodeCell, Notebook, Output } from '../../src/runner/types';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'runner');
export const fixture = (name: string): string => join(FIXTURES, `${name}.ipynb`);

/** Reads a written notebook and checks it against the official nbformat 4.5 schema. */
export function readValidNotebook(path: string): Notebook {
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  expect(validateNotebook(value), `${path} is not valid nbformat 4.5`).toEqual([]);
  return value as Notebook;
}

export function cellById(notebook: Notebook, id: string): CodeCell {
  const cell = notebook.cells.find((c: Cell) => c.id === id);
  if (!cell || cell.cell_type !== 'code') throw new Error(`no code cell '${id}'`);
  return cell;
}

/** All stream text of a cell, by stream name. */
export function streamText(cell: CodeCell, name: 'stdout' | 'stderr' = 'stdout'): string {
  return cell.outputs
    .filter((o: Output) => o.output_type === 'stream' && o.name === name)
    .map((o) => (o.output_type === 'stream' ? o.text : ''))
    .join('');
}

/** The notebook without volatile fields (timing metadata), for comparing runs. */
export function withoutTiming(notebook: Notebook): Notebook {
  return {
    ...notebook,
    cells: notebook.cells.map((cell) => {
      const { execution: _execution, ...metadata } = cell.metadata;
      return { ...cell, metadata };
    }),
  };
}
