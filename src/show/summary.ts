import { MIME_BUNDLE, type HasMimeBundle, type MimeBundle } from '../display';
import { escapeHtml } from './html';

/**
 * What a notebook computed, as one display: a JSON object under `application/json` (read by tests
 * and tools from the executed notebook, never scraped from prose), a small table for people, and
 * text. Every notebook of the experiment (05, 06, 08, 09) ends with one.
 */
export const SUMMARY_MIME = 'application/json';

/** A summary value: numbers, strings, booleans, or arrays / objects of them. */
export type SummaryValue = number | string | boolean | null | readonly SummaryValue[] | { readonly [key: string]: SummaryValue };

export interface Summary extends HasMimeBundle {
  readonly title: string;
  readonly values: Readonly<Record<string, SummaryValue>>;
}

/** JSON has no NaN or Infinity: such numbers become null, the rest is copied. */
function jsonSafe(value: SummaryValue): SummaryValue {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((v: SummaryValue) => jsonSafe(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, SummaryValue>).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

function formatValue(value: SummaryValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A summary of named results: `summary('05 · results', { testAccuracy: 0.98, samplesPerSecond: 950 })`. */
export function summary(title: string, values: Record<string, SummaryValue>): Summary {
  const safe = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, jsonSafe(v)]));
  return {
    title,
    values: safe,
    [MIME_BUNDLE](): MimeBundle {
      const entries = Object.entries(safe);
      const width = Math.max(0, ...entries.map(([k]) => k.length));
      const text = [title, ...entries.map(([k, v]) => `  ${k.padEnd(width)}  ${formatValue(v)}`)].join('\n');
      const rows = entries.map(([k, v]) => `<tr><td><code>${escapeHtml(k)}</code></td><td style="text-align:right">${escapeHtml(formatValue(v))}</td></tr>`).join('');
      return {
        [SUMMARY_MIME]: { title, ...safe },
        'text/plain': text,
        'text/html': `<p><b>${escapeHtml(title)}</b></p><table><tbody>${rows}</tbody></table>`,
      };
    },
  };
}
