/**
 * The type of a notebook parameter, read from the parameters cell's syntax tree, and whether a JSON
 * value (what `-p`, `-f` and smoke profiles give) has it.
 *
 * The type comes from the declaration's annotation when it has one (`let backend: 'cpu' | 'wasm'`),
 * else from its initializer, widened to what a re-declaration accepts: `const epochs = 10` takes any
 * number, `const lr = 1 / 1000` is a number, `const sizes = [1, 2]` a `number[]`. What the syntax
 * cannot tell (a call, an imported type) is `any` and accepts every value, as the kernel's compiler
 * still checks the injected cell against an annotation.
 */
import type * as TypeScript from '@tslab/typescript-for-tslab';

type Ts = typeof TypeScript;

export type ParameterType =
  | { kind: 'number' | 'string' | 'boolean' | 'null' | 'undefined' | 'any' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'array'; element: ParameterType }
  | { kind: 'tuple'; elements: ParameterType[] }
  | { kind: 'object'; properties: ParameterProperty[]; index?: ParameterType }
  | { kind: 'union'; members: ParameterType[] }
  /** A function, bigint or symbol: no JSON value has it. `what` is how to name it in a message. */
  | { kind: 'unrepresentable'; what: string };

export interface ParameterProperty {
  name: string;
  type: ParameterType;
  optional: boolean;
}

const ANY: ParameterType = { kind: 'any' };
const NUMBER: ParameterType = { kind: 'number' };
const STRING: ParameterType = { kind: 'string' };
const BOOLEAN: ParameterType = { kind: 'boolean' };

/** Nesting beyond this (a recursive alias) is `any`. */
const MAX_TYPE_DEPTH = 16;

function union(members: ParameterType[]): ParameterType {
  const flat = members.flatMap((m) => (m.kind === 'union' ? m.members : [m]));
  if (flat.some((m) => m.kind === 'any')) return ANY;
  const unique = flat.filter((m, i) => flat.findIndex((n) => describeType(n) === describeType(m)) === i);
  return unique.length === 1 ? unique[0] : { kind: 'union', members: unique };
}

/**
 * Reads types from the syntax of one cell: annotations, with the cell's own `type` aliases and
 * interfaces resolved, and initializers, with the cell's earlier declarations known by name.
 */
export class CellTypeReader {
  private readonly aliases = new Map<string, TypeScript.TypeNode | TypeScript.InterfaceDeclaration>();
  private readonly variables = new Map<string, ParameterType>();

  constructor(
    private readonly ts: Ts,
    sourceFile: TypeScript.SourceFile,
  ) {
    for (const statement of sourceFile.statements) {
      if (ts.isTypeAliasDeclaration(statement) && !statement.typeParameters) {
        this.aliases.set(statement.name.text, statement.type);
      } else if (ts.isInterfaceDeclaration(statement) && !statement.typeParameters && !statement.heritageClauses) {
        this.aliases.set(statement.name.text, statement);
      }
    }
  }

  /** Records a declared variable, so later initializers that name it get its type. */
  declare(name: string, type: ParameterType): void {
    this.variables.set(name, type);
  }

  fromTypeNode(node: TypeScript.TypeNode, depth = 0): ParameterType {
    const ts = this.ts;
    if (depth > MAX_TYPE_DEPTH) return ANY;
    const inner = (n: TypeScript.TypeNode): ParameterType => this.fromTypeNode(n, depth + 1);
    switch (node.kind) {
      case ts.SyntaxKind.NumberKeyword:
        return NUMBER;
      case ts.SyntaxKind.StringKeyword:
        return STRING;
      case ts.SyntaxKind.BooleanKeyword:
        return BOOLEAN;
      case ts.SyntaxKind.UndefinedKeyword:
      case ts.SyntaxKind.VoidKeyword:
        return { kind: 'undefined' };
      case ts.SyntaxKind.ObjectKeyword:
        return { kind: 'object', properties: [], index: ANY };
      case ts.SyntaxKind.BigIntKeyword:
        return { kind: 'unrepresentable', what: 'bigint' };
      case ts.SyntaxKind.SymbolKeyword:
        return { kind: 'unrepresentable', what: 'symbol' };
      case ts.SyntaxKind.NeverKeyword:
        return { kind: 'unrepresentable', what: 'never' };
    }
    if (ts.isLiteralTypeNode(node)) return this.literal(node.literal);
    if (ts.isParenthesizedTypeNode(node)) return inner(node.type);
    if (ts.isUnionTypeNode(node)) return union(node.types.map(inner));
    if (ts.isArrayTypeNode(node)) return { kind: 'array', element: inner(node.elementType) };
    if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return inner(node.type);
    if (ts.isTemplateLiteralTypeNode(node)) return STRING;
    if (ts.isFunctionTypeNode(node) || ts.isConstructorTypeNode(node)) return { kind: 'unrepresentable', what: 'a function' };
    if (ts.isTupleTypeNode(node)) {
      const elements = node.elements.map((e) => (ts.isNamedTupleMember(e) ? e : undefined));
      const plain = node.elements.every(
        (e, i) => !ts.isOptionalTypeNode(e) && !ts.isRestTypeNode(e) && !elements[i]?.questionToken && !elements[i]?.dotDotDotToken,
      );
      const types = node.elements.map((e) => inner(ts.isNamedTupleMember(e) ? e.type : e));
      if (plain) return { kind: 'tuple', elements: types };
      return { kind: 'array', element: union(types.map((t) => (t.kind === 'array' ? t.element : t))) };
    }
    if (ts.isTypeLiteralNode(node)) return this.members(node.members, depth);
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      const args = node.typeArguments ?? [];
      if ((name === 'Array' || name === 'ReadonlyArray') && args.length === 1) return { kind: 'array', element: inner(args[0]) };
      if (name === 'Record' && args.length === 2) {
        const key = inner(args[0]);
        if (key.kind === 'string' || key.kind === 'any') return { kind: 'object', properties: [], index: inner(args[1]) };
        return ANY;
      }
      const alias = args.length === 0 ? this.aliases.get(name) : undefined;
      if (alias) return ts.isInterfaceDeclaration(alias) ? this.members(alias.members, depth + 1) : inner(alias);
    }
    return ANY;
  }

  /** The widened type of an initializer: what a re-declaration of the variable may hold. */
  fromExpression(node: TypeScript.Expression, depth = 0): ParameterType {
    const ts = this.ts;
    if (depth > MAX_TYPE_DEPTH) return ANY;
    const inner = (n: TypeScript.Expression): ParameterType => this.fromExpression(n, depth + 1);
    if (ts.isNumericLiteral(node)) return NUMBER;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) return STRING;
    if (ts.isBigIntLiteral(node)) return { kind: 'unrepresentable', what: 'bigint' };
    if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) return BOOLEAN;
    if (node.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null' };
    if (ts.isIdentifier(node)) {
      if (node.text === 'Infinity' || node.text === 'NaN') return NUMBER;
      if (node.text === 'undefined') return { kind: 'undefined' };
      return this.variables.get(node.text) ?? ANY;
    }
    if (ts.isParenthesizedExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node)) return inner(node.expression);
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
      const constAssertion = ts.isTypeReferenceNode(node.type) && ts.isIdentifier(node.type.typeName) && node.type.typeName.text === 'const';
      return constAssertion ? inner(node.expression) : this.fromTypeNode(node.type, depth + 1);
    }
    if (ts.isPrefixUnaryExpression(node)) return node.operator === ts.SyntaxKind.ExclamationToken ? BOOLEAN : NUMBER;
    if (ts.isTypeOfExpression(node)) return STRING;
    if (ts.isVoidExpression(node)) return { kind: 'undefined' };
    if (ts.isConditionalExpression(node)) return union([inner(node.whenTrue), inner(node.whenFalse)]);
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node)) {
      return { kind: 'unrepresentable', what: 'a function' };
    }
    if (ts.isBinaryExpression(node)) return this.binary(node, depth);
    if (ts.isArrayLiteralExpression(node)) {
      if (node.elements.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) return { kind: 'array', element: ANY };
      return { kind: 'array', element: node.elements.length === 0 ? ANY : union(node.elements.map(inner)) };
    }
    if (ts.isObjectLiteralExpression(node)) {
      const properties: ParameterProperty[] = [];
      for (const p of node.properties) {
        const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) ? p.name.text : undefined;
        if (name === undefined) return ANY;
        if (ts.isPropertyAssignment(p)) properties.push({ name, type: inner(p.initializer), optional: false });
        else if (ts.isShorthandPropertyAssignment(p)) properties.push({ name, type: this.variables.get(name) ?? ANY, optional: false });
        else properties.push({ name, type: { kind: 'unrepresentable', what: 'a function' }, optional: false });
      }
      return { kind: 'object', properties };
    }
    return ANY;
  }

  private literal(node: TypeScript.LiteralTypeNode['literal']): ParameterType {
    const ts = this.ts;
    if (node.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null' };
    if (node.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'literal', value: true };
    if (node.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'literal', value: false };
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { kind: 'literal', value: node.text };
    if (ts.isNumericLiteral(node)) return { kind: 'literal', value: Number(node.text) };
    if (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand)) {
      const value = Number(node.operand.text);
      if (node.operator === ts.SyntaxKind.MinusToken) return { kind: 'literal', value: -value };
      if (node.operator === ts.SyntaxKind.PlusToken) return { kind: 'literal', value };
    }
    if (ts.isBigIntLiteral(node) || (ts.isPrefixUnaryExpression(node) && ts.isBigIntLiteral(node.operand))) {
      return { kind: 'unrepresentable', what: 'bigint' };
    }
    return ANY;
  }

  private members(members: TypeScript.NodeArray<TypeScript.TypeElement>, depth: number): ParameterType {
    const ts = this.ts;
    const properties: ParameterProperty[] = [];
    let index: ParameterType | undefined;
    for (const m of members) {
      if (ts.isPropertySignature(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) || ts.isNumericLiteral(m.name))) {
        properties.push({ name: m.name.text, type: m.type ? this.fromTypeNode(m.type, depth + 1) : ANY, optional: !!m.questionToken });
      } else if (ts.isMethodSignature(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) {
        properties.push({ name: m.name.text, type: { kind: 'unrepresentable', what: 'a function' }, optional: !!m.questionToken });
      } else if (ts.isIndexSignatureDeclaration(m)) {
        index = this.fromTypeNode(m.type, depth + 1);
      } else if (ts.isCallSignatureDeclaration(m) || ts.isConstructSignatureDeclaration(m)) {
        return { kind: 'unrepresentable', what: 'a function' };
      } else {
        return ANY;
      }
    }
    return { kind: 'object', properties, index };
  }

  private binary(node: TypeScript.BinaryExpression, depth: number): ParameterType {
    const ts = this.ts;
    const op = node.operatorToken.kind;
    const K = ts.SyntaxKind;
    if (op === K.PlusToken) {
      const left = this.fromExpression(node.left, depth + 1);
      const right = this.fromExpression(node.right, depth + 1);
      if (left.kind === 'string' || right.kind === 'string') return STRING;
      if (left.kind === 'number' && right.kind === 'number') return NUMBER;
      return ANY;
    }
    const numeric = [
      K.MinusToken, K.AsteriskToken, K.SlashToken, K.PercentToken, K.AsteriskAsteriskToken, K.AmpersandToken,
      K.BarToken, K.CaretToken, K.LessThanLessThanToken, K.GreaterThanGreaterThanToken, K.GreaterThanGreaterThanGreaterThanToken,
    ];
    if (numeric.includes(op)) return NUMBER;
    const comparison = [
      K.LessThanToken, K.GreaterThanToken, K.LessThanEqualsToken, K.GreaterThanEqualsToken, K.EqualsEqualsToken,
      K.ExclamationEqualsToken, K.EqualsEqualsEqualsToken, K.ExclamationEqualsEqualsToken, K.InstanceOfKeyword, K.InKeyword,
    ];
    if (comparison.includes(op)) return BOOLEAN;
    if (op === K.CommaToken) return this.fromExpression(node.right, depth + 1);
    return ANY;
  }
}

/** Whether a JSON value has the type. */
export function matchesType(type: ParameterType, value: unknown): boolean {
  switch (type.kind) {
    case 'any':
      return true;
    case 'number':
    case 'string':
    case 'boolean':
    case 'undefined':
      return typeof value === type.kind;
    case 'null':
      return value === null;
    case 'literal':
      return value === type.value;
    case 'array':
      return Array.isArray(value) && value.every((v) => matchesType(type.element, v));
    case 'tuple':
      return Array.isArray(value) && value.length === type.elements.length && type.elements.every((t, i) => matchesType(t, value[i]));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const record = value as Record<string, unknown>;
      for (const p of type.properties) {
        if (!(p.name in record)) {
          if (!p.optional) return false;
        } else if (!matchesType(p.type, record[p.name])) return false;
      }
      const declared = new Set(type.properties.map((p) => p.name));
      const index = type.index;
      return Object.keys(record).every((key) => declared.has(key) || (index !== undefined && matchesType(index, record[key])));
    }
    case 'union':
      return type.members.some((m) => matchesType(m, value));
    case 'unrepresentable':
      return false;
  }
}

/** Whether no JSON value has the type (a function, say). */
export function acceptsNoJson(type: ParameterType): boolean {
  return type.kind === 'unrepresentable' || (type.kind === 'union' && type.members.every(acceptsNoJson));
}

/** The type written as TypeScript (for messages). */
export function describeType(type: ParameterType): string {
  switch (type.kind) {
    case 'literal':
      return typeof type.value === 'string' ? `'${type.value.replace(/[\\']/g, '\\$&')}'` : String(type.value);
    case 'array': {
      const element = describeType(type.element);
      return type.element.kind === 'union' || type.element.kind === 'unrepresentable' ? `(${element})[]` : `${element}[]`;
    }
    case 'tuple':
      return `[${type.elements.map(describeType).join(', ')}]`;
    case 'object': {
      const parts = type.properties.map((p) => `${p.name}${p.optional ? '?' : ''}: ${describeType(p.type)}`);
      if (type.index) parts.push(`[key: string]: ${describeType(type.index)}`);
      return parts.length === 0 ? '{}' : `{ ${parts.join('; ')} }`;
    }
    case 'union':
      return type.members.map((m) => (m.kind === 'unrepresentable' ? `(${describeType(m)})` : describeType(m))).join(' | ');
    case 'unrepresentable':
      return type.what;
    default:
      return type.kind;
  }
}
