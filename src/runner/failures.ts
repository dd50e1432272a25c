/**
 * Describing a failed cell: the one-line summary used by reports and progress, and the
 * papermill-style error notes added to a failing notebook. Pure functions.
 */
import { escapeHtml } from '../show/html';
import { ERROR_NOTE_TAG } from './notebook';
import type { Cell, CellFailure, FailingCell, Notebook } from './types';

export const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/** One line describing a failure, for notes, reports and the console. */
export function failureSummary(failure: CellFailure): string {
  switch (failure.kind) {
    case 'error':
      return stripAnsi(`${failure.ename}: ${failure.evalue}`);
    case 'timeout':
      return `${failure.deadline} timeout of ${failure.limitSeconds} s passed${failure.stillBusy ? ' (kernel still busy, shut down)' : ''}`;
    case 'kernel-died':
      return `the kernel died: ${failure.message}`;
    case 'interrupted':
      return `the run was interrupted (${failure.reason}) while this cell ran`;
  }
}

/**
 * Text a kernel sent (an error message) as a block of Markdown that reads literally in every renderer:
 * an HTML `<pre>` on one line, its text through the one escaper and its line breaks as `&#10;`, so no
 * blank line can end the block and no tag or entity in the text becomes markup (a backtick span
 * ends at a blank line, after which nbconvert renders the raw HTML that follows).
 */
export function literalBlock(text: string): string {
  return `<pre class="runner-error-text">${escapeHtml(text).replace(/\r?\n/g, '&#10;')}</pre>`;
}

/** Adds papermill-style error notes: one at the top, one anchor right before the failing cell. */
export function markFailure(notebook: Notebook, failing: FailingCell): Notebook {
  const top: Cell = {
    id: 'runner-error-note',
    cell_type: 'markdown',
    metadata: { tags: [ERROR_NOTE_TAG] },
    source:
      `<span style="color:#b00020;font-size:1.5em">**Execution failed** at ` +
      `<a href="#runner-error-cell">code cell ${failing.codeCellNumber}</a> (cell id <code>${escapeHtml(failing.id)}</code>).</span>\n\n` +
      literalBlock(failureSummary(failing.failure)),
  };
  const anchor: Cell = {
    id: 'runner-error-cell',
    cell_type: 'markdown',
    metadata: { tags: [ERROR_NOTE_TAG] },
    source: '<span id="runner-error-cell" style="color:#b00020">**The run stopped at the next cell:**</span>',
  };
  const cells = [...notebook.cells];
  cells.splice(failing.index, 0, anchor);
  return { ...notebook, cells: [top, ...cells] };
}
