/**
 * Maps positions in the JavaScript that tslab runs back to the TypeScript cell the user wrote.
 *
 * tslab's converter emits no source map. Its output keeps the cell's statements, names and literals
 * in order and drops or rewrites the rest (types, imports, exports), so aligning the two token streams
 * (longest common subsequence) tells, for each emitted token, which cell token it came from.
 */

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

interface Token {
  text: string;
  line: number;
  column: number;
}

const TOKEN =
  /\/\/[^\n]*|\/\*[\s\S]*?\*\/|`(?:\\[\s\S]|[^`\\])*`|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*|\d[\w.]*|\S/g;

/** Splits source text into tokens with their positions, leaving out comments. */
export function tokenize(text: string): Token[] {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const tokens: Token[] = [];
  let line = 0;
  for (const match of text.matchAll(TOKEN)) {
    const offset = match.index ?? 0;
    if (match[0].startsWith('//') || match[0].startsWith('/*')) continue;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    tokens.push({ text: match[0], line: line + 1, column: offset - lineStarts[line]! + 1 });
  }
  return tokens;
}

/** Above this many DP cells the alignment falls back to a greedy forward match. */
const MAX_TABLE = 4_000_000;

/** For each token of `b`, the index of the `a` token it aligns with, or -1. */
function align(a: readonly Token[], b: readonly Token[]): Int32Array {
  const match = new Int32Array(b.length).fill(-1);
  const n = a.length;
  const m = b.length;
  if ((n + 1) * (m + 1) > MAX_TABLE) {
    let i = 0;
    for (let j = 0; j < m && i < n; j++) {
      const found = a.findIndex((token, k) => k >= i && token.text === b[j]!.text);
      if (found >= 0 && found - i < 50) {
        match[j] = found;
        i = found + 1;
      }
    }
    return match;
  }
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] =
        a[i]!.text === b[j]!.text
          ? table[(i + 1) * width + j + 1]! + 1
          : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i]!.text === b[j]!.text) {
      match[j] = i;
      i++;
      j++;
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) i++;
    else j++;
  }
  return match;
}

export interface LineMap {
  /** The cell position a position in the emitted JavaScript comes from, if it can be told. */
  toSource(generated: Position): Position | undefined;
}

export function createLineMap(source: string, generated: string): LineMap {
  const sourceTokens = tokenize(source);
  const generatedTokens = tokenize(generated);
  let matches: Int32Array | undefined;
  return {
    toSource({ line, column }) {
      matches ??= align(sourceTokens, generatedTokens);
      const onLine: number[] = [];
      generatedTokens.forEach((token, index) => {
        if (token.line === line) onLine.push(index);
      });
      if (onLine.length === 0) return undefined;
      // The token at the column first, then the tokens after it on that line, then before it.
      const at = onLine.findIndex((index) => generatedTokens[index]!.column + generatedTokens[index]!.text.length > column);
      const start = at < 0 ? onLine.length - 1 : at;
      const order = [...onLine.slice(start), ...onLine.slice(0, start).reverse()];
      for (const index of order) {
        const matched = matches[index]!;
        if (matched >= 0) {
          const token = sourceTokens[matched]!;
          return { line: token.line, column: token.column };
        }
      }
      return undefined;
    },
  };
}
