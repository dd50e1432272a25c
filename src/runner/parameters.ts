/**
 * Parameters as papermill defines them, for TypeScript notebooks.
 *
 * - The code cell tagged `parameters` holds the defaults, one declaration per statement:
 *   `const epochs = 10;`, `let lr: number = 0.001;`, `const name = 'mnist';`, `const sizes = [1, 2];`.
 * - Given values (`-p name value`, `-f file.json`, a smoke profile) must name a declared default and
 *   have its type (from the annotation when present, else from the literal); this is checked before
 *   any kernel starts.
 * - They are applied through a cell tagged `injected-parameters`, inserted right after the
 *   parameters cell, that re-declares each overridden name with the same keyword and annotation:
 *   `const epochs = 3;`. A later cell's declaration replaces an earlier one in the kernel (as
 *   re-running a cell does), so a `const` default is overridden without becoming mutable and the
 *   notebook's code keeps type-checking against the declared type.
 */
import { RunnerInputError } from './errors';
import { cellTags, sourceText, type Cell, type CodeCell, type Notebook } from './types';

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_TAG = 'injected-parameters';

/** JSON-level type of a parameter; `unknown` when the default is an expression we cannot type. */
export type ParameterType = 'number' | 'string' | 'boolean' | 'array' | 'object' | 'null' | 'unknown';

export interface ParameterDefault {
  name: string;
  keyword: 'const' | 'let' | 'var';
  /** The annotation as written (`number`, `string[]`), or undefined. */
  annotation?: string;
  type: ParameterType;
  /** The default's source text. */
  expression: string;
}

const DECLARATION = /^(?:export\s+)?(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*([\s\S]+?)\s*;?\s*$/;

/** Splits a cell's source into top-level statements at `;` or line ends outside brackets and strings. */
function statements(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (let i = 0; i < source.length; i += 1) {
    const ch = source[i];
    const next = source[i + 1];
    if (!quote && ch === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i += 1;
      i -= 1;
      continue;
    }
    if (!quote && ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    current += ch;
    if (quote) {
      if (ch === '\\') {
        current += next ?? '';
        i += 1;
      } else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    else if ((ch === ';' || ch === '\n') && depth === 0) {
      if (current.trim().replace(/;$/, '').trim()) out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function typeOfAnnotation(annotation: string): ParameterType {
  const a = annotation.trim();
  if (a === 'number' || a === 'string' || a === 'boolean' || a === 'null') return a;
  if (/\[\]$/.test(a) || /^(ReadonlyArray|Array)<.*>$/.test(a) || /^readonly\s/.test(a)) return 'array';
  if (/^\{[\s\S]*\}$/.test(a) || /^Record<.*>$/.test(a)) return 'object';
  return 'unknown';
}

function typeOfExpression(expression: string): ParameterType {
  const e = expression.trim().replace(/\s+as\s+const$/, '');
  if (/^[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[-+]?\d+)?$/i.test(e) || /^[-+]?(Infinity|NaN)$/.test(e)) return 'number';
  if (/^(['"])[\s\S]*\1$/.test(e) || /^`[^`$]*`$/.test(e)) return 'string';
  if (e === 'true' || e === 'false') return 'boolean';
  if (e === 'null') return 'null';
  if (e.startsWith('[')) return 'array';
  if (e.startsWith('{')) return 'object';
  return 'unknown';
}

/** The declarations of a parameters cell (statements that are not declarations are ignored). */
export function parseParameterDefaults(source: string): ParameterDefault[] {
  const defaults: ParameterDefault[] = [];
  for (const statement of statements(source)) {
    const match = DECLARATION.exec(statement);
    if (!match) continue;
    const [, keyword, name, annotation, expression] = match;
    const type = annotation ? typeOfAnnotation(annotation) : typeOfExpression(expression);
    defaults.push({
      name,
      keyword: keyword as ParameterDefault['keyword'],
      annotation: annotation?.trim(),
      type: type === 'unknown' && annotation ? typeOfExpression(expression) : type,
      expression,
    });
  }
  return defaults;
}

export function typeOfValue(value: unknown): Exclude<ParameterType, 'unknown'> {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'number' || t === 'string' || t === 'boolean') return t;
  return 'object';
}

/** A `-p` value: JSON when it parses, else the string itself (papermill's rule). */
export function parseCliValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The index of the cell tagged `parameters`, or -1. */
export function parametersCellIndex(notebook: Notebook): number {
  return notebook.cells.findIndex((cell) => cell.cell_type === 'code' && cellTags(cell).includes(PARAMETERS_TAG));
}

/**
 * Checks given values against the notebook's defaults; throws RunnerInputError naming the
 * notebook and the parameter on an unknown name or a type mismatch.
 */
export function checkParameters(
  notebookPath: string,
  notebook: Notebook,
  values: Record<string, unknown>,
): ParameterDefault[] {
  const names = Object.keys(values);
  if (names.length === 0) return [];
  const index = parametersCellIndex(notebook);
  if (index < 0) {
    throw new RunnerInputError(
      `${notebookPath}: parameter '${names[0]}' given but the notebook has no cell tagged '${PARAMETERS_TAG}'`,
      { file: notebookPath, parameter: names[0] },
    );
  }
  const defaults = parseParameterDefaults(sourceText(notebook.cells[index].source));
  const byName = new Map(defaults.map((d) => [d.name, d]));
  const used: ParameterDefault[] = [];
  for (const name of names) {
    const declared = byName.get(name);
    if (!declared) {
      const known = defaults.map((d) => d.name).join(', ') || 'none';
      throw new RunnerInputError(`${notebookPath}: unknown parameter '${name}' (declared: ${known})`, {
        file: notebookPath,
        parameter: name,
      });
    }
    const given = typeOfValue(values[name]);
    if (declared.type !== 'unknown' && declared.type !== given) {
      throw new RunnerInputError(
        `${notebookPath}: parameter '${name}' expects ${declared.type} (default ${declared.expression}) but was given ${given} ${JSON.stringify(values[name])}`,
        { file: notebookPath, parameter: name },
      );
    }
    used.push(declared);
  }
  return used;
}

/** TypeScript source of the injected cell. */
export function injectedSource(defaults: ParameterDefault[], values: Record<string, unknown>): string {
  const lines = ['// Parameters injected by llm-price-lab run'];
  for (const d of defaults) {
    const annotation = d.annotation ? `: ${d.annotation}` : '';
    lines.push(`${d.keyword} ${d.name}${annotation} = ${JSON.stringify(values[d.name])};`);
  }
  return lines.join('\n');
}

/**
 * Returns a copy of the notebook with the injected cell placed after the parameters cell
 * (replacing an injected cell left by an earlier run). No values: the notebook unchanged.
 */
export function injectParameters(notebookPath: string, notebook: Notebook, values: Record<string, unknown>): Notebook {
  const cells = notebook.cells.filter((cell) => !cellTags(cell).includes(INJECTED_TAG));
  const base: Notebook = { ...notebook, cells };
  const defaults = checkParameters(notebookPath, base, values);
  if (defaults.length === 0) return base;
  const index = parametersCellIndex(base);
  const injected: CodeCell = {
    // One injected cell per notebook, so a fixed id: reruns and parallel runs give identical notebooks.
    id: INJECTED_TAG,
    cell_type: 'code',
    metadata: { tags: [INJECTED_TAG] },
    source: injectedSource(defaults, values),
    outputs: [],
    execution_count: null,
  };
  const out: Cell[] = [...cells.slice(0, index + 1), injected, ...cells.slice(index + 1)];
  return { ...base, cells: out };
}
