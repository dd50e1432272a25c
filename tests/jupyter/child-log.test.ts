import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { captureChildLog } from '../../src/jupyter/child-log';

describe('captureChildLog', () => {
  it('keeps whole lines from both streams, even when a line arrives in pieces, and only the last N', async () => {
    const script = [
      "process.stdout.write('first ha'); process.stderr.write('an error line\\n');",
      "setTimeout(() => { process.stdout.write('lf\\n\\n');",
      "  for (let i = 0; i < 5; i += 1) process.stdout.write(`line ${i}\\n`); }, 50);",
    ].join('\n');
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: string[] = [];
    const log = captureChildLog(child, 4, (line) => seen.push(line));
    await once(child, 'close');
    expect(seen).toContain('first half');
    expect(seen).toContain('an error line');
    expect(seen).not.toContain('');
    expect(seen).toHaveLength(7);
    expect(log).toHaveLength(4);
    expect(log.at(-1)).toBe('line 4');
  });
});
