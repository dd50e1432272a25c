/**
 * A local JupyterHub for tests: Debian's `jupyterhub` 3.0 on 127.0.0.1 with free ports, the dummy
 * authenticator, the simple local-process spawner, `configurable-http-proxy` from node_modules, and
 * the project kernelspec on the single-user servers' JUPYTER_PATH. Everything it writes (sqlite db,
 * cookie secret, config, the users' homes) lives in one fresh temporary folder.
 *
 * Every process it starts — hub, proxy, single-user servers and their kernels — carries
 * `HUB_MARKER=<that folder>` in its environment, so `hubProcesses(folder)` finds them from outside
 * (/proc) without trusting the hub's own cleanup, and never mistakes another hub for this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { systemProgram } from '../../src/machine';
import { environmentOf, listProcesses } from '../../src/jupyter/process-table';
import { projectJupyterPath, projectRoot } from '../../src/paths';
import { freePort, withParentDeathSignal } from '../../src/jupyter/process';

/** The hub answers in about 4 s here (its sqlite schema, then the proxy); a loaded machine needs more. */
export const HUB_START_TIMEOUT_MS = 60_000;
/** A user's server is ready about 8 s after the request (4 s to start, up to 4 s until the hub polls it). */
export const USER_SERVER_START_TIMEOUT_MS = 90_000;
/** On SIGTERM the hub stops the proxy and every user server (which stop their kernels): ~4 s here. */
const HUB_STOP_GRACE_MS = 20_000;
const POLL_INTERVAL_MS = 250;
/** The environment variable naming the hub's folder in every process the hub starts. */
export const HUB_MARKER = 'LLM_PRICE_LAB_TEST_HUB';
/** The hub account whose tokens reach every user's server (a user's own token reaches only theirs). */
export const RUNNER_USER = 'notebook-runner';

export class HubError extends Error {
  override readonly name = 'HubError';
}

export interface HubUser {
  name: string;
  /** The user's server through the hub's proxy, e.g. `http://127.0.0.1:PORT/user/NAME/`. */
  baseUrl: string;
  /** A token of the user's own (not the hub's admin token), as the runner would be given. */
  token: string;
  /** The folder the user's server serves. */
  root: string;
}

export interface UserSpec {
  name: string;
  /** The folder the user's server serves (default: the hub's `notebookDir`). */
  root?: string;
}

export interface StopResult {
  /** Processes of this hub still running after the hub itself exited, killed then with SIGKILL. */
  forced: string[];
  /** Processes of this hub still running after everything (should always be empty). */
  remaining: string[];
}

export interface RunningHub {
  /** The public proxy URL, e.g. `http://127.0.0.1:PORT/`. */
  url: string;
  /** The hub's temporary folder (its marker). */
  dir: string;
  /** Creates the users and starts their servers, all at once; resolves when every one is ready. */
  startUsers(users: Array<string | UserSpec>): Promise<HubUser[]>;
  /** A token of RUNNER_USER: one token for all users' servers (for a run across several of them). */
  runnerToken(): Promise<string>;
  /** The proxy's routing table: path prefix → target URL. */
  routes(): Promise<Record<string, string>>;
  /** Recent lines of the hub's output (hub, proxy and single-user servers) that contain `text`. */
  logLines(text: string): string[];
  /** Stops everything and removes the folder; safe to call more than once. */
  stop(): Promise<StopResult>;
}

export interface StartHubOptions {
  /** The single-user servers' folder unless a user names another (default: the project root). */
  notebookDir?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Debian's hub, or the one on PATH; the single-user command is taken from beside it. */
function hubCommands(): { hub: string; singleuser: string } {
  const hub = process.env.JUPYTERHUB_BIN ?? systemProgram('jupyterhub');
  const singleuser = hub.includes('/') ? join(dirname(hub), 'jupyterhub-singleuser') : 'jupyterhub-singleuser';
  return { hub, singleuser };
}

/** Processes (pid and command line) whose environment carries this hub's marker. Linux only. */
export function hubProcesses(dir: string): Array<{ pid: number; command: string }> {
  const entry = `${HUB_MARKER}=${dir}`;
  return listProcesses()
    .filter((p) => environmentOf(p.pid)?.includes(entry) === true)
    .map((p) => ({ pid: p.pid, command: p.command }));
}

function killAll(dir: string): string[] {
  const killed: string[] = [];
  for (const p of hubProcesses(dir)) {
    try {
      process.kill(p.pid, 'SIGKILL');
      killed.push(`${p.pid} ${p.command}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  return killed;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The hub's configuration: every value passed as JSON so no path or token needs Python quoting. */
function configText(values: Record<string, unknown>): string {
  return `# Written by the project's hub test harness; removed with its folder.
import json
V = json.loads(${JSON.stringify(JSON.stringify(values))})
c = get_config()
c.JupyterHub.bind_url = V['bind_url']
c.JupyterHub.hub_bind_url = V['hub_bind_url']
c.JupyterHub.db_url = V['db_url']
c.JupyterHub.cookie_secret_file = V['cookie_secret_file']
c.JupyterHub.pid_file = V['pid_file']
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.spawner_class = 'simple'
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.services = [{'name': 'llm-price-lab-test', 'api_token': V['api_token']}]
c.JupyterHub.load_roles = [{
    'name': 'llm-price-lab-test',
    'scopes': ['admin:users', 'admin:servers', 'tokens', 'list:users', 'read:users', 'access:servers'],
    'services': ['llm-price-lab-test'],
}, {
    # An account for running notebooks on every user's server (as a CI account would be allowed).
    'name': 'llm-price-lab-runner',
    'scopes': ['access:servers'],
    'users': [V['runner_user']],
}]
c.ConfigurableHTTPProxy.command = [V['proxy']]
c.ConfigurableHTTPProxy.api_url = V['proxy_api_url']
c.ConfigurableHTTPProxy.auth_token = V['proxy_token']
c.ConfigurableHTTPProxy.pid_file = V['proxy_pid_file']
c.Spawner.cmd = [V['singleuser']]
c.Spawner.args = V['args']
c.Spawner.notebook_dir = V['notebook_dir']
c.Spawner.environment = V['environment']
c.Spawner.start_timeout = 90
c.SimpleLocalProcessSpawner.home_dir_template = V['home_template']

def per_user_root(spawner):
    # roots.json (name -> folder) is written before each start, so users may serve different folders.
    with open(V['roots_file']) as f:
        roots = json.load(f)
    spawner.notebook_dir = roots.get(spawner.user.name, V['notebook_dir'])

c.Spawner.pre_spawn_hook = per_user_root
`;
}

/** Starts a hub and resolves once its API answers through the proxy; on failure nothing is left. */
export async function startHub(options: StartHubOptions = {}): Promise<RunningHub> {
  const proxy = proxyCommand();
  let lastError: unknown;
  // Ports are free when probed, not reserved: a clash with another process is retried on new ones.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startOnce(options, proxy);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new HubError(String(lastError));
}

function proxyCommand(): string {
  const proxy = join(projectRoot(), 'node_modules', '.bin', 'configurable-http-proxy');
  if (!existsSync(proxy)) throw new HubError(`${proxy} is missing: run node scripts/setup.mjs`);
  return proxy;
}

async function startOnce(options: StartHubOptions, proxy: string): Promise<RunningHub> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-price-lab-hub-'));
  const [publicPort, hubPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://127.0.0.1:${publicPort}/`;
  const apiToken = randomBytes(24).toString('hex');
  const proxyToken = randomBytes(24).toString('hex');
  const proxyApiUrl = `http://127.0.0.1:${proxyApiPort}`;
  const notebookDir = options.notebookDir ?? projectRoot();
  const rootsFile = join(dir, 'roots.json');
  const roots: Record<string, string> = {};
  writeFileSync(rootsFile, JSON.stringify(roots));
  const { hub, singleuser } = hubCommands();
  writeFileSync(
    join(dir, 'jupyterhub_config.py'),
    configText({
      bind_url: url,
      hub_bind_url: `http://127.0.0.1:${hubPort}`,
      db_url: `sqlite:///${join(dir, 'jupyterhub.sqlite')}`,
      cookie_secret_file: join(dir, 'jupyterhub_cookie_secret'),
      pid_file: join(dir, 'jupyterhub.pid'),
      api_token: apiToken,
      proxy,
      proxy_api_url: proxyApiUrl,
      proxy_token: proxyToken,
      proxy_pid_file: join(dir, 'proxy.pid'),
      singleuser,
      // The simple spawner runs servers as the hub's own user; as root they refuse without this.
      args: process.getuid?.() === 0 ? ['--allow-root'] : [],
      notebook_dir: notebookDir,
      // The spawner passes on only a few variables of its own: the kernelspec folder and the marker
      // are given explicitly (kernels inherit the server's environment, so they carry the marker too).
      environment: { JUPYTER_PATH: projectJupyterPath(), [HUB_MARKER]: dir },
      home_template: join(dir, 'home', '{username}'),
      roots_file: rootsFile,
      runner_user: RUNNER_USER,
    }),
  );

  const log: string[] = [];
  // SIGTERM to the hub if the test process dies, even by SIGKILL: the hub then stops its proxy, servers and kernels.
  const launch = withParentDeathSignal(hub, ['-f', join(dir, 'jupyterhub_config.py')]);
  const child = spawn(launch.command, launch.args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [HUB_MARKER]: dir },
  });
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      log.push(line);
      if (log.length > 2000) log.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  // A test runner that ends without calling stop() (a crash) still takes the hub down with it.
  const onExit = () => void killAll(dir);
  process.once('exit', onExit);

  const api = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${url}hub/api/${path}`, {
      method,
      headers: { Authorization: `token ${apiToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  const apiJson = async (method: string, path: string, body?: unknown, expected: number[] = [200, 201]): Promise<unknown> => {
    const response = await api(method, path, body);
    const text = await response.text();
    if (!expected.includes(response.status)) {
      throw new HubError(`${method} hub/api/${path}: ${response.status} ${text.slice(0, 200)}`);
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  };

  let stopping: Promise<StopResult> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited(child), sleep(HUB_STOP_GRACE_MS)]);
      }
      const forced = killAll(dir);
      const deadline = Date.now() + 5_000;
      while (hubProcesses(dir).length > 0 && Date.now() < deadline) await sleep(POLL_INTERVAL_MS);
      const remaining = hubProcesses(dir).map((p) => `${p.pid} ${p.command}`);
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
      return { forced, remaining };
    })();
    return stopping;
  };

  const waitFor = async (what: string, timeoutMs: number, ready: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError) throw new HubError(`cannot run ${hub}: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new HubError(`the hub exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}: ${log.slice(-5).join(' | ')}`);
      }
      if (await ready()) return;
      if (Date.now() > deadline) throw new HubError(`${what} not ready within ${timeoutMs / 1000} s: ${log.slice(-3).join(' | ')}`);
      await sleep(POLL_INTERVAL_MS);
    }
  };

  const issueToken = async (name: string): Promise<string> => {
    const issued = (await apiJson('POST', `users/${name}/tokens`, { note: 'llm-price-lab runner', expires_in: 3600 })) as { token?: unknown };
    if (typeof issued.token !== 'string') throw new HubError(`no token in the hub's answer for ${name}`);
    return issued.token;
  };

  const startUser = async (spec: UserSpec): Promise<HubUser> => {
    const name = spec.name;
    await apiJson('POST', `users/${name}`, undefined, [201, 409]);
    // 201: ready within the hub's own short wait; 202: still starting, poll until ready.
    await apiJson('POST', `users/${name}/server`, undefined, [201, 202]);
    await waitFor(`${name}'s server`, USER_SERVER_START_TIMEOUT_MS, async () => {
      const user = (await apiJson('GET', `users/${name}`)) as { pending?: string | null; servers?: Record<string, { ready?: boolean }> };
      const server = user.servers?.[''];
      if (!server && !user.pending) throw new HubError(`${name}'s server failed to start: ${log.slice(-5).join(' | ')}`);
      return server?.ready === true;
    });
    return { name, baseUrl: `${url}user/${name}/`, token: await issueToken(name), root: spec.root ?? notebookDir };
  };

  try {
    await waitFor('the hub API', HUB_START_TIMEOUT_MS, async () => {
      try {
        return (await api('GET', '')).ok;
      } catch {
        return false; // not listening yet
      }
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    dir,
    async startUsers(users) {
      const specs = users.map((u) => (typeof u === 'string' ? { name: u } : u));
      for (const spec of specs) if (spec.root) roots[spec.name] = spec.root;
      writeFileSync(rootsFile, JSON.stringify(roots));
      return Promise.all(specs.map(startUser));
    },
    runnerToken: () => issueToken(RUNNER_USER),
    async routes() {
      const response = await fetch(`${proxyApiUrl}/api/routes`, {
        headers: { Authorization: `token ${proxyToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new HubError(`proxy routes: ${response.status}`);
      const table = (await response.json()) as Record<string, { target: string }>;
      return Object.fromEntries(Object.entries(table).map(([path, route]) => [path, route.target]));
    },
    logLines: (text) => log.filter((line) => line.includes(text)),
    stop,
  };
}
