/**
 * Prose built from computed values: a sentence that reports a result is written as a template
 * whose figures are the values themselves, and shown as the cell's output (markdown, with the same
 * text as HTML and plain text), so it reads the same in the executed notebook, nbconvert's HTML,
 * JupyterLab and GitHub, and cannot go stale. Claims (claims.ts) placed in it are checked.
 *
 *   prose`The test accuracy is ${withInterval(acc, interval, (v) => fixed(v, 3))}.`
 */
import MarkdownIt from 'markdown-it';
import { MIME_BUNDLE, type HasMimeBundle, type MimeBundle } from '../display';
import { int, num } from './format';
import { ProjectError } from '../errors';

/** The MIME type under which a prose output lists the claims it states (claims.ts). */
export const CLAIMS_MIME = 'application/vnd.llm-price-lab.claims+json';

/** What a checked claim records in the output that states it. */
export interface ClaimRecord {
  id: string;
  /** `held`: its condition was evaluated and is true; `not-checked`: it is not claimed for this profile. */
  status: 'held' | 'not-checked';
  profile: string;
  values: Record<string, number | string | boolean>;
}

/** Something that can stand in prose: its markdown, and the claims it carries. */
export interface ProsePart {
  readonly markdown: string;
  readonly claims: readonly ClaimRecord[];
}

export interface Prose extends HasMimeBundle, ProsePart {}

/** A value placed in a prose template was not text, a finite number or a prose part. */
export class ProseValueError extends ProjectError<{ position: number; value: unknown }> {
  constructor(readonly position: number, readonly value: unknown) {
    super(`prose: value ${position + 1} of the template is ${describe(value)}; write it with a formatter of llm-price-lab/facts (num, int, pct, usd, …) first`, { position, value });
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (value === null || value === undefined) return String(value);
  return `a${/^[aeiou]/.test(typeof value) ? 'n' : ''} ${typeof value}`;
}

function isPart(value: unknown): value is ProsePart {
  return typeof value === 'object' && value !== null && typeof (value as ProsePart).markdown === 'string' && Array.isArray((value as ProsePart).claims);
}

let renderer: ReturnType<typeof MarkdownIt> | undefined;
/** The markdown renderer, made on first use (nothing is built when the module loads). */
const render = (markdown: string): string => (renderer ??= new MarkdownIt({ html: false, linkify: false, typographer: false })).render(markdown);

/** A prose output from markdown and the claims stated in it. */
export function proseOf(markdown: string, claims: readonly ClaimRecord[] = []): Prose {
  return {
    markdown,
    claims,
    [MIME_BUNDLE](): MimeBundle {
      const bundle: MimeBundle = { 'text/markdown': markdown, 'text/html': render(markdown), 'text/plain': markdown };
      if (claims.length) bundle[CLAIMS_MIME] = { claims };
      return bundle;
    },
  };
}

/**
 * Markdown with computed figures. Each value is text (already formatted), a finite number (a whole
 * one as a count, `int`; else `num`, three significant digits), or a prose part (a claim, another
 * template).
 */
export function prose(strings: TemplateStringsArray, ...values: unknown[]): Prose {
  let markdown = strings[0] ?? '';
  const claims: ClaimRecord[] = [];
  values.forEach((value, index) => {
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' && Number.isFinite(value)) text = Number.isInteger(value) ? int(value) : num(value);
    else if (isPart(value)) {
      text = value.markdown;
      claims.push(...value.claims);
    } else throw new ProseValueError(index, value);
    markdown += text + (strings[index + 1] ?? '');
  });
  return proseOf(markdown, claims);
}
