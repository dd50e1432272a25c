/**
 * The runner on a real JupyterHub: a local hub (dummy authenticator, simple local-process spawner,
 * configurable-http-proxy) starts two users' servers through its REST API, and the CLI runs notebooks
 * with `--server http://127.0.0.1:PORT/user/NAME/` and a token in JUPYTER_TOKEN. Everything goes
 * through the proxy: the base URL prefix, the REST calls and the kernels' websockets.
 *
 * One hub and two user servers serve the whole file (each server start costs seconds):
 *  1. `analyst` serves the project folder: 04 and 01 (smoke) with the user's own token — this run is
 *     also the single-server reference for 3;
 *  2. `colleague` serves the folder above the project: 04 with the runner started in the project
 *     folder, the session path found through the contents API, the kernel in the notebook's folder
 *     (1 and 2 run at the same time, each on its own server);
 *  3. then both servers in one run (`--server` twice, one token for both), results equal to 1;
 *  4. stopping the hub leaves nothing behind.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import type { CodeCell, Notebook, RunReport } from '../../src/runner/types';
import { readValidNotebook, withoutTiming } from '../runner/helpers';
import { hubProcesses, startHub, type HubUser, type RunningHub, type StopResult } from './hub';

const ROOT = projectRoot();
const CLI = join(ROOT, 'dist', 'src', 'runner', 'bin.js');
const NOTEBOOKS = ['04-math', '01-background'];
/** Both smoke runs take about 35 s at -j 2 on a busy 2-core machine; the rest is hub and user start. */
const RUN_TIMEOUT_MS = 180_000;
const KERNEL_POLL_MS = 200;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion, or kills it at the deadline (it then stops its kernels itself). */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  // Started from the project folder, as a user would; the notebook paths are relative to it.
  const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const codeCells = (notebook: Notebook): CodeCell[] => notebook.cells.filter((c): c is CodeCell => c.cell_type === 'code');

/** The CLI's environment without any server or token of the caller's own. */
function cleanEnv(token: string): NodeJS.ProcessEnv {
  const { JUPYTER_TOKEN: _ignored, JUPYTER_BASE_URL: _alsoIgnored, ...env } = process.env;
  return { ...env, JUPYTER_TOKEN: token };
}

const cliArgs = (names: string[], servers: HubUser[], out: string, jobs: number): string[] => [
  ...names.map((n) => join('notebooks', `${n}.ipynb`)),
  '--profile', 'smoke',
  ...servers.flatMap((s) => ['--server', s.baseUrl]),
  '-o', out, '-j', String(jobs), '--no-html', '--progress', 'none',
];

const readReport = (out: string): RunReport => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;

/** The executed notebook without what differs between two runs: timing metadata and the plots' random div ids. */
function comparable(out: string, name: string): Notebook {
  const text = JSON.stringify(withoutTiming(readValidNotebook(join(out, 'notebooks', `${name}.ipynb`))));
  // Plot element ids and widget model ids (random, 32 hex digits) differ from run to run.
  return JSON.parse(text.replace(/llm-price-lab-plot-\d+-\d+-[a-z0-9]+/g, 'llm-price-lab-plot-ID').replace(/(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g, 'MODEL-ID')) as Notebook;
}

/** The kernels' websocket lines in a user's server log (each names its kernel id, so each is unique). */
const websocketLines = (hub: RunningHub, user: string): string[] =>
  hub.logLines(`101 GET /user/${user}/api/kernels/`).filter((l) => l.includes('/channels'));

/**
 * Watches the kernels of one user's server while `during` runs and returns the folders they ran in.
 * A kernel is a process of the hub's (by its marker) started with a Jupyter connection file, and
 * inherits JUPYTERHUB_USER from its server; its working folder is read from /proc, so it is the
 * folder the server really gave it.
 */
async function kernelFolders<T>(hub: RunningHub, user: string, during: Promise<T>): Promise<{ result: T; folders: Map<number, string> }> {
  const folders = new Map<number, string>();
  let done = false;
  const finished = during.finally(() => {
    done = true;
  });
  while (!done) {
    for (const p of hubProcesses(hub.dir)) {
      if (folders.has(p.pid) || !/kernel-[0-9a-f-]+\.json/.test(p.command)) continue;
      try {
        if (!readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').includes(`JUPYTERHUB_USER=${user}`)) continue;
        folders.set(p.pid, readlinkSync(`/proc/${p.pid}/cwd`));
      } catch (error) {
        // ENOENT or ESRCH: the process ended between the listing and the read.
        if (!['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      }
    }
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, KERNEL_POLL_MS))]);
  }
  return { result: await finished, folders };
}

describe('notebooks through a real JupyterHub', () => {
  const out = mkdtempSync(join(tmpdir(), 'hub-run-'));
  let hub: RunningHub | undefined;
  const single = join(out, 'single');
  const above = join(out, 'above');
  let user: HubUser;
  let colleague: HubUser;
  let run: CliResult;
  let aboveRun: CliResult;
  let aboveKernels: Map<number, string>;

  beforeAll(async () => {
    hub = await startHub({ notebookDir: ROOT });
    [user, colleague] = await hub.startUsers(['analyst', { name: 'colleague', root: dirname(ROOT) }]);
    // The first two runs use different servers and share nothing: they run at the same time.
    [run, { result: aboveRun, folders: aboveKernels }] = await Promise.all([
      runCli(cliArgs(NOTEBOOKS, [user], single, 2), cleanEnv(user.token)),
      kernelFolders(hub, 'colleague', runCli(cliArgs(['04-math'], [colleague], above, 1), cleanEnv(colleague.token))),
    ]);
  }, 180_000 + RUN_TIMEOUT_MS);

  afterAll(async () => {
    await hub?.stop();
    rmSync(out, { recursive: true, force: true });
  }, 60_000);

  describe("a user's server rooted at the project, the user's own token", () => {
    let report: RunReport;

    beforeAll(() => {
      report = readReport(single);
    });
    it('the user server is behind the proxy, under /user/NAME/, not at the URL the runner was given', async () => {
      expect(user.baseUrl).toBe(`${hub?.url}user/analyst/`);
      const routes = await hub!.routes();
      const target = routes['/user/analyst'];
      expect(target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(user.baseUrl.startsWith(`${target}/`)).toBe(false);
    });

    it("each user's server serves its own folder and takes only its owner's token; the runner account's token opens both", async () => {
      const get = (base: string, path: string, token: string) =>
        fetch(`${base}${path}`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(10_000) });
      const listing = async (who: HubUser) => {
        const response = await get(who.baseUrl, 'api/contents/', who.token);
        expect(response.status).toBe(200);
        return ((await response.json()) as { content: Array<{ name: string }> }).content.map((e) => e.name);
      };
      expect(await listing(user)).toEqual(expect.arrayContaining(['notebooks', 'package.json']));
      expect(await listing(colleague)).toContain(basename(ROOT));
      expect((await get(colleague.baseUrl, 'api/status', user.token)).status).toBe(403);
      expect((await get(user.baseUrl, 'api/status', '')).status).toBe(403);
      const shared = await hub!.runnerToken();
      for (const who of [user, colleague]) expect((await get(who.baseUrl, 'api/status', shared)).status).toBe(200);
    });

    it('runs 04 and 01 (smoke) to the end with the user token from JUPYTER_TOKEN', () => {
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(report.server).toBe('external');
      expect(report.notebooks.map((n) => [n.name, n.status, n.cellsRun === n.codeCells])).toEqual(
        NOTEBOOKS.map((name) => [name, 'passed', true]),
      );
      expect(run.stdout).toMatch(/2\/2 notebooks passed/);
    });

    it('the executed notebooks are valid and hold the kernel outputs: streams, tables, figures', () => {
      const math = readValidNotebook(join(single, 'notebooks', '04-math.ipynb'));
      const cells = codeCells(math);
      expect(cells.every((c) => typeof c.execution_count === 'number')).toBe(true);
      const outputs = cells.flatMap((c) => c.outputs);
      const streams = outputs.flatMap((o) => (o.output_type === 'stream' ? [o.text] : [])).join('');
      expect(streams).toMatch(/Example 0: x = \[/);
      const bundles = outputs.flatMap((o) => (o.output_type === 'display_data' || o.output_type === 'execute_result' ? [o.data] : []));
      expect(bundles.some((b) => 'text/markdown' in b)).toBe(true);
      expect(bundles.some((b) => 'application/vnd.plotly.v1+json' in b)).toBe(true);
      const background = readValidNotebook(join(single, 'notebooks', '01-background.ipynb'));
      expect(codeCells(background).every((c) => typeof c.execution_count === 'number')).toBe(true);
      expect(codeCells(background).some((c) => c.outputs.length > 0)).toBe(true);
    });

    it("the kernels' websockets went through the proxy under the user's prefix", () => {
      // The single-user server logs each upgraded websocket with its full path (and the token hidden).
      const upgrades = websocketLines(hub!, 'analyst');
      expect(upgrades.length).toBeGreaterThanOrEqual(NOTEBOOKS.length);
      expect(upgrades.every((l) => l.includes('token=[secret]') || !l.includes('token='))).toBe(true);
      // Sessions were created and deleted again: the runner shut its kernels down.
      expect(hub!.logLines('201 POST /user/analyst/api/sessions')).toHaveLength(NOTEBOOKS.length);
      expect(hub!.logLines('204 DELETE /user/analyst/api/sessions/')).toHaveLength(NOTEBOOKS.length);
    });
  });

  describe("a user's server rooted at the folder above the project", () => {
    it('runs 04 (smoke) started from the project folder, its kernel in the notebook folder', () => {
      expect(aboveRun.code, `${aboveRun.stdout}\n${aboveRun.stderr}`).toBe(0);
      const report = readReport(above);
      expect(report.notebooks.map((n) => [n.name, n.status, n.cellsRun === n.codeCells])).toEqual([['04-math', 'passed', true]]);
      // It ran on colleague's server, whose root is not the runner's folder: the runner sent the path
      // below that root (PROJECT/notebooks/04-math.ipynb), so the kernel started in the notebook folder.
      expect(websocketLines(hub!, 'colleague').length).toBeGreaterThanOrEqual(1);
      expect(aboveKernels.size).toBeGreaterThanOrEqual(1);
      expect(new Set(aboveKernels.values())).toEqual(new Set([join(ROOT, 'notebooks')]));
    });
  });

  describe("two users' servers in one run (--server twice, one token for both)", () => {
    it('runs 04 and 01 (smoke) at -j 2 over both, each notebook equal to the single-server run', async () => {
      const spread = join(out, 'spread');
      const before = { analyst: new Set(websocketLines(hub!, 'analyst')), colleague: new Set(websocketLines(hub!, 'colleague')) };
      const run = await runCli(cliArgs(NOTEBOOKS, [user, colleague], spread, 2), cleanEnv(await hub!.runnerToken()));
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const report = readReport(spread);
      expect(report.notebooks.map((n) => [n.name, n.status, n.cellsRun === n.codeCells])).toEqual(
        NOTEBOOKS.map((name) => [name, 'passed', true]),
      );
      expect(new Set(report.notebooks.map((n) => n.server))).toEqual(new Set([user.baseUrl, colleague.baseUrl]));
      for (const name of ['analyst', 'colleague'] as const) {
        const fresh = websocketLines(hub!, name).filter((l) => !before[name].has(l));
        expect(fresh.length, `kernel websockets of this run on ${name}'s server`).toBeGreaterThanOrEqual(1);
      }
      for (const name of NOTEBOOKS) expect(comparable(spread, name), name).toEqual(comparable(single, name));
    }, RUN_TIMEOUT_MS + 30_000);
  });

  describe('the end', () => {
    it('stopping the hub ends the hub, the proxy, the user server and every kernel', async () => {
      const dir = hub!.dir;
      const before = hubProcesses(dir).map((p) => p.command);
      expect(before.filter((c) => c.includes('jupyterhub-singleuser'))).toHaveLength(2);
      expect(before.some((c) => c.includes('configurable-http-proxy'))).toBe(true);
      const result: StopResult = await hub!.stop();
      expect(result).toEqual({ forced: [], remaining: [] });
      expect(hubProcesses(dir)).toEqual([]);
    }, 60_000);
  });
});
