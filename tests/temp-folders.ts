/**
 * Temporary folders for tests.
 *
 * A test file makes its folders with `tempFolders(prefix).make()` and removes them all with
 * `removeAll()` in `afterAll`, so a failing assertion leaves nothing behind either. A test that
 * kills a process on purpose gives it a temp folder of its own (`TMPDIR`) and removes that, so what
 * the killed process (and its server, kernels or browser) could not clean up goes too, and nothing
 * another process made is ever touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempFolders {
  /** A new empty folder `<tmpdir>/<prefix>XXXXXX`, or `<tmpdir>/<prefix><label>-XXXXXX`. */
  make(label?: string): string;
  /** Removes every folder made so far (their contents included). */
  removeAll(): void;
}

export function tempFolders(prefix: string): TempFolders {
  const made: string[] = [];
  return {
    make(label) {
      const dir = mkdtempSync(join(tmpdir(), label ? `${prefix}${label}-` : prefix));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

