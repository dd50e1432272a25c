import * as ts from '@tslab/typescript-for-tslab';
import { isCompleteCode } from './tslab';

export type IsCompleteReply =
  | { status: 'complete' }
  | { status: 'incomplete'; indent: string }
  | { status: 'invalid' };

/** "Unterminated template literal": a template may span lines, so more input can complete it. */
const UNTERMINATED_TEMPLATE = 1160;

/**
 * Whether a cell is ready to run (the console's Enter): `incomplete` when more lines could finish
 * it (tslab's rule: the parser wants a token at the very end), `invalid` when it has a syntax error
 * that more input cannot fix, `complete` otherwise.
 */
export function isComplete(code: string): IsCompleteReply {
  const tslab = isCompleteCode(code);
  if (!tslab.completed) return { status: 'incomplete', indent: tslab.indent ?? '' };
  const { diagnostics = [] } = ts.transpileModule(code, {
    fileName: 'cell.ts',
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  const syntax = diagnostics.filter((diag) => diag.category === ts.DiagnosticCategory.Error);
  if (syntax.length === 0) return { status: 'complete' };
  if (syntax.every((diag) => diag.code === UNTERMINATED_TEMPLATE)) return { status: 'incomplete', indent: '' };
  return { status: 'invalid' };
}
