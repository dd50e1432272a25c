/**
 * Runs through the library (not the CLI, which silences the console of its own process) in a Node
 * process of their own, to see exactly what they write to stdout and stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from './helpers';

const DIST = join(__dirname, '..', '..', 'dist');
const SERVICES_NOTICE = /Starting WebSocket|Connection lost, reconnecting|Kernel: restarting/;

function node(script: string, env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 240_000, env });
}

describe("@jupyterlab/services' console lines", () => {
  const out = mkdtempSync(join(tmpdir(), 'runner-services-console-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const { LLM_PRICE_LAB_DEBUG: _debug, ...env } = process.env;

  it('a run writes no `Starting WebSocket` line to stdout or stderr', () => {
    const child = node(
      `require(${JSON.stringify(join(DIST, 'src', 'runner', 'index.js'))})
        .runNotebooks({ notebooks: [${JSON.stringify(fixture('success'))}], outputDir: ${JSON.stringify(out)}, html: false })
        .then((report) => process.stdout.write('status: ' + report.notebooks[0].status + '\\n'));`,
      env,
    );
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toBe('status: passed\n');
    expect(child.stderr).not.toMatch(SERVICES_NOTICE);
  });

  it('a kernel session, restarted, sends them to the debug output (stderr) with LLM_PRICE_LAB_DEBUG=1, and only there', () => {
    const child = node(
      `const { startServer } = require(${JSON.stringify(join(DIST, 'src', 'runner', 'server.js'))});
      const { serverSettings, startKernelSession } = require(${JSON.stringify(join(DIST, 'src', 'runner', 'session.js'))});
      (async () => {
        const server = await startServer({ rootDir: ${JSON.stringify(out)} });
        let session;
        try {
          session = await startKernelSession(serverSettings(server), { path: 'a.ipynb', name: 'a.ipynb', kernelName: 'llm-price-lab' });
          await session.restart();
          process.stdout.write('restarted\\n');
        } finally {
          await session?.shutdown().catch(() => undefined);
          await server.stop();
        }
      })();`,
      { ...env, LLM_PRICE_LAB_DEBUG: '1' },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toBe('restarted\n');
    const notices = child.stderr.split('\n').filter((line) => SERVICES_NOTICE.test(line));
    // The first connection, the restart, and the connection made again after it.
    expect(notices.filter((line) => /Starting WebSocket: ws:\/\/127\.0\.0\.1:\d+\/api\/kernels\/[\w-]+$/.test(line))).toHaveLength(2);
    expect(notices.some((line) => line.includes('Kernel: restarting'))).toBe(true);
    expect(notices.every((line) => line.startsWith('llm-price-lab debug: ')), notices.join('\n')).toBe(true);
  });
});
