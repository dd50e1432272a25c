import { ServerConnection } from '@jupyterlab/services';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openServicesConsole } from '../../src/runner/services-console';

/** A server's error response with a traceback, which services logs with console.error when it reads it. */
const failedResponse = () => new Response(JSON.stringify({ message: 'kernel not found', traceback: 'Traceback: KeyError' }), { status: 404 });

describe('services console scope', () => {
  afterEach(() => vi.restoreAllMocks());

  it("sends debug, info, log and warn lines made inside the scope to the sink, formatted, and leaves console.error alone", () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const lines: string[] = [];
    const scope = openServicesConsole((line) => lines.push(line));
    try {
      scope.run(() => {
        console.debug('Starting WebSocket: %s', 'ws://127.0.0.1:1/api/kernels/k');
        console.info('info', 1);
        console.log('log');
        console.warn(`Connection lost, reconnecting in ${0} seconds.`);
        console.error('a failure');
      });
    } finally {
      scope.close();
    }
    expect(lines).toEqual(['Starting WebSocket: ws://127.0.0.1:1/api/kernels/k', 'info 1', 'log', 'Connection lost, reconnecting in 0 seconds.']);
    expect(error).toHaveBeenCalledWith('a failure');
  });

  it("sends services' own console.error lines in the scope to the sink, and passes them through outside it", async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const lines: string[] = [];
    const scope = openServicesConsole((line) => lines.push(line));
    try {
      const inside = await scope.run(() => ServerConnection.ResponseError.create(failedResponse()));
      expect(inside.message).toBe('kernel not found');
      expect(lines).toEqual(['Traceback: KeyError']);
      expect(error).not.toHaveBeenCalled();
      await ServerConnection.ResponseError.create(failedResponse());
      expect(error).toHaveBeenCalledWith('Traceback: KeyError');
    } finally {
      scope.close();
    }
  });

  it('leaves the console of the runner command alone: its own warnings and errors reach stderr', () => {
    const bin = join(__dirname, '..', '..', 'dist', 'src', 'runner', 'bin.js');
    const preload = "process.nextTick(() => { console.error('an error of the runner'); console.warn('a warning of the runner'); });";
    const run = spawnSync(process.execPath, ['--eval', `${preload} process.argv.splice(1, 0, ${JSON.stringify(bin)}); require(${JSON.stringify(bin)});`, 'run', '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toContain('an error of the runner');
    expect(run.stderr).toContain('a warning of the runner');
  });

  it('follows what the scope schedules (timers, promise continuations), not code outside it', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const lines: string[] = [];
    const scope = openServicesConsole((line) => lines.push(line));
    try {
      let fired!: Promise<void>;
      scope.run(() => {
        fired = new Promise<void>((resolve) =>
          setTimeout(() => {
            console.debug('from a timer');
            resolve();
          }, 5),
        );
        void Promise.resolve().then(() => console.debug('from a continuation'));
      });
      console.debug('from the caller');
      await fired;
    } finally {
      scope.close();
    }
    expect(lines).toEqual(['from a continuation', 'from a timer']);
    expect(debug.mock.calls).toEqual([['from the caller']]);
  });

  it('puts the console methods back once the last open scope closes', () => {
    const before = { debug: console.debug, log: console.log, warn: console.warn, info: console.info };
    const first = openServicesConsole(() => undefined);
    const second = openServicesConsole(() => undefined);
    expect(console.debug).not.toBe(before.debug);
    first.close();
    first.close();
    expect(console.debug, 'one scope still open').not.toBe(before.debug);
    second.close();
    expect({ debug: console.debug, log: console.log, warn: console.warn, info: console.info }).toEqual(before);
  });
});
