/**
 * Finds where TypeScript source reaches into TensorFlow.js privately, with the type checker:
 * - a cast of a tfjs object to an object type of its own that the object does not already satisfy
 *   (the usual `x as unknown as { hidden: … }`);
 * - a cast of a tfjs object, or through or from `unknown` / `any` / `{}`, to a type with a member named like one of
 *   the internals the project knows (`TFJS_INTERNAL_NAMES`): an object passed around as `unknown` has
 *   no tfjs type left to recognise;
 * - such a member read from a loosely typed object (`any`, or a string-keyed record);
 * - a member that tfjs declares `private` or `protected`, reached by `x['name']`.
 */
import ts from 'typescript';

export const TFJS_INTERNAL_NAMES = [
  'accBeta1',
  'accBeta2',
  'accumulatedFirstMoment',
  'accumulatedSecondMoment',
  'iterations_',
  'lossFunctions',
  'metricsTensors',
  'calculateLosses',
  'getTrainingConfig',
  'typedArrayFromHeap',
  'makeOutput',
  'tensorMap',
  'isUsingGpuDevice',
];

export interface PrivateAccess {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

const TFJS = /[\\/]node_modules[\\/]@tensorflow[\\/]/;

function declaredInTfjs(checker: ts.TypeChecker, type: ts.Type, seen = new Set<ts.Type>()): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if (type.isUnionOrIntersection()) return type.types.some((t) => declaredInTfjs(checker, t, seen));
  const symbol = type.getSymbol();
  if (symbol?.declarations?.some((d) => TFJS.test(d.getSourceFile().fileName))) return true;
  // A class of one's own that extends a tfjs class (a backend subclass) is a tfjs object too.
  if (type.isClassOrInterface()) return (checker.getBaseTypes(type) ?? []).some((base) => declaredInTfjs(checker, base, seen));
  return false;
}

function isPrivateTfjsMember(symbol: ts.Symbol | undefined): boolean {
  return (symbol?.declarations ?? []).some(
    (d) => TFJS.test(d.getSourceFile().fileName) && (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0,
  );
}

const skipParens = (node: ts.Expression): ts.Expression => (ts.isParenthesizedExpression(node) ? skipParens(node.expression) : node);

function isCast(node: ts.Node): node is ts.AsExpression | ts.TypeAssertion {
  return ts.isAsExpression(node) || ts.isTypeAssertionExpression(node);
}

const isTopType = (type: ts.TypeNode) => type.kind === ts.SyntaxKind.UnknownKeyword || type.kind === ts.SyntaxKind.AnyKeyword;

function isObjectType(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some(isObjectType);
  return (type.flags & ts.TypeFlags.Object) !== 0 || type.isIntersection();
}

/** `any`, `unknown` or `{}`: a type that says nothing about the object (tfjs hands kernels their backend as `{}`). */
const isLoose = (checker: ts.TypeChecker, type: ts.Type): boolean =>
  (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0 ||
  ((type.flags & ts.TypeFlags.Object) !== 0 && checker.getPropertiesOfType(type).length === 0 && type.getCallSignatures().length === 0 && type.getStringIndexType() === undefined);
const isLooseOrKeyed = (checker: ts.TypeChecker, type: ts.Type): boolean => isLoose(checker, type) || type.getStringIndexType() !== undefined;

/** Every private reach into tfjs in `files` (absolute paths), compiled with `options`. */
export function findPrivateTfjsAccess(files: readonly string[], options: ts.CompilerOptions): PrivateAccess[] {
  const program = ts.createProgram({ rootNames: files, options: { ...options, noEmit: true } });
  const checker = program.getTypeChecker();
  const internalMembers = (type: ts.Type) => checker.getPropertiesOfType(type).filter((p) => TFJS_INTERNAL_NAMES.includes(p.name)).map((p) => p.name);
  const found: PrivateAccess[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`${file}: not part of the program`);
    const report = (node: ts.Node, why: string) =>
      found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, text: node.getText(source).slice(0, 120), why });
    const visit = (node: ts.Node): void => {
      if (isCast(node)) {
        // `x as unknown as T` is judged as one cast from x's type to T.
        let operand = skipParens(node.expression);
        const inner = isCast(operand) && isTopType(operand.type) ? operand : undefined;
        if (inner) operand = skipParens(inner.expression);
        const from = checker.getTypeAtLocation(operand);
        const to = checker.getTypeFromTypeNode(node.type);
        const named = internalMembers(to);
        if (!isTopType(node.type) && !declaredInTfjs(checker, to) && isObjectType(to)) {
          const fromTfjs = declaredInTfjs(checker, from);
          if (fromTfjs && !checker.isTypeAssignableTo(from, to)) report(node, 'casts a tfjs object to a type of its own');
          // Through `unknown` (or from an object the types say nothing about) to a type naming an internal.
          else if ((fromTfjs || inner !== undefined || isLoose(checker, from)) && named.length > 0) report(node, `casts to a type with the tfjs internal ${named.join(', ')}`);
        }
        if (inner) {
          ts.forEachChild(inner.expression, visit);
          return;
        }
      } else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
        const name = ts.isPropertyAccessExpression(node) ? node.name : node.argumentExpression;
        const text = ts.isIdentifier(name) || ts.isStringLiteralLike(name) ? name.text : undefined;
        if (isPrivateTfjsMember(checker.getSymbolAtLocation(name))) report(node, 'reaches a private or protected tfjs member');
        else if (text !== undefined && TFJS_INTERNAL_NAMES.includes(text) && isLooseOrKeyed(checker, checker.getTypeAtLocation(node.expression))) {
          report(node, `reads the tfjs internal ${text} from a loosely typed object`);
        }
      } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const name = node.propertyName ?? node.name;
        if (ts.isIdentifier(name) && TFJS_INTERNAL_NAMES.includes(name.text) && isLooseOrKeyed(checker, checker.getTypeAtLocation(node.parent))) {
          report(node, `reads the tfjs internal ${name.text} from a loosely typed object`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
