import * as ts from '@tslab/typescript-for-tslab';

/**
 * Makes the functions of a cell use the shared `exports` for the cell's own top-level `let` and `var`
 * variables, so an assignment in a later cell reaches them.
 *
 * Why this exists: tslab runs each cell as a module. A top-level `let threshold = 0.5` is a local of
 * that module, copied to the shared `exports.threshold` after every assignment in the cell; later
 * cells read and assign `exports.threshold`. A function declared in the same cell, though, keeps
 * reading the module local: after `threshold = 0.8` in a later cell, `const keep = (s) => s > threshold`
 * from the first cell still compares with 0.5, and its own assignments overwrite the later value.
 *
 * This rewrites tslab's emitted JavaScript (not the cell): every use of one of the cell's exported
 * top-level `let`/`var` variables, in its functions and at its top level alike, becomes `exports.name`,
 * so the module local is only read once, by tslab's `exports.name = name;` right after the declaration.
 * (Rewriting only the functions would break `let sum = 0; rows.forEach((r) => { sum += r.n; }); sum`.)
 * Uses are found with the compiler's scopes: parameters and locals that shadow the name stay. `const`,
 * functions and classes cannot be assigned, so they keep their direct binding. Positions in the
 * emitted code move, which only the stack-frame line map sees, and it aligns tokens, not columns.
 */
export function routeLetsThroughExports(emitted: string): string {
  const fileName = '/cell.js';
  const file = ts.createSourceFile(fileName, emitted, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  // Only variables the cell exports: tslab's own helpers (`var __importStar = ...`) are not the user's.
  const exported = exportedNames(file);
  const names = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    if (statement.declarationList.flags & ts.NodeFlags.Const) continue;
    for (const declaration of statement.declarationList.declarations) {
      forEachBoundIdentifier(declaration.name, (identifier) => {
        if (exported.has(identifier.text)) names.add(identifier.text);
      });
    }
  }
  if (names.size === 0) return emitted;

  const checker = singleFileChecker(file);
  const topLevel = new Set<ts.Symbol>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement) || statement.declarationList.flags & ts.NodeFlags.Const) continue;
    for (const declaration of statement.declarationList.declarations) {
      forEachBoundIdentifier(declaration.name, (identifier) => {
        const symbol = names.has(identifier.text) ? checker.getSymbolAtLocation(identifier) : undefined;
        if (symbol) topLevel.add(symbol);
      });
    }
  }

  // Not rewritten: what runs before tslab's copy into `exports`, i.e. the initialisers of the top-level
  // declaration itself (`let a = 1, b = a + 1`) outside functions, and the copy `exports.a = a` itself.
  const starts: number[] = [];
  const visit = (node: ts.Node, beforeCopy: boolean): void => {
    if (!beforeCopy && ts.isIdentifier(node) && names.has(node.text) && isReference(node) && !isInitialCopy(node, file)) {
      const symbol = checker.getSymbolAtLocation(node);
      if (symbol && topLevel.has(symbol)) starts.push(node.getStart(file));
    }
    const declaring = node.parent === file && ts.isVariableStatement(node) && !(node.declarationList.flags & ts.NodeFlags.Const);
    const next = ts.isFunctionLike(node) ? false : beforeCopy || declaring;
    ts.forEachChild(node, (child) => visit(child, next));
  };
  visit(file, false);
  if (starts.length === 0) return emitted;

  let out = '';
  let copied = 0;
  for (const start of starts.sort((a, b) => a - b)) {
    out += `${emitted.slice(copied, start)}exports.`;
    copied = start;
  }
  return out + emitted.slice(copied);
}

function forEachBoundIdentifier(name: ts.BindingName, callback: (identifier: ts.Identifier) => void): void {
  if (ts.isIdentifier(name)) {
    callback(name);
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) forEachBoundIdentifier(element.name, callback);
}

/** Names assigned to `exports.name` by the cell's top-level statements (also chained: `exports.a = exports.b = ...`). */
function exportedNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isExpressionStatement(statement)) continue;
    let expression: ts.Expression = statement.expression;
    while (ts.isParenthesizedExpression(expression)) expression = expression.expression;
    while (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = expression.left;
      if (ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === 'exports') {
        names.add(target.name.text);
      }
      expression = expression.right;
    }
  }
  return names;
}

/** True for the `x` of the top-level `exports.x = x;` that tslab emits after declaring `x`. */
function isInitialCopy(node: ts.Identifier, file: ts.SourceFile): boolean {
  const parent = node.parent;
  if (!ts.isBinaryExpression(parent) || parent.right !== node || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = parent.left;
  return (
    ts.isExpressionStatement(parent.parent) &&
    parent.parent.parent === file &&
    ts.isPropertyAccessExpression(target) &&
    ts.isIdentifier(target.expression) &&
    target.expression.text === 'exports' &&
    target.name.text === node.text
  );
}

/** False for identifiers that name a property or a declaration rather than read or assign a variable. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isShorthandPropertyAssignment(parent)) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) return false;
  if ((ts.isGetAccessorDeclaration(parent) || ts.isSetAccessorDeclaration(parent)) && parent.name === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === node) return false;
  if ((ts.isFunctionDeclaration(parent) || ts.isFunctionExpression(parent) || ts.isClassLike(parent)) && parent.name === node) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  return true;
}

/** A type checker over one JavaScript file and nothing else (no lib, no imports): enough to resolve scopes. */
function singleFileChecker(file: ts.SourceFile): ts.TypeChecker {
  const options: ts.CompilerOptions = { allowJs: true, noLib: true, noResolve: true, types: [], target: ts.ScriptTarget.Latest };
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === file.fileName ? file : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => {},
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => name === file.fileName,
    readFile: () => undefined,
  };
  return ts.createProgram([file.fileName], options, host).getTypeChecker();
}
