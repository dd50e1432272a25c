/**
 * An unhandled rejection that is not one of @jupyterlab/services' known ones is a bug: it must stop
 * the work through the caller (which then cleans up) instead of crashing the process past every
 * `finally`. Run in a child process, since the test runner treats unhandled rejections as failures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SESSION = join(__dirname, '..', '..', 'dist', 'src', 'runner', 'session.js');

describe('withServicesRejectionsHandled', () => {
  it('hands an unexpected rejection to the caller, lets cleanup run, then throws it; known ones are ignored', () => {
    expect(existsSync(SESSION), `${SESSION} missing: run npm run setup`).toBe(true);
    const script = `
      const { withServicesRejectionsHandled } = require(${JSON.stringify(SESSION)});
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      withServicesRejectionsHandled(async () => {
        Promise.reject(new Error('Kernel connection disconnected'));
        Promise.reject(new TypeError('a bug in a callback'));
        try {
          await sleep(100);
        } finally {
          console.log('cleanup ran');
        }
        return 'result';
      }, (error) => console.log('stop the work: ' + error.message)).then(
        (value) => console.log('resolved ' + value),
        (error) => console.log('thrown ' + error.name + ': ' + error.message),
      );`;
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(output.trim().split('\n')).toEqual(['stop the work: a bug in a callback', 'cleanup ran', 'thrown TypeError: a bug in a callback']);
  });
});
