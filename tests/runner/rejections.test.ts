/**
 * An unhandled rejection that is not one of @jupyterlab/services' own is a bug: it must stop the
 * work through the caller (which then cleans up) instead of crashing the process past every
 * `finally`. Services' own are recognised by where the error was made, not by its words: the same
 * message made elsewhere is a bug like any other. Run in a child process, since the test runner
 * treats unhandled rejections as failures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SESSION = join(__dirname, '..', '..', 'dist', 'src', 'runner', 'session.js');

/** Runs `body` inside withServicesRejectionsHandled in a fresh node; returns what it printed. */
function run(body: string): string[] {
  expect(existsSync(SESSION), `${SESSION} missing: run npm run setup`).toBe(true);
  const script = `
    const { withServicesRejectionsHandled } = require(${JSON.stringify(SESSION)});
    const { KernelShellFutureHandler } = require('@jupyterlab/services/lib/kernel/future');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    /** What services does when a kernel connection is disposed while a request waits for its replies. */
    function servicesCancelsAFuture() {
      const message = { header: { msg_type: 'execute_request', msg_id: 'm' }, channel: 'shell', content: {} };
      const future = new KernelShellFutureHandler(() => undefined, message, true, true, { id: 'k' });
      void future.done.then(() => undefined);
      future.dispose();
    }
    withServicesRejectionsHandled(async () => {
      ${body}
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
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000, cwd: join(__dirname, '..', '..') }).trim().split('\n');
}

describe('withServicesRejectionsHandled', () => {
  it("ignores services' own rejection (a future cancelled when its connection goes)", () => {
    expect(run('servicesCancelsAFuture();')).toEqual(['cleanup ran', 'resolved result']);
  });

  it('hands an unexpected rejection to the caller, lets cleanup run, then throws it', () => {
    expect(run("servicesCancelsAFuture(); Promise.reject(new TypeError('a bug in a callback'));")).toEqual([
      'stop the work: a bug in a callback',
      'cleanup ran',
      'thrown TypeError: a bug in a callback',
    ]);
  });

  it("treats services' wording from elsewhere as a bug: recognised by origin, not by message", () => {
    expect(run("Promise.reject(new Error('Kernel connection disconnected'));")).toEqual([
      'stop the work: Kernel connection disconnected',
      'cleanup ran',
      'thrown Error: Kernel connection disconnected',
    ]);
  });
});
