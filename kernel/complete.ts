import type { Content } from './messages';
import type { CellRunner } from './execution';
import { codePointsToUtf16, utf16ToCodePoints } from './cursor';

/** complete_reply content: tslab's completions at the cursor, positions in code points. */
export function completeReply(runner: Pick<CellRunner, 'complete'>, request: Content): Content {
  const code = typeof request.code === 'string' ? request.code : '';
  const cursor = typeof request.cursor_pos === 'number' ? request.cursor_pos : [...code].length;
  const info = runner.complete(code, codePointsToUtf16(code, cursor));
  return {
    status: 'ok',
    matches: info.candidates,
    cursor_start: utf16ToCodePoints(code, info.start),
    cursor_end: utf16ToCodePoints(code, info.end),
    metadata: {},
  };
}
