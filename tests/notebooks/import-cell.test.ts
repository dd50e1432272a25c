/**
 * Notebooks 01 (prices) and 04 (mathematics on plain numbers) need no tensors: their import cells
 * must not pay for loading TensorFlow.js. The cell's imports are required in a fresh Node process
 * from the notebooks folder, as the kernel requires them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { sourceText, type Notebook } from '../../src/runner/types';
import { modulesLoadedBy, tensorflowFiles } from '../imports/loaded';

const folder = join(projectRoot(), 'notebooks');

/** The module specifiers the first code cell that imports the library imports. */
function importCellSpecifiers(name: string): string[] {
  const notebook = JSON.parse(readFileSync(join(folder, `${name}.ipynb`), 'utf8')) as Notebook;
  for (const cell of notebook.cells) {
    if (cell.cell_type !== 'code') continue;
    const specifiers = ts.preProcessFile(sourceText(cell.source), true, true).importedFiles.map((f) => f.fileName);
    if (specifiers.some((s) => s === 'llm-price-lab' || s.startsWith('llm-price-lab/'))) return specifiers;
  }
  throw new Error(`${name}.ipynb: no code cell imports llm-price-lab`);
}

describe('the import cell of 01-background', () => {
  const specifiers = importCellSpecifiers('01-background');

  it('imports parts of the library, not the whole', () => {
    expect(specifiers).toContain('llm-price-lab/cost');
    expect(specifiers).not.toContain('llm-price-lab');
  });

  it('loads no module of TensorFlow.js', () => {
    const loaded = modulesLoadedBy(specifiers, folder);
    expect(loaded).toContain(join(projectRoot(), 'dist', 'src', 'cost', 'index.js'));
    expect(tensorflowFiles(loaded)).toEqual([]);
  });

  it('where the whole library would load it', () => {
    expect(tensorflowFiles(modulesLoadedBy(['llm-price-lab'], folder)).length).toBeGreaterThan(0);
  });
});

describe('the import cell of 04-math', () => {
  const specifiers = importCellSpecifiers('04-math');

  it('imports the plain-number algorithms, and loads no module of TensorFlow.js', () => {
    expect(specifiers).toContain('llm-price-lab/math');
    expect(specifiers).not.toContain('llm-price-lab/algorithms');
    const loaded = modulesLoadedBy(specifiers, folder);
    expect(loaded).toContain(join(projectRoot(), 'dist', 'src', 'algorithms', 'math.js'));
    expect(tensorflowFiles(loaded)).toEqual([]);
  });

  it('where the algorithms entry, with the MLP and attention, would load it', () => {
    expect(tensorflowFiles(modulesLoadedBy(['llm-price-lab/algorithms'], folder)).length).toBeGreaterThan(0);
  });
});
