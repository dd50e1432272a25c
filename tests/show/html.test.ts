import { describe, expect, it } from 'vitest';
import { MIME_BUNDLE } from '../../src/display';
import { escapeHtml, summary } from '../../src/show';
import { indexHtml } from '../../src/runner/export';
import type { NotebookReport } from '../../src/runner/types';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml('&')).toBe('&amp;');
    expect(escapeHtml('<')).toBe('&lt;');
    expect(escapeHtml('>')).toBe('&gt;');
    expect(escapeHtml('"')).toBe('&quot;');
    expect(escapeHtml("'")).toBe('&#39;');
    expect(escapeHtml(`<a href="x" title='y'>Q&A</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Q&amp;A&lt;/a&gt;');
  });

  it('escapes an ampersand once, so entities in the text stay visible as written', () => {
    expect(escapeHtml('&amp; &lt;')).toBe('&amp;amp; &amp;lt;');
  });

  it('leaves other text alone, including non-ASCII and the empty string', () => {
    expect(escapeHtml('')).toBe('');
    expect(escapeHtml('USD per 1M tokens · 2.5×, naïve')).toBe('USD per 1M tokens · 2.5×, naïve');
    expect(escapeHtml('a\nb\tc')).toBe('a\nb\tc');
  });

  it('is what the summary bundle uses for titles, keys and values', () => {
    const html = summary(`"quoted" <title>`, { "it's": 'a & b' })[MIME_BUNDLE]()['text/html'] as string;
    expect(html).toBe('<p><b>&quot;quoted&quot; &lt;title&gt;</b></p><table><tbody><tr><td><code>it&#39;s</code></td><td style="text-align:right">a &amp; b</td></tr></tbody></table>');
  });

  it('keeps a quote in a notebook name from breaking the index page link', () => {
    const report = { name: `it's "01"`, notebook: 'notebooks/x.ipynb', status: 'passed', html: '/out/html/a"b.html', cellsRun: 1, codeCells: 1, seconds: 1 } as unknown as NotebookReport;
    expect(indexHtml([report], '/out/html')).toContain('<a href="a&quot;b.html">it&#39;s &quot;01&quot;</a>');
  });
});
