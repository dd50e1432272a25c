import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * Keeps the last `maxLines` non-blank lines a server process prints on stdout and stderr (for
 * error messages and log look-ups), passing each to `onLine` as it comes. Lines split across
 * chunks arrive whole. The array returned is live: it fills while the process runs.
 */
export function captureChildLog(child: ChildProcess, maxLines: number, onLine?: (line: string) => void): string[] {
  const log: string[] = [];
  const follow = (stream: Readable | null) => {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (!line.trim()) return;
      log.push(line);
      if (log.length > maxLines) log.shift();
      onLine?.(line);
    });
  };
  follow(child.stdout);
  follow(child.stderr);
  return log;
}
