import { MIME_BUNDLE, type HasMimeBundle, type MimeBundle } from '../display';
import { escapeHtml } from './html';

/**
 * A table of results for a notebook (model variants and their accuracy, bytes, speed, cost): HTML
 * for notebooks, Markdown and aligned text elsewhere, and the rows as JSON for tools and tests.
 */
export interface TableColumn<T> {
  readonly key: keyof T & string;
  /** Header, with its unit, e.g. `USD per 1M predictions`. */
  readonly label: string;
  /** How a value is written (default: numbers to 4 significant digits). */
  readonly format?: (value: T[keyof T & string]) => string;
}

export interface ResultsTable<T> extends HasMimeBundle {
  readonly rows: readonly T[];
}

function defaultFormat(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '—';
    return Number.isInteger(value) ? value.toLocaleString('en-US') : Number(value.toPrecision(4)).toString();
  }
  return value === undefined || value === null ? '' : String(value);
}

export function resultsTable<T extends object>(rows: readonly T[], columns: ReadonlyArray<TableColumn<T>>): ResultsTable<T> {
  if (columns.length === 0) throw new RangeError('resultsTable: give at least one column');
  return {
    rows,
    [MIME_BUNDLE](): MimeBundle {
      const cells = rows.map((row) => columns.map((c) => (c.format ?? defaultFormat)(row[c.key])));
      const widths = columns.map((c, j) => Math.max(c.label.length, ...cells.map((r) => r[j]!.length)));
      const line = (values: string[]) => values.map((v, j) => (j === 0 ? v.padEnd(widths[j]!) : v.padStart(widths[j]!))).join('  ');
      const text = [line(columns.map((c) => c.label)), ...cells.map(line)].join('\n');
      const markdown = [
        `| ${columns.map((c) => c.label).join(' | ')} |`,
        `|${columns.map((_, j) => (j === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
        ...cells.map((r) => `| ${r.join(' | ')} |`),
      ].join('\n');
      const head = columns.map((c) => `<th>${escapeHtml(c.label)}</th>`).join('');
      const body = cells.map((r) => `<tr>${r.map((v, j) => `<td style="text-align:${j === 0 ? 'left' : 'right'}">${escapeHtml(v)}</td>`).join('')}</tr>`).join('');
      return {
        'text/plain': text,
        'text/markdown': markdown,
        'text/html': `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`,
      };
    },
  };
}
