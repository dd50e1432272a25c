/**
 * Finds the numbers a reader reads in a markdown cell and whether each is cited there. A number in
 * prose is either computed (then it belongs in a cell's output, built from the value) or sourced
 * (then its source stands beside it): this module is the check behind that rule.
 *
 * The rule, word for word (docs/facts.md repeats it):
 *
 * - **A number** is a figure in digits (`0.94`, `8,000`, `1e-7`, `35–45%` is two, `3.4x`, `$4.6M`,
 *   `10,000-image`) or a number word (`two` … `nineteen`, the tens, `hundred`, `thousand`, `million`,
 *   `billion`, `trillion`, `dozen`, `half`, `twice`, `thrice`; `one` is not counted, being also a
 *   pronoun, nor `zero`, which prose uses for a state, "set to zero", more than for a result).
 *   Text in code spans, code blocks, HTML and link targets is not prose.
 * - **Not numbers**, recognised by their form, never by a list per notebook:
 *   - *names*: digits joined to letters in one word (`H100`, `GPT-3`, `FP8`, `Conv2D`, `405B`), and
 *     figures that follow a name without punctuation (`Llama 3.1 405B`, `Python 3`), where a name is a
 *     word of a capital then a small letter (`Llama`, `LeNet`; not an abbreviation in capitals such
 *     as `CI`) that is not an ordinary word opening a sentence (`In 2020`). A currency sign or a
 *     factor or percent mark (`$`, `x`, `×`, `%`) always makes a quantity, never a name;
 *   - *dates*: years 1900–2099, ISO dates (`2024-10`, `2024-10-01`), and day numbers beside a month;
 *   - *references*: figures after `section`, `notebook`, `cell`, `step`, `figure`, `table`, `chapter`,
 *     `part`, `tier`, `row`, `column`, `line`, `page`, `issue`, `arXiv`, `doi`, `ISBN`, `§` or `#`
 *     (and lists of them: `notebooks 06, 08 and 09`), and the number that opens a heading.
 *   - *units*: `hundred`, `thousand`, `million`, `billion`, `trillion` or `dozen` after `per`
 *     (`a cost per million tokens`).
 * - **Formulas** in TeX delimiters (`$x^2$`, `$$…$$`, as Jupyter renders them) are not prose either:
 *   an opening `$` is followed by a non-space, a closing one follows a non-space and is not followed by
 *   a digit (pandoc's rule), so `from $60 to $0.06` stays prose.
 * - **Cited** means that the paragraph (list item, quoted paragraph; a table as a whole) holds a
 *   link to a web source, or names a file of the project's sourced data in a code span
 *   (`` `hardware.csv` ``).
 */
import MarkdownIt from 'markdown-it';

/** One number found in prose. */
export interface ProseNumber {
  /** As written (`8,000`, `3.4x`, `seventeen`). */
  text: string;
  /** 1-based line within the markdown. */
  line: number;
  /** Whether its paragraph carries a citation. */
  cited: boolean;
}

/** Something that looks like a number and is not one by the rule, with the reason. */
export interface NotANumber {
  text: string;
  line: number;
  why: 'name' | 'date' | 'reference' | 'unit';
}

export interface ProseNumbers {
  numbers: ProseNumber[];
  /** What the rule set aside (for explaining a verdict). */
  setAside: NotANumber[];
}

const NUMBER_WORDS = new Set([
  'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen',
  'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty', 'thirty', 'forty', 'fifty',
  'sixty', 'seventy', 'eighty', 'ninety', 'hundred', 'hundreds', 'thousand', 'thousands', 'million', 'millions',
  'billion', 'billions', 'trillion', 'trillions', 'dozen', 'dozens', 'half', 'twice', 'thrice',
]);
/** Number words that name a unit after "per" (`per million tokens`). */
const MAGNITUDES = new Set(['hundred', 'thousand', 'million', 'billion', 'trillion', 'dozen']);
const REFERENCE_WORDS = new Set([
  'section', 'sections', 'notebook', 'notebooks', 'cell', 'cells', 'step', 'steps', 'figure', 'figures', 'table',
  'tables', 'chapter', 'chapters', 'part', 'parts', 'tier', 'tiers', 'row', 'rows', 'column', 'columns', 'line',
  'lines', 'page', 'pages', 'issue', 'issues', 'arxiv', 'doi', 'isbn',
]);
const MONTHS = new Set([
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
]);
/** Ordinary words that open a sentence before a figure ("In 2020", "About 40"): not names. */
const SENTENCE_OPENERS = new Set([
  'a', 'about', 'above', 'across', 'after', 'all', 'almost', 'along', 'also', 'an', 'and', 'around', 'as', 'at',
  'below', 'between', 'both', 'but', 'by', 'each', 'every', 'for', 'from', 'here', 'in', 'into', 'its', 'just',
  'less', 'more', 'nearly', 'no', 'of', 'on', 'only', 'or', 'over', 'per', 'roughly', 'since', 'so', 'some',
  'than', 'that', 'the', 'then', 'there', 'these', 'this', 'those', 'to', 'under', 'until', 'up', 'with', 'within',
  'without', 'yet', 'if', 'when', 'while', 'where', 'which', 'what', 'who', 'how', 'why', 'it', 'we', 'they',
  'you', 'he', 'she', 'is', 'are', 'was', 'were', 'be', 'been', 'has', 'have', 'had', 'do', 'does', 'did',
  'not', 'once', 'twice', 'most', 'many', 'few', 'several', 'any', 'other', 'another', 'such', 'same', 'one',
  'first', 'last', 'next', 'even', 'still', 'instead', 'both', 'either', 'neither', 'now', 'today', 'again',
]);
/** Marks after a figure that make it a quantity whatever precedes it. */
const QUANTITY_SUFFIX = /^(?:x|×|%)$/;
/** A figure with a quantity suffix in one word: `3.4x`, `12%`. */
const FACTOR_WORD = /^\d[\d,.]*(?:x|×|%)$/;
const PURE_FIGURE = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+−]?\d+)?$/i;
const LEADING_FIGURE_COMPOUND = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?-[\p{L}]/u;
const ISO_DATE = /^(?:19|20)\d\d-(?:0[1-9]|1[0-2])(?:-\d\d)?$/;
const YEAR = /^(?:19|20)\d\d$/;

interface Word {
  text: string;
  start: number;
  end: number;
}

/** Words of prose: runs of letters and digits, with inner `.` `,` `-` `'` between them kept in the word. */
function words(text: string): Word[] {
  const found: Word[] = [];
  const pattern = /[\p{L}\p{N}](?:[\p{L}\p{N}]|[.,'’-](?=[\p{L}\p{N}]))*/gu;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    found.push({ text: match[0], start, end: start + match[0].length });
  }
  return found;
}

const hasDigit = (text: string): boolean => /\p{N}/u.test(text);
const hasLetter = (text: string): boolean => /\p{L}/u.test(text);
/** A name's shape: a capital then a small letter (`Llama`, `Python`, `LeNet`); all capitals (`CI`, `USD`) is an abbreviation. */
const isNameShaped = (text: string): boolean => /^\p{Lu}\p{Ll}/u.test(text);

/** Whether the word at `index` opens a sentence (nothing but spaces and opening marks since a full stop or the start). */
function opensSentence(text: string, word: Word): boolean {
  const before = text.slice(0, word.start).replace(/[\s"“'‘(\[*_>]+$/u, '');
  return before === '' || /[.!?:;\n]$/.test(before);
}

type Verdict = { kind: 'number' } | { kind: 'not'; why: NotANumber['why'] } | { kind: 'word' };

/** A figure in one inline block, judged by the rule of this module. */
function judge(text: string, list: Word[], index: number, inHeading: boolean): Verdict {
  const word = list[index]!;
  const lower = word.text.toLowerCase();
  if (!hasDigit(word.text)) {
    // "per million tokens": a unit of measure, not a figure.
    const previousWord = list[index - 1];
    if (MAGNITUDES.has(lower) && previousWord?.text.toLowerCase() === 'per') return { kind: 'not', why: 'unit' };
    const parts = lower.split('-');
    if (NUMBER_WORDS.has(lower) || (parts.length === 2 && parts.every((part) => NUMBER_WORDS.has(part)))) return { kind: 'number' };
    return { kind: 'word' };
  }
  if (inHeading && index === 0) return { kind: 'not', why: 'reference' };
  const before = text.slice(0, word.start);
  const after = text.slice(word.end);
  const currency = /[$€£¥]\s?$/.test(before);
  const marked = currency || FACTOR_WORD.test(word.text) || QUANTITY_SUFFIX.test(after.trimStart().charAt(0));
  if (ISO_DATE.test(word.text)) return { kind: 'not', why: 'date' };
  if (hasLetter(word.text)) {
    if (currency || FACTOR_WORD.test(word.text) || LEADING_FIGURE_COMPOUND.test(word.text) || /^\d+(?:\.\d+)?e[-+−]?\d+$/i.test(word.text)) return { kind: 'number' };
    return { kind: 'not', why: 'name' };
  }
  if (!PURE_FIGURE.test(word.text)) return { kind: 'number' };
  if (YEAR.test(word.text) && !marked) return { kind: 'not', why: 'date' };
  const previous = list[index - 1];
  const next = list[index + 1];
  const adjacent = (a: Word | undefined, b: Word): boolean => a !== undefined && /^[ \u00a0]+$/.test(text.slice(a.end, b.start));
  if ((previous && adjacent(previous, word) && MONTHS.has(previous.text.toLowerCase())) || (next && adjacent(word, next) && MONTHS.has(next.text.toLowerCase()))) {
    return { kind: 'not', why: 'date' };
  }
  // A reference, also as a list: walk back over figures and the words joining them.
  for (let back = index - 1; back >= 0; back--) {
    const w = list[back]!;
    if (!/^[\s,–—-]*$/.test(text.slice(w.end, list[back + 1]!.start))) break;
    const wordLower = w.text.toLowerCase();
    if (REFERENCE_WORDS.has(wordLower)) return { kind: 'not', why: 'reference' };
    if (PURE_FIGURE.test(w.text) || ['and', 'or', 'to'].includes(wordLower)) continue;
    break;
  }
  if (/[§#]\s*$/.test(before)) return { kind: 'not', why: 'reference' };
  // A figure that follows a name without punctuation is part of the name.
  if (!marked && previous && adjacent(previous, word)) {
    const previousVerdict = judge(text, list, index - 1, inHeading);
    const isName =
      (previousVerdict.kind === 'not' && previousVerdict.why === 'name') ||
      (previousVerdict.kind === 'word' &&
        isNameShaped(previous.text) &&
        !/['’]s$/.test(previous.text) &&
        !(opensSentence(text, previous) && SENTENCE_OPENERS.has(previous.text.toLowerCase())));
    if (isName) return { kind: 'not', why: 'name' };
  }
  return { kind: 'number' };
}

/** The prose of one inline block: its text (code spans replaced by a separator), whether it cites, where each character's line is. */
interface Block {
  text: string;
  lineOf: number[];
  cites: boolean;
  heading: boolean;
  unit: number;
}

const DATA_FILE = /^[\w./-]*[\w-]+\.csv$/;
/** TeX formulas as Jupyter's markdown shows them: `$$…$$`, or `$…$` opened before a non-space and closed after one, not before a digit. */
const TEX_MATH = /\$\$[\s\S]+?\$\$|\$(?=\S)[^$\n]*?\S\$(?!\d)|\$(?=[^\s$\d])\S\$(?!\d)/g;

let parser: ReturnType<typeof MarkdownIt> | undefined;

function blocks(markdown: string): Block[] {
  // Bare URLs are links, as Jupyter's markdown (GFM autolinks) shows them. One parser, made on first use.
  const tokens = (parser ??= new MarkdownIt({ html: true, linkify: true })).parse(markdown, {});
  const found: Block[] = [];
  let unit = 0;
  let tableUnit: number | undefined;
  let heading = false;
  for (const token of tokens) {
    if (token.type === 'table_open') tableUnit = ++unit;
    if (token.type === 'table_close') tableUnit = undefined;
    if (token.type === 'heading_open') heading = true;
    if (token.type === 'heading_close') heading = false;
    if (token.type !== 'inline' || !token.children) continue;
    const first = (token.map?.[0] ?? 0) + 1;
    let line = first;
    let text = '';
    const lineOf: number[] = [];
    let cites = false;
    let inAutolink = false;
    const add = (piece: string): void => {
      for (const char of piece) {
        text += char;
        lineOf.push(line);
      }
    };
    for (const child of token.children) {
      switch (child.type) {
        case 'text':
          // A bare URL shown as a link: its text is the address, not prose.
          if (inAutolink) add(' ');
          else add(child.content.replace(TEX_MATH, (formula) => ' \u2063 '.padEnd(formula.length, ' ')));
          break;
        case 'code_inline':
          if (DATA_FILE.test(child.content.trim())) cites = true;
          add(' \u2063 ');
          break;
        case 'softbreak':
        case 'hardbreak':
          add('\n');
          line += 1;
          break;
        case 'link_open':
          if (/^https?:\/\//.test(String(child.attrGet('href') ?? ''))) cites = true;
          inAutolink = child.markup === 'linkify' || child.markup === 'autolink';
          break;
        case 'link_close':
          inAutolink = false;
          break;
        default:
          // HTML, images and emphasis marks are not prose; a separator keeps words apart.
          if (child.type === 'html_inline' || child.type === 'image') add(' ');
      }
    }
    found.push({ text, lineOf, cites, heading, unit: tableUnit ?? ++unit });
  }
  // A table cites as a whole.
  const citingUnits = new Set(found.filter((b) => b.cites).map((b) => b.unit));
  return found.map((b) => ({ ...b, cites: citingUnits.has(b.unit) }));
}

/** Every number of `markdown`'s prose, with whether it is cited, and what the rule set aside. */
export function proseNumbers(markdown: string): ProseNumbers {
  const numbers: ProseNumber[] = [];
  const setAside: NotANumber[] = [];
  for (const block of blocks(markdown)) {
    const list = words(block.text);
    list.forEach((word, index) => {
      const verdict = judge(block.text, list, index, block.heading);
      const line = block.lineOf[word.start] ?? 1;
      if (verdict.kind === 'number') numbers.push({ text: word.text, line, cited: block.cites });
      else if (verdict.kind === 'not') setAside.push({ text: word.text, line, why: verdict.why });
    });
  }
  return { numbers, setAside };
}

/** The numbers of `markdown` that are not cited where they stand. */
export function uncitedNumbers(markdown: string): ProseNumber[] {
  return proseNumbers(markdown).numbers.filter((n) => !n.cited);
}
