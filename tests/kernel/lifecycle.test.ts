import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Subscriber } from 'zeromq';
import { ControlThreadError, startControlThread, type ControlData } from '../../kernel/control';
import { parentGone, parentInfo, watchParent, type ProcessProbe } from '../../kernel/parent';
import { createSigner, decode } from '../../kernel/wire';
import { projectRoot } from '../../src/paths';

const MAIN = join(projectRoot(), 'dist', 'kernel', 'main.js');
/** Bound on any one kernel start or exit in these tests (a loaded machine is slow, never this slow). */
const PROCESS_TIMEOUT_MS = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'kernel-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Free TCP ports on 127.0.0.1, held by the returned servers until closed. */
async function holdPorts(count: number): Promise<{ ports: number[]; servers: Server[] }> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  return { ports: servers.map((s) => (s.address() as { port: number }).port), servers };
}

const closeAll = (servers: Server[]) => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));

/** A connection file on five free ports; `keep` names channels whose port stays occupied. */
async function connectionFile(name: string, keep: string[] = []): Promise<{ file: string; hbPort: number; release: () => Promise<unknown> }> {
  const channels = ['shell', 'iopub', 'stdin', 'control', 'hb'];
  const { ports, servers } = await holdPorts(channels.length);
  const info: Record<string, unknown> = { transport: 'tcp', ip: '127.0.0.1', key: 'k', signature_scheme: 'hmac-sha256' };
  channels.forEach((channel, i) => (info[`${channel}_port`] = ports[i]));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(info));
  const held = servers.filter((_, i) => keep.includes(channels[i]!));
  await closeAll(servers.filter((s) => !held.includes(s)));
  return { file, hbPort: ports[4]!, release: () => closeAll(held) };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

function stderrOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/** Resolves once something listens on 127.0.0.1:`port` (the kernel has bound that socket). */
async function listening(port: number): Promise<void> {
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket: Socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('a socket that cannot bind', () => {
  it.each([
    ['hb', /^llm-price-lab kernel: cannot bind the heartbeat socket to tcp:\/\/127\.0\.0\.1:\d+: .+$/],
    ['control', /^llm-price-lab kernel: cannot bind the control socket to tcp:\/\/127\.0\.0\.1:\d+: .+$/],
    ['shell', /^llm-price-lab kernel: cannot bind the shell socket to tcp:\/\/127\.0\.0\.1:\d+: .+$/],
  ])('%s: the kernel exits non-zero with one line saying so', async (channel, reason) => {
    const { file, release } = await connectionFile(`busy-${channel}`, [channel]);
    try {
      const result = spawnSync(process.execPath, [MAIN, '--connection-file', file], {
        cwd: dir,
        encoding: 'utf8',
        timeout: PROCESS_TIMEOUT_MS,
        env: { ...process.env, JPY_PARENT_PID: '' },
      });
      expect(result.signal, 'the kernel hung and was killed by the test').toBeNull();
      expect(result.status).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(reason)]);
    } finally {
      await release();
    }
  }, PROCESS_TIMEOUT_MS + 10_000);
});

describe('the control thread', () => {
  const data = { connection: {}, sender: {}, kernelInfo: {}, parent: { parentPid: undefined, initialPpid: 0 } } as unknown as ControlData;
  const worker = (name: string, body: string): string => {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, `const { parentPort } = require('node:worker_threads');\n${body}\n`);
    return file;
  };

  it('refuses to be ready when it ends first, with the reason', async () => {
    const file = worker('dies-early', 'process.exit(3);');
    const control = startControlThread(data, { onShutdown: () => {}, onFailure: () => {} }, file);
    await expect(control.ready).rejects.toThrow(ControlThreadError);
    await expect(control.ready).rejects.toThrow('control thread ended unexpectedly (exit code 3)');
    await control.close();
  });

  it('reports a thread that dies after ready as a failure, once', async () => {
    const file = worker('dies-later', "parentPort.postMessage({ type: 'ready' });\nsetTimeout(() => { throw new Error('boom'); }, 50);");
    const failures: string[] = [];
    const failed = new Promise<void>((resolve) => {
      const control = startControlThread(data, { onShutdown: () => {}, onFailure: (e) => (failures.push(e.message), resolve()) }, file);
      void control.ready;
    });
    await within(failed, 20_000, 'failure report');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(failures).toEqual(['control thread failed: boom']);
  });
});

describe('parent watch', () => {
  const probe = (ppid: number, alive: number[]): ProcessProbe => ({ ppid: () => ppid, exists: (pid) => alive.includes(pid) });

  it('reads JPY_PARENT_PID and sees its parent gone, or itself reparented', () => {
    expect(parentInfo({ JPY_PARENT_PID: '4321' }, 4321)).toEqual({ parentPid: 4321, initialPpid: 4321 });
    expect(parentInfo({ JPY_PARENT_PID: '1' }, 7).parentPid).toBeUndefined();
    expect(parentInfo({}, 7).parentPid).toBeUndefined();
    const info = { parentPid: 4321, initialPpid: 4000 };
    expect(parentGone(info, probe(4000, [4321]))).toBeUndefined();
    expect(parentGone(info, probe(4000, []))).toBe('parent process 4321 (JPY_PARENT_PID) is gone');
    expect(parentGone(info, probe(1, [4321]))).toBe('parent process 4000 is gone (now a child of 1)');
    // Started by init: nothing to be orphaned from.
    expect(parentGone({ parentPid: undefined, initialPpid: 1 }, probe(1, []))).toBeUndefined();
  });

  it('sees a parent already gone at once, without waiting for the first poll', () => {
    const reasons: string[] = [];
    const stop = watchParent({ parentPid: 4321, initialPpid: 4000 }, (reason) => reasons.push(reason), 60_000, probe(4000, []));
    stop();
    expect(reasons).toEqual(['parent process 4321 (JPY_PARENT_PID) is gone']);
    const none: string[] = [];
    watchParent({ parentPid: 4321, initialPpid: 4000 }, (reason) => none.push(reason), 60_000, probe(4000, [4321]))();
    expect(none).toEqual([]);
  });

  it('shuts down cleanly when told to while its sockets are still binding (its parent gone before it started)', async () => {
    const { file } = await connectionFile('parent-gone-at-start');
    const parent = spawn('true');
    await exited(parent);
    // The control thread sees the parent gone before it says it is ready: the shutdown reaches the
    // main thread while it still waits for its sockets, before anything of serving exists.
    const kernel = spawn(process.execPath, [MAIN, '--connection-file', file], {
      cwd: dir,
      env: { ...process.env, JPY_PARENT_PID: String(parent.pid) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr = stderrOf(kernel);
    try {
      const code = await within(exited(kernel), PROCESS_TIMEOUT_MS, 'kernel exit when its parent was gone at start');
      expect(stderr()).toContain(`parent process ${parent.pid} (JPY_PARENT_PID) is gone; shutting down`);
      expect(stderr()).toContain('shutting down before serving');
      expect(stderr()).not.toMatch(/Error\b|Unhandled|at \S+ \(/);
      expect(code).toBe(0);
    } finally {
      kernel.kill('SIGKILL');
    }
  }, PROCESS_TIMEOUT_MS + 10_000);

  it('ends the kernel when the process named by JPY_PARENT_PID is gone', async () => {
    const { file } = await connectionFile('jpy-parent');
    const parent = spawn('sleep', ['120']);
    const kernel = spawn(process.execPath, [MAIN, '--connection-file', file], {
      cwd: dir,
      env: { ...process.env, JPY_PARENT_PID: String(parent.pid) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr = stderrOf(kernel);
    try {
      parent.kill('SIGKILL');
      await within(exited(kernel), PROCESS_TIMEOUT_MS, 'kernel exit after its parent died');
      expect(stderr()).toContain(`parent process ${parent.pid} (JPY_PARENT_PID) is gone; shutting down`);
    } finally {
      parent.kill('SIGKILL');
      kernel.kill('SIGKILL');
    }
  }, PROCESS_TIMEOUT_MS + 10_000);

  it('ends the kernel when its parent is killed (SIGKILL) and it is reparented', async () => {
    const { file, hbPort } = await connectionFile('reparented');
    // A shell starts the kernel and waits; killing the shell orphans the kernel.
    const shell = spawn('sh', ['-c', `"$0" "$1" --connection-file "$2" & echo $!; wait`, process.execPath, MAIN, file], {
      cwd: dir,
      env: { ...process.env, JPY_PARENT_PID: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr = stderrOf(shell);
    const kernelPid = await within(
      new Promise<number>((resolve) => shell.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())))),
      PROCESS_TIMEOUT_MS,
      'kernel pid',
    );
    const alive = () => spawnSync('kill', ['-0', String(kernelPid)]).status === 0;
    try {
      // Orphaned only once it runs: a kernel whose parent is already gone at start has init as parent.
      await within(listening(hbPort), PROCESS_TIMEOUT_MS, 'kernel heartbeat bound');
      expect(alive()).toBe(true);
      shell.kill('SIGKILL');
      const deadline = Date.now() + PROCESS_TIMEOUT_MS;
      while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(alive(), `the orphaned kernel is still running: ${spawnSync('ps', ['-o', 'pid,ppid,stat,args', '-p', String(kernelPid)], { encoding: 'utf8' }).stdout} ${stderr()}`).toBe(false);
      expect(stderr()).toMatch(/parent process \d+ is gone \(now a child of \d+\); shutting down/);
    } finally {
      if (alive()) process.kill(kernelPid, 'SIGKILL');
    }
  }, PROCESS_TIMEOUT_MS + 10_000);
});

describe('IOPub welcome (JEP 65)', () => {
  it('greets each new subscriber with iopub_welcome naming its subscription, duplicates included', async () => {
    const { file } = await connectionFile('welcome');
    const { iopub_port: port } = JSON.parse(readFileSync(file, 'utf8')) as { iopub_port: number };
    const kernel = spawn(process.execPath, [MAIN, '--connection-file', file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, JPY_PARENT_PID: '' } });
    const signer = createSigner('hmac-sha256', 'k');
    /** Subscribes to everything and resolves with the first iopub_welcome's content. */
    const welcomed = async (): Promise<{ subscriber: Subscriber; content: Record<string, unknown> }> => {
      const subscriber = new Subscriber();
      subscriber.connect(`tcp://127.0.0.1:${port}`);
      subscriber.subscribe();
      for await (const frames of subscriber) {
        const decoded = decode(frames, signer);
        if (decoded.kind === 'ok' && decoded.message.header.msg_type === 'iopub_welcome') {
          expect(decoded.message.parent_header).toEqual({});
          return { subscriber, content: decoded.message.content };
        }
      }
      throw new Error('the subscriber closed before a welcome');
    };
    const subscribers: Subscriber[] = [];
    try {
      await listening(port);
      const first = await within(welcomed(), PROCESS_TIMEOUT_MS, 'welcome of the first subscriber');
      subscribers.push(first.subscriber);
      expect(first.content).toEqual({ subscription: '' });
      // A second subscriber to the same (empty) topic is welcomed too.
      const second = await within(welcomed(), PROCESS_TIMEOUT_MS, 'welcome of the second subscriber');
      subscribers.push(second.subscriber);
      expect(second.content).toEqual({ subscription: '' });
    } finally {
      for (const s of subscribers) s.close();
      kernel.kill('SIGKILL');
    }
  }, PROCESS_TIMEOUT_MS * 2 + 10_000);
});
