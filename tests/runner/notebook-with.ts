import type { Notebook } from '../../src/runner/types';

/** A notebook whose parameters cell holds `parameters`, between a markdown cell and a cell using `epochs`. */
export function notebookWith(parameters: string): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'llm-price-lab' } },
    cells: [
      { id: 'md', cell_type: 'markdown', metadata: {}, source: '# t' },
      { id: 'p', cell_type: 'code', metadata: { tags: ['parameters'] }, source: parameters, outputs: [], execution_count: null },
      { id: 'w', cell_type: 'code', metadata: {}, source: 'console.log(epochs)', outputs: [], execution_count: null },
    ],
  };
}
