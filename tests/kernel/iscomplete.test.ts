import { describe, expect, it } from 'vitest';
import { isComplete } from '../../kernel/iscomplete';

describe('is_complete', () => {
  it.each(['const x = 1;', 'x + 1', 'function f() {\n  return 1;\n}', 'await Promise.resolve(1)', 'const s = `a\nb`;'])(
    'complete: %j',
    (code) => expect(isComplete(code)).toEqual({ status: 'complete' }),
  );
  it.each(['function f() {', 'const a = [1,', 'if (x) {\n  y();', 'const t = `open'])('incomplete: %j', (code) =>
    expect(isComplete(code).status).toBe('incomplete'),
  );
  it('suggests an indent inside a block', () => {
    expect(isComplete('function f() {')).toEqual({ status: 'incomplete', indent: '  ' });
  });
  it.each(['const = 1;', 'x = )', 'let 1a = 2;', 'a b c'])('invalid: %j', (code) =>
    expect(isComplete(code)).toEqual({ status: 'invalid' }),
  );
});
