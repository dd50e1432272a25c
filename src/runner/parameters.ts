/**
 * Parameters as papermill defines them, for TypeScript notebooks.
 *
 * - The code cell tagged `parameters` holds the defaults, read with the TypeScript parser:
 *   `const epochs = 10;`, `let lr: number = 1 / 1000;`, `const name = 'mnist';`, `const sizes = [1, 2];`.
 * - Given values (`-p name value`, `-f file.json`, a smoke profile) must name a declared default and
 *   have its type (from the annotation when present, else from the initializer: see
 *   parameter-types.ts); this is checked before any kernel starts.
 * - They are applied through a cell tagged `injected-parameters`, inserted right after the
 *   parameters cell, that re-declares each overridden name with the same keyword and annotation:
 *   `const epochs = 3;`. A later cell's declaration replaces an earlier one in the kernel (as
 *   re-running a cell does), so a `const` default is overridden without becoming mutable and the
 *   notebook's code keeps type-checking against the declared type.
 */
import type * as TypeScript from '@tslab/typescript-for-tslab';
import { RunnerInputError } from './errors';
import { CellTypeReader, acceptsNoJson, describeType, matchesType, type ParameterType } from './parameter-types';
import { cellTags, sourceText, type Cell, type CodeCell, type Notebook } from './types';

export const PARAMETERS_TAG = 'parameters';
export const INJECTED_TAG = 'injected-parameters';

export interface ParameterDefault {
  name: string;
  keyword: 'const' | 'let' | 'var';
  /** The annotation as written (`number`, `(x: number) => number`), or undefined. */
  annotation?: string;
  /** What a given value must be: from the annotation when present, else from the initializer. */
  type: ParameterType;
  /** The default's source text. */
  expression: string;
}

/**
 * The compiler tslab compiles the cells with (a runtime dependency, unlike the project's own
 * `typescript`), loaded on first use: it takes about a quarter of a second, which a run without
 * parameters need not pay.
 */
let compiler: typeof TypeScript | undefined;
function typescript(): typeof TypeScript {
  compiler ??= require('@tslab/typescript-for-tslab') as typeof TypeScript;
  return compiler;
}

function keywordOf(ts: typeof TypeScript, list: TypeScript.VariableDeclarationList): ParameterDefault['keyword'] {
  if (list.flags & ts.NodeFlags.Const) return 'const';
  if (list.flags & ts.NodeFlags.Let) return 'let';
  return 'var';
}

/**
 * The top-level declarations of a parameters cell that give a simple name a default
 * (`const epochs = 10`, `let a = 1, b = 2`); other statements, destructuring and names declared
 * inside functions or blocks are not parameters.
 */
export function parseParameterDefaults(source: string): ParameterDefault[] {
  const ts = typescript();
  const sourceFile = ts.createSourceFile('parameters.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const types = new CellTypeReader(ts, sourceFile);
  const defaults: ParameterDefault[] = [];
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const keyword = keywordOf(ts, statement.declarationList);
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
      const type = declaration.type ? types.fromTypeNode(declaration.type) : types.fromExpression(declaration.initializer);
      types.declare(declaration.name.text, type);
      defaults.push({
        name: declaration.name.text,
        keyword,
        annotation: declaration.type?.getText(sourceFile),
        type,
        expression: declaration.initializer.getText(sourceFile),
      });
    }
  }
  return defaults;
}

/** Source text on one line, cut to a readable length, for messages. */
function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** How a message names a parameter's type: the annotation as written, else the inferred type. */
function expectedType(declared: ParameterDefault): string {
  const inferred = describeType(declared.type);
  let written = declared.annotation ? oneLine(declared.annotation) : inferred;
  // An alias of the cell (`type Blend = 'mean' | 'input'`) is spelled out after its name.
  if (declared.annotation && /^[A-Za-z_$][\w$]*$/.test(written) && written !== inferred && declared.type.kind !== 'any') {
    written = `${written} (${inferred})`;
  }
  return acceptsNoJson(declared.type) ? `${written}, which no JSON value has` : written;
}

/** The JSON kind of a given value, for messages. */
function kindOfValue(value: unknown): 'null' | 'array' | 'number' | 'string' | 'boolean' | 'object' {
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
    const value = values[name];
    if (!matchesType(declared.type, value)) {
      throw new RunnerInputError(
        `${notebookPath}: parameter '${name}' expects ${expectedType(declared)} (default ${oneLine(declared.expression)}) but was given ${kindOfValue(value)} ${oneLine(JSON.stringify(value) ?? String(value))}`,
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
