import { describe, expect, it } from 'vitest';
import { MIME_BUNDLE } from '../../src/display';
import { imagesAt } from '../../src/data/images';
import { resultsTable, summary, SUMMARY_MIME } from '../../src/show';

describe('summary bundle', () => {
  it('carries the values as JSON (non-finite numbers as null), a table and text', () => {
    const s = summary('05 · results', { testAccuracy: 0.98137, backend: 'wasm', curve: [1, NaN], nested: { x: Infinity } });
    const bundle = s[MIME_BUNDLE]();
    expect(bundle[SUMMARY_MIME]).toEqual({ title: '05 · results', testAccuracy: 0.98137, backend: 'wasm', curve: [1, null], nested: { x: null } });
    expect(bundle['text/plain']).toContain('testAccuracy  0.9814');
    expect(bundle['text/html']).toContain('<code>backend</code>');
    expect(JSON.parse(JSON.stringify(bundle[SUMMARY_MIME]))).toEqual(bundle[SUMMARY_MIME]);
  });
});

describe('results table', () => {
  const rows = [
    { variant: 'float32 <base>', bytes: 1_356_056, accuracy: 0.98765 },
    { variant: 'int8', bytes: 339_034, accuracy: NaN },
  ];
  it('writes aligned text, Markdown and escaped HTML with formatted numbers', () => {
    const bundle = resultsTable(rows, [
      { key: 'variant', label: 'model' },
      { key: 'bytes', label: 'weights (bytes)' },
      { key: 'accuracy', label: 'accuracy', format: (v) => (Number.isNaN(v) ? 'n/a' : (v as number).toFixed(3)) },
    ])[MIME_BUNDLE]();
    expect(String(bundle['text/plain']).split('\n')).toEqual([
      'model           weights (bytes)  accuracy',
      'float32 <base>        1,356,056     0.988',
      'int8                    339,034       n/a',
    ]);
    expect(bundle['text/markdown']).toContain('| int8 | 339,034 | n/a |');
    expect(bundle['text/html']).toContain('float32 &lt;base&gt;');
  });
  it('refuses a table without columns', () => {
    expect(() => resultsTable(rows, [])).toThrow(/at least one column/);
  });

  it('takes plain keys as columns, escapes | in Markdown and shows missing values as a dash', () => {
    const bundle = resultsTable([{ a: 'x|y', b: null }, { a: 'l1\nl2', b: 3 }, { a: undefined, b: 1234.5678 }], ['a', 'b'])[MIME_BUNDLE]();
    expect(bundle['text/markdown']).toBe('| a | b |\n| --- | ---: |\n| x\\|y | — |\n| l1 l2 | 3 |\n| — | 1235 |');
    expect(String(bundle['text/plain']).split('\n')).toEqual(['a         b', 'x|y       —', 'l1 l2     3', '—      1235']);
  });

  it('escapes quotes, apostrophes and markup in HTML headers and cells', () => {
    const html = resultsTable([{ name: `"it's" <b>`, usd: 2.5 }], [{ key: 'name', label: 'name & kind' }, 'usd'])[MIME_BUNDLE]()['text/html'];
    expect(html).toBe(
      '<table><thead><tr><th>name &amp; kind</th><th>usd</th></tr></thead>' +
        '<tbody><tr><td style="text-align:left">&quot;it&#39;s&quot; &lt;b&gt;</td><td style="text-align:right">2.5</td></tr></tbody></table>',
    );
  });

  it('escapes | in headers too and keeps text columns left-aligned', () => {
    const bundle = resultsTable([{ 'in|out': 'a', n: 'b' }], ['in|out', 'n'])[MIME_BUNDLE]();
    expect(bundle['text/markdown']).toBe('| in\\|out | n |\n| --- | --- |\n| a | b |');
  });
});

describe('images of a digit set', () => {
  const set = { images: Float32Array.from({ length: 3 * 4 }, (_, i) => i / 16), labels: Uint8Array.of(0, 1, 2), count: 3, rows: 2, cols: 2, classes: 3, source: 'tiny' };
  it('copies the grey levels at the given positions', () => {
    const [a, b] = imagesAt(set, [2, 0]);
    expect(Array.from(a!)).toEqual([8, 9, 10, 11].map((v) => v / 16));
    expect(Array.from(b!)).toEqual([0, 1, 2, 3].map((v) => v / 16));
  });
  it('names a position outside the set', () => {
    expect(() => imagesAt(set, [3])).toThrow(/position 3 is not in 0..2 of tiny/);
  });
});
