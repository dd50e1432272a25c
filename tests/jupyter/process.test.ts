/**
 * The life of a Jupyter server process (src/jupyter/process.ts), against a stand-in server
 * (tests/fixtures/jupyter/fake-server.mjs): readiness with the token, a stop that leaves no server,
 * kernel or runtime folder, and the caller's typed error for a server that exits, never answers or
 * cannot be run. The real servers are started by the runner's, the lab command's and the browser tests.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setprivCommand } from '../../src/machine';
import { projectRoot } from '../../src/paths';
import { startJupyterProcess, strayKernelPids, tokenConfigArgument, withParentDeathSignal, type JupyterProcessOptions } from '../../src/jupyter/process';
import { listProcesses } from '../../src/jupyter/process-table';
import { tempFolders } from '../temp-folders';

const FAKE = join(projectRoot(), 'tests', 'fixtures', 'jupyter', 'fake-server.mjs');

class FakeStartError extends Error {
  constructor(
    message: string,
    readonly log: string[],
  ) {
    super(message);
  }
}

function options(mode: string, extra: Partial<JupyterProcessOptions> = {}): JupyterProcessOptions {
  return {
    label: 'fake server',
    command: process.execPath,
    args: [FAKE],
    rootDir: tmpdir(),
    runtimePrefix: 'llm-price-lab-test-jupyter-',
    env: { FAKE_MODE: mode },
    startTimeoutMs: 20_000,
    stopGraceMs: 2_000,
    logLines: 50,
    startError: (message, context) => new FakeStartError(message, context.log),
    ...extra,
  };
}

const alive = (pid: number) => listProcesses().some((p) => p.pid === pid);

describe('a Jupyter server process', () => {
  it('answers with its token once ready, and stop() leaves no server, kernel or runtime folder', async () => {
    const server = await startJupyterProcess(options(''));
    let stopped = false;
    try {
      expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetch(`${server.baseUrl}api/status`, { headers: { Authorization: `token ${server.token}` } })).status).toBe(200);
      expect((await fetch(`${server.baseUrl}api/status`, { headers: { Authorization: 'token wrong' } })).status).toBe(403);
      // The token is in a file only its user can read, never on the command line or in the environment.
      const command = listProcesses().find((p) => p.pid === server.pid)?.command ?? '';
      expect(command).not.toContain(server.token);
      expect(command).toContain(`--ServerApp.root_dir=${tmpdir()}`);
      expect(server.log()).toContain(`fake server: root ${tmpdir()}`);
      // The server's own command line names the runtime folder too (its token file): the kernel is the other one.
      const kernels = () => strayKernelPids(server.runtimeDir).filter((pid) => pid !== server.pid);
      await expect.poll(() => kernels().length).toBe(1);
      const kernel = kernels()[0]!;
      void server.unexpectedExit.then(() => {
        if (!stopped) throw new Error('unexpectedExit resolved on stop()');
      });
      await server.stop();
      stopped = true;
      expect(alive(server.pid)).toBe(false);
      expect(alive(kernel)).toBe(false);
      expect(existsSync(server.runtimeDir)).toBe(false);
      await server.stop(); // a second stop does nothing
    } finally {
      await server.stop();
    }
  });

  it('stops a server that ignores the shutdown request and SIGTERM, by SIGKILL to its group', async () => {
    const server = await startJupyterProcess(options('stubborn'));
    await server.stop();
    expect(alive(server.pid)).toBe(false);
  });

  it("gives the caller's error, with the log, when the server exits before answering", async () => {
    const started = startJupyterProcess(options('exit'));
    await expect(started).rejects.toThrow(/^fake server exited \(3\) before answering: fake server: refusing to start$/);
    await expect(started).rejects.toBeInstanceOf(FakeStartError);
  });

  it('gives it when the server does not answer in time, and stops what it started', async () => {
    const before = new Set(listProcesses().map((p) => p.pid));
    await expect(startJupyterProcess(options('mute', { startTimeoutMs: 1_500 }))).rejects.toThrow(/^fake server did not answer at http:\/\/127\.0\.0\.1:\d+\/ within 1\.5 s$/);
    expect(listProcesses().filter((p) => !before.has(p.pid) && p.command.includes(FAKE))).toEqual([]);
  });

  it('gives it when the program cannot be run', async () => {
    await expect(startJupyterProcess(options('', { command: join(tmpdir(), 'no-such-jupyter') }))).rejects.toThrow(/^cannot run .*no-such-jupyter: no such file$/);
  });
});

describe('its parts', () => {
  const folders = tempFolders('jupyter-process-');

  it('writes the token to a config file of the application, readable by its user only', () => {
    const dir = folders.make();
    const argument = tokenConfigArgument(dir, 'secret', 'NotebookApp');
    const file = argument.replace(/^--config=/, '');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ NotebookApp: { token: 'secret' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    folders.removeAll();
  });

  it('starts a command with the parent-death signal through setpriv where Linux has it', () => {
    const setpriv = process.platform === 'linux' ? setprivCommand() : undefined;
    const wrapped = withParentDeathSignal('jupyter', ['server']);
    expect(wrapped).toEqual(setpriv === undefined ? { command: 'jupyter', args: ['server'] } : { command: setpriv, args: ['--pdeathsig', 'SIGTERM', '--', 'jupyter', 'server'] });
  });
});
