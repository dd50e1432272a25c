/** Computed prose, its formatters, and claims checked on the values (src/facts). */
import { describe, expect, it } from 'vitest';
import { MIME_BUNDLE } from '../../src/display';
import { ClaimError, CLAIMS_MIME, createClaims, fmt, prose, ProseValueError } from '../../src/facts';

describe('formatters', () => {
  it('write each kind of figure as a reader expects it', () => {
    expect(fmt.int(347146)).toBe('347,146');
    expect(fmt.num(0.96987)).toBe('0.970');
    expect(fmt.num(6.912, 2)).toBe('6.9');
    expect(fmt.num(8000)).toBe('8,000');
    expect(fmt.num(2.5e-7)).toBe('2.50e-7');
    expect(fmt.num(-3.14159)).toBe('\u22123.14');
    expect(fmt.num(0, 2)).toBe('0');
    expect(fmt.fixed(0.9, 3)).toBe('0.900');
    expect(fmt.year(2020)).toBe('2020');
    expect(() => fmt.year(2020.5)).toThrow(RangeError);
    expect(fmt.pct(0.346)).toBe('34.6%');
    expect(fmt.factor(6.93)).toBe('6.9x');
    expect(fmt.usd(-379.78)).toBe('\u2212$379.78');
    expect(fmt.usd(1234.5)).toBe('$1,235');
    expect(fmt.usd(379.781)).toBe('$379.78');
    expect(fmt.usd(8.35e-4)).toBe('$0.00084');
    expect(fmt.usd(2.73e-7)).toBe('$2.7e-7');
    expect(fmt.usd(0.0114)).toBe('$0.011');
    expect(fmt.usd(0.6)).toBe('$0.60');
    expect(fmt.withInterval(0.97, { low: 0.958, high: 0.979, level: 0.95 }, (v) => fmt.fixed(v, 3))).toBe('0.970 (95% CI 0.958–0.979)');
  });
});

describe('prose', () => {
  it('builds markdown from computed values and shows it as markdown, HTML and text', () => {
    const accuracy = 0.96987;
    const text = prose`The test accuracy is **${fmt.fixed(accuracy, 3)}** on ${fmt.int(1000)} digits, ${accuracy * 100}% of them, from epoch ${3}.`;
    expect(text.markdown).toBe('The test accuracy is **0.970** on 1,000 digits, 97.0% of them, from epoch 3.');
    const bundle = text[MIME_BUNDLE]();
    expect(bundle['text/markdown']).toBe(text.markdown);
    expect(bundle['text/plain']).toBe(text.markdown);
    expect(bundle['text/html']).toBe('<p>The test accuracy is <strong>0.970</strong> on 1,000 digits, 97.0% of them, from epoch 3.</p>\n');
    expect(CLAIMS_MIME in bundle).toBe(false);
  });

  it('refuses a value it cannot write, naming its place in the template', () => {
    expect(() => prose`a ${'x'} b ${{ low: 1 }}`).toThrow(ProseValueError);
    expect(() => prose`a ${'x'} b ${Number.NaN}`).toThrow('prose: value 2 of the template is the number NaN');
  });

  it('escapes HTML in the markdown it renders', () => {
    expect(prose`${'<script>'}`[MIME_BUNDLE]()['text/html']).toBe('<p>&lt;script&gt;</p>\n');
  });
});

describe('claims', () => {
  const losses = { validationLossAtEpoch3: 0.149, validationLossLast: 0.128 };

  it('states a claim that holds, and records it in the output that carries it', () => {
    const claims = createClaims('default');
    const flat = claims.claim({
      id: 'val-loss-flat',
      holds: losses.validationLossLast > 0.5 * losses.validationLossAtEpoch3,
      values: losses,
      text: prose`Validation loss stays near ${fmt.num(losses.validationLossLast)} from epoch 3 on.`,
    });
    const paragraph = prose`Training loss keeps falling. ${flat}`;
    expect(paragraph.markdown).toBe('Training loss keeps falling. Validation loss stays near 0.128 from epoch 3 on.');
    expect(paragraph[MIME_BUNDLE]()[CLAIMS_MIME]).toEqual({ claims: [{ id: 'val-loss-flat', status: 'held', profile: 'default', values: losses }] });
    expect(claims.records().map((r) => r.id)).toEqual(['val-loss-flat']);
  });

  it('fails, naming the claim and its values, when the data do not bear it out', () => {
    const claims = createClaims('default');
    const falling = { id: 'loss-falls-together', holds: losses.validationLossLast < 0.5 * losses.validationLossAtEpoch3, values: losses, text: 'Both losses fall together.' };
    expect(() => claims.claim(falling)).toThrow(ClaimError);
    expect(() => createClaims('default').claim(falling)).toThrow(
      'claim "loss-falls-together" does not hold under the default profile (validationLossAtEpoch3 = 0.149, validationLossLast = 0.128): rewrite it to say what the data say',
    );
  });

  it('replaces a claim about another profile by a note that it is not checked, never passing it, even when its condition fails', () => {
    const claims = createClaims('smoke');
    const stated = claims.claim({ id: 'above-094', holds: false, values: { low: 0.91 }, text: 'The interval lies above 0.94.', profiles: ['default'] });
    expect(stated.markdown).toBe('*(A claim about the default run, `above-094`, is not checked under the smoke profile.)*');
    expect(claims.records()).toEqual([{ id: 'above-094', status: 'not-checked', profile: 'smoke', values: { low: 0.91 } }]);
    claims.claim({ id: 'below-1', holds: true, values: { low: 0.91 }, text: 'The interval lies below 1.' });
    expect(claims.tally()).toEqual({ claimsHeld: 'below-1', claimsNotChecked: 'above-094' });
  });

  it('refuses the same id twice', () => {
    const claims = createClaims('default');
    claims.claim({ id: 'x', holds: true, values: {}, text: 'x' });
    expect(() => claims.claim({ id: 'x', holds: true, values: {}, text: 'x' })).toThrow('claim "x" is stated twice');
  });
});
