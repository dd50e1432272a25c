/** Rows of values as a Markdown table (for notebook display); `|` and newlines in cells are escaped. */
export function markdownTable<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const cell = (v: unknown): string => (v === null || v === undefined ? '—' : String(v)).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const head = `| ${columns.join(' | ')} |`;
  const rule = `| ${columns.map(() => '---').join(' | ')} |`;
  return [head, rule, ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`)].join('\n');
}
