/**
 * Every number in the markdown cells of the notebooks is cited where it stands (src/facts/prose-numbers.ts
 * gives the rule): a result of the notebook is written by its code, from the value, not typed beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uncitedNumbers } from '../../src/facts';
import { projectRoot } from '../../src/paths';
import { sourceText, type Notebook } from '../../src/runner';

/** Every notebook of the project. */
const CHECKED = readdirSync(join(projectRoot(), 'notebooks'))
  .filter((file) => file.endsWith('.ipynb'))
  .map((file) => file.replace(/\.ipynb$/, ''))
  .sort();

/** One line per uncited number of `notebook`'s markdown cells, naming `file`, the cell, the line and the number. */
function uncitedIn(file: string, notebook: Pick<Notebook, 'cells'>): string[] {
  return notebook.cells.flatMap((cell, index) =>
    cell.cell_type !== 'markdown' ? [] : uncitedNumbers(sourceText(cell.source)).map((n) => `${file} cell ${index} line ${n.line}: "${n.text}" is not cited`),
  );
}

const readNotebook = (name: string): Notebook => JSON.parse(readFileSync(join(projectRoot(), 'notebooks', `${name}.ipynb`), 'utf8')) as Notebook;

describe('numbers in the notebooks’ prose', () => {
  it('covers all nine notebooks', () => expect(CHECKED).toHaveLength(9));

  it.each(CHECKED)('%s: every number in a markdown cell is cited there', (name) => {
    expect(uncitedIn(`notebooks/${name}.ipynb`, readNotebook(name))).toEqual([]);
  });

  it('fails naming notebook, cell, line and number when one is not', () => {
    const notebook = { cells: [{ id: 'a', cell_type: 'markdown' as const, metadata: {}, source: 'Intro, cited [here](https://example.org): 12.\n\nIt took some seventeen minutes.' }] };
    expect(uncitedIn('x.ipynb', notebook)).toEqual(['x.ipynb cell 0 line 3: "seventeen" is not cited']);
  });
});
