import type { Content } from './messages';
import type { CellRunner } from './execution';
import { codePointsToUtf16 } from './cursor';
import { printQuickInfo } from './tslab';

/** inspect_reply content: the type and documentation TypeScript knows for the name at the cursor. */
export function inspectReply(runner: Pick<CellRunner, 'inspect'>, request: Content): Content {
  const code = typeof request.code === 'string' ? request.code : '';
  const cursor = typeof request.cursor_pos === 'number' ? request.cursor_pos : [...code].length;
  const info = runner.inspect(code, codePointsToUtf16(code, cursor));
  if (!info) return { status: 'ok', found: false, data: {}, metadata: {} };
  return { status: 'ok', found: true, data: { 'text/plain': printQuickInfo(info) }, metadata: {} };
}
