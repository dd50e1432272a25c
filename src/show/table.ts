import { MIME_BUNDLE, type HasMimeBundle, type MimeBundle } from '../display';
import { escapeHtml } from './html';

/**
 * The project's one table for notebooks (prices, training runs, model variants and their accuracy,
 * bytes, speed, cost): HTML for notebooks, Markdown and aligned text elsewhere, and the rows as
 * data for tools and tests. Every notebook that shows rows (01-09) uses it.
 */

/** A column in full: which key, its header with the unit (e.g. `USD per 1M predictions`), how a value is written. */
export interface TableColumnSpec<T> {
  readonly key: keyof T & string;
  /** Header (default: the key). */
  readonly label?: string;
  /** How a value is written (default: `formatCell`). */
  readonly format?: (value: T[keyof T & string]) => string;
}

/** A column: a key of the rows (its header is the key), or a full spec. */
export type TableColumn<T> = (keyof T & string) | TableColumnSpec<T>;

export interface ResultsTable<T> extends HasMimeBundle {
  readonly rows: readonly T[];
}

/** What a missing value (null, undefined, NaN, ±Infinity) shows as. */
export const MISSING_CELL = '—';

/** A value as a cell: integers with thousands separators, other numbers to 4 significant digits, missing as `—`. */
export function formatCell(value: unknown): string {
  if (value === undefined || value === null) return MISSING_CELL;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return MISSING_CELL;
    return Number.isInteger(value) ? value.toLocaleString('en-US') : Number(value.toPrecision(4)).toString();
  }
  return String(value);
}

/** Text for one Markdown table cell: `|` escaped, line breaks as spaces. */
export function markdownCell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}

function oneLine(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ');
}

function specOf<T>(column: TableColumn<T>): Required<Pick<TableColumnSpec<T>, 'key' | 'label'>> & Pick<TableColumnSpec<T>, 'format'> {
  return typeof column === 'string' ? { key: column, label: column } : { ...column, label: column.label ?? column.key };
}

/**
 * `rows` as a table of `columns`: numeric columns (every present value a number) align right,
 * the rest left; missing values show as `—`; Markdown escapes `|`, HTML escapes its text.
 */
export function resultsTable<T extends object>(rows: readonly T[], columns: ReadonlyArray<TableColumn<T>>): ResultsTable<T> {
  if (columns.length === 0) throw new RangeError('resultsTable: give at least one column');
  const specs = columns.map(specOf);
  return {
    rows,
    [MIME_BUNDLE](): MimeBundle {
      const labels = specs.map((c) => oneLine(c.label));
      const cells = rows.map((row) => specs.map((c) => oneLine(c.format ? c.format(row[c.key]) : formatCell(row[c.key]))));
      const right = specs.map((c) => rows.some((row) => typeof row[c.key] === 'number') && rows.every((row) => typeof row[c.key] === 'number' || row[c.key] === null || row[c.key] === undefined));
      const widths = specs.map((_, j) => Math.max(labels[j]!.length, ...cells.map((r) => r[j]!.length)));
      const line = (values: string[]) => values.map((v, j) => (right[j] ? v.padStart(widths[j]!) : v.padEnd(widths[j]!))).join('  ').trimEnd();
      const text = [line(labels), ...cells.map(line)].join('\n');
      const markdown = [
        `| ${labels.map(markdownCell).join(' | ')} |`,
        `|${right.map((r) => (r ? ' ---: ' : ' --- ')).join('|')}|`,
        ...cells.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
      ].join('\n');
      const head = labels.map((label) => `<th>${escapeHtml(label)}</th>`).join('');
      const body = cells.map((r) => `<tr>${r.map((v, j) => `<td style="text-align:${right[j] ? 'right' : 'left'}">${escapeHtml(v)}</td>`).join('')}</tr>`).join('');
      return {
        'text/plain': text,
        'text/markdown': markdown,
        'text/html': `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`,
      };
    },
  };
}
