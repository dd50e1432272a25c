import * as ts from '@tslab/typescript-for-tslab';
import type { Diagnostic } from './tslab';

/**
 * Spells out object-literal shorthand properties of a cell (`{ a }` becomes `{ a: a }`) before tslab
 * compiles it, so top-level names of earlier cells work in them.
 *
 * Why this exists: tslab keeps every cell's top-level names on one shared `exports` object and, in the
 * emitted JavaScript, rewrites each identifier that the type checker resolves to an earlier cell's
 * declaration into `exports.a`. The name of a shorthand property resolves to the *property* it
 * declares, not to the variable it reads, so tslab 1.0.22 leaves `{ a }` as it is: reading it throws
 * `ReferenceError: a is not defined`, and a destructuring assignment `({ a } = obj)` silently creates a
 * global instead of updating the earlier cell's `let a`.
 *
 * The long form means exactly the same in JavaScript, and its value is an ordinary identifier, which
 * tslab resolves with the checker like any other: a local, a parameter or a name of the same cell that
 * shadows the earlier one stays as it is. A default in a destructuring assignment (`({ a = 1 } = obj)`
 * becomes `({ a: a = 1 } = obj)`) is spelled out only in assignment targets: in a plain object literal
 * `{ a = 1 }` is a TypeScript error and must stay one. Only text without line breaks is inserted, so
 * diagnostics keep their lines; {@link ShorthandExpansion.restoreDiagnostics} moves their columns back
 * onto the cell as the user wrote it.
 */
export interface ShorthandExpansion {
  /** The cell with its shorthand properties spelled out: what the compiler is given. */
  readonly source: string;
  /** How many shorthand properties were spelled out. */
  readonly expanded: number;
  /** The offset in the user's cell that an offset in `source` stands for. */
  toOriginal(offset: number): number;
  /** Diagnostics of `source` with their positions in the user's cell (others' files untouched). */
  restoreDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[];
}

interface Insertion {
  /** Offset in the original cell the text goes at (the end of the property's name). */
  at: number;
  /** Where the property's name starts, for positions inside the inserted text. */
  nameStart: number;
  text: string;
}

/** True when an object or array literal is the target of a destructuring assignment. */
function isAssignmentTarget(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isBinaryExpression(parent)) {
    return parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
  }
  if (ts.isForOfStatement(parent) || ts.isForInStatement(parent)) return parent.initializer === node;
  if (ts.isPropertyAssignment(parent)) return parent.initializer === node && isAssignmentTarget(parent.parent);
  if (ts.isArrayLiteralExpression(parent) || ts.isSpreadElement(parent) || ts.isSpreadAssignment(parent)) {
    return isAssignmentTarget(ts.isArrayLiteralExpression(parent) ? parent : parent.parent);
  }
  return false;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/** Zero-based line and character of an offset, as tslab's diagnostics give them. */
function lineAndCharacter(lineStarts: readonly number[], offset: number): { line: number; character: number } {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - lineStarts[low]! };
}

export function expandShorthandProperties(cell: string): ShorthandExpansion {
  const file = ts.createSourceFile('cell.ts', cell, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const insertions: Insertion[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node) && (!node.objectAssignmentInitializer || isAssignmentTarget(node.parent))) {
      const nameStart = node.name.getStart(file);
      insertions.push({ at: node.name.end, nameStart, text: `: ${cell.slice(nameStart, node.name.end)}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  insertions.sort((a, b) => a.at - b.at);

  let source = '';
  let copied = 0;
  for (const { at, text } of insertions) {
    source += cell.slice(copied, at) + text;
    copied = at;
  }
  source += cell.slice(copied);

  const toOriginal = (offset: number): number => {
    let shift = 0;
    for (const { at, nameStart, text } of insertions) {
      const start = at + shift;
      if (offset <= start) break;
      if (offset < start + text.length) return nameStart;
      shift += text.length;
    }
    return offset - shift;
  };

  let lineStarts: number[] | undefined;
  const position = (offset: number): Diagnostic['start'] => {
    const original = toOriginal(offset);
    return { offset: original, ...lineAndCharacter((lineStarts ??= lineStartsOf(cell)), original) };
  };

  return {
    source,
    expanded: insertions.length,
    toOriginal,
    restoreDiagnostics(diagnostics) {
      if (insertions.length === 0) return [...diagnostics];
      return diagnostics.map((diag) =>
        diag.fileName ? diag : { ...diag, start: position(diag.start.offset), end: position(diag.end.offset) },
      );
    },
  };
}
