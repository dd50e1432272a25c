import escape from 'escape-html';

/**
 * Text made safe for HTML element content and for quoted attribute values: `&`, `<`, `>`, `"` and
 * `'` become `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;` (escape-html, the escaper Express uses).
 * The one HTML escaper of the project: summaries, tables, charts, progress lines, the backend
 * report and the runner's index page all go through it. Also valid for XML (JUnit reports).
 */
export function escapeHtml(text: string): string {
  return escape(text);
}
