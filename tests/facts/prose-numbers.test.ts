/** The rule that finds numbers in markdown prose and says whether each is cited (src/facts/prose-numbers.ts). */
import { describe, expect, it } from 'vitest';
import { proseNumbers, uncitedNumbers } from '../../src/facts/prose-numbers';

const texts = (markdown: string): string[] => proseNumbers(markdown).numbers.map((n) => n.text);
const setAside = (markdown: string): string[] => proseNumbers(markdown).setAside.map((n) => `${n.text}:${n.why}`);

describe('numbers in prose', () => {
  it('finds figures in digits in their usual forms, and number words', () => {
    expect(texts('It reports 0.94 on 8,000 images, 3.4x faster, $4.6M, 1e-7 and 35–45% of peak; some seventeen minutes.')).toEqual([
      '0.94', '8,000', '3.4x', '4.6M', '1e-7', '35', '45', 'seventeen',
    ]);
    expect(texts('A 10,000-image file, twenty-five cells; 13 × 13 × 32 = 5,408 features, twice as fast, half the day.')).toEqual([
      '10,000-image', 'twenty-five', '13', '13', '32', '5,408', 'twice', 'half',
    ]);
  });

  it('does not count "one", which is also a pronoun', () => {
    expect(texts('One module per concept; the one assumption.')).toEqual([]);
  });

  it('sets aside names with digits, by their form', () => {
    expect(texts('GPT-3, H100, FP8, Conv2D and Llama 3.1 405B; Python 3 runs.')).toEqual([]);
    expect(setAside('GPT-3, H100, FP8, Conv2D and Llama 3.1 405B; Python 3 runs.')).toEqual([
      'GPT-3:name', 'H100:name', 'FP8:name', 'Conv2D:name', '3.1:name', '405B:name', '3:name',
    ]);
  });

  it('keeps quantities that follow an abbreviation or a possessive, or carry a currency, factor or percent mark', () => {
    expect(texts('(90% CI 5.1–9.4), Jia’s 0.94, Epoch AI 11.8x, Lambda $2.49, Llama 12%')).toEqual(['90', '5.1', '9.4', '0.94', '11.8x', '2.49', '12']);
  });

  it('sets aside dates: years, ISO dates and days beside a month, but not a year misprinted with a separator', () => {
    expect(setAside('In 2020 prices fell; on 2024-10-01, in 2024-10 and on 10 March.')).toEqual(['2020:date', '2024-10-01:date', '2024-10:date', '10:date']);
    expect(texts('In 2,020 prices fell.')).toEqual(['2,020']);
  });

  it('sets aside references and lists of them, and the number opening a heading, within one phrase only', () => {
    expect(setAside('Notebooks 06, 08 and 09 reuse section 5 and figure 2.')).toEqual(['06:reference', '08:reference', '09:reference', '5:reference', '2:reference']);
    expect(texts('See figure 2. 90% of it; cells; $-379.78.')).toEqual(['90', '379.78']);
    expect(proseNumbers('## 3. Results at 0.5').numbers.map((n) => n.text)).toEqual(['0.5']);
  });

  it('reads no code, HTML or link target as prose', () => {
    expect(texts('Code `x = 12` is not prose, nor <span title="7">this</span>, nor [the link](https://example.org/42).\n\n```ts\nconst n = 99;\n```\n')).toEqual([]);
  });

  it('counts a number as cited when its paragraph links a web source or names a sourced data file; a table cites as a whole', () => {
    const markdown = [
      'Epoch AI measured 11.8x ([source](https://epoch.ai/data)).',
      '',
      'The H100 rents for $2.49 an hour (`hardware.csv`).',
      '',
      'This 0.5 is uncited, and so is [this 3](other-notebook.ipynb).',
      '',
      '- an item with 4, uncited',
      '- an item with 5, cited [here](https://example.org)',
      '',
      '| a | b |',
      '|---|---|',
      '| 7 | [source](https://example.org) |',
    ].join('\n');
    expect(uncitedNumbers(markdown).map((n) => `${n.text}@${n.line}`)).toEqual(['0.5@5', '3@5', '4@7']);
    expect(proseNumbers(markdown).numbers.filter((n) => n.cited).map((n) => n.text)).toEqual(['11.8x', '2.49', '5', '7']);
  });

  it('takes a bare URL for a link, as Jupyter shows it, and reads none of its digits as prose', () => {
    expect(proseNumbers('Vaswani et al. 2017, https://arxiv.org/abs/1706.03762, report 28.4 BLEU.').numbers).toEqual([{ text: '28.4', line: 1, cited: true }]);
  });

  it('gives the line of each number within the cell', () => {
    expect(uncitedNumbers('first line\nsecond has 2.5\n\n> quoted 7').map((n) => `${n.text}@${n.line}`)).toEqual(['2.5@2', '7@4']);
  });
});
