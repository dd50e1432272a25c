/**
 * The runner on a real JupyterHub: a local hub (dummy authenticator, simple local-process spawner,
 * configurable-http-proxy) starts a user's server through its REST API, and the CLI runs notebooks
 * with `--server http://127.0.0.1:PORT/user/NAME/` and the user's token in JUPYTER_TOKEN. Everything
 * goes through the proxy: the base URL prefix, the REST calls and the kernels' websockets. The user's
 * server serves the project folder (as a hub user whose home is a clone of the project would); a
 * second user's server, started in the same call, serves the folder above it and runs nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import type { CodeCell, Notebook, RunReport } from '../../src/runner/types';
import { readValidNotebook } from '../runner/helpers';
import { hubProcesses, startHub, type HubUser, type RunningHub, type StopResult } from './hub';

const ROOT = projectRoot();
const CLI = join(ROOT, 'dist', 'src', 'runner', 'bin.js');
const NOTEBOOKS = ['04-math', '01-background'];
/** Both smoke runs take about 35 s at -j 2 on a busy 2-core machine; the rest is hub and user start. */
const RUN_TIMEOUT_MS = 180_000;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion, or kills it at the deadline (it then stops its kernels itself). */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
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

describe('notebooks through a real JupyterHub (user server rooted at the project)', () => {
  const out = mkdtempSync(join(tmpdir(), 'hub-run-'));
  let hub: RunningHub | undefined;
  let user: HubUser;
  let colleague: HubUser;
  let run: CliResult;
  let report: RunReport;

  beforeAll(async () => {
    hub = await startHub({ notebookDir: ROOT });
    [user, colleague] = await hub.startUsers(['analyst', { name: 'colleague', root: dirname(ROOT) }]);
    const { JUPYTER_TOKEN: _ignored, JUPYTER_BASE_URL: _alsoIgnored, ...env } = process.env;
    run = await runCli(
      [...NOTEBOOKS.map((n) => join('notebooks', `${n}.ipynb`)), '--profile', 'smoke', '--server', user.baseUrl, '-o', out, '-j', '2', '--no-html', '--progress', 'none'],
      { ...env, JUPYTER_TOKEN: user.token },
    );
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  }, RUN_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await hub?.stop();
    rmSync(out, { recursive: true, force: true });
  }, 60_000);

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
    const math = readValidNotebook(join(out, 'notebooks', '04-math.ipynb'));
    const cells = codeCells(math);
    expect(cells.every((c) => typeof c.execution_count === 'number')).toBe(true);
    const outputs = cells.flatMap((c) => c.outputs);
    const streams = outputs.flatMap((o) => (o.output_type === 'stream' ? [o.text] : [])).join('');
    expect(streams).toMatch(/Example 0: x = \[/);
    const bundles = outputs.flatMap((o) => (o.output_type === 'display_data' || o.output_type === 'execute_result' ? [o.data] : []));
    expect(bundles.some((b) => 'text/markdown' in b)).toBe(true);
    expect(bundles.some((b) => 'application/vnd.plotly.v1+json' in b)).toBe(true);
    const background = readValidNotebook(join(out, 'notebooks', '01-background.ipynb'));
    expect(codeCells(background).every((c) => typeof c.execution_count === 'number')).toBe(true);
    expect(codeCells(background).some((c) => c.outputs.length > 0)).toBe(true);
  });

  it("the kernels' websockets went through the proxy under the user's prefix", () => {
    // The single-user server logs each upgraded websocket with its full path (and the token hidden).
    const upgrades = hub!.logLines('101 GET /user/analyst/api/kernels/').filter((l) => l.includes('/channels'));
    expect(upgrades.length).toBeGreaterThanOrEqual(NOTEBOOKS.length);
    expect(upgrades.every((l) => l.includes('token=[secret]') || !l.includes('token='))).toBe(true);
    // Sessions were created and deleted again: the runner shut its kernels down.
    expect(hub!.logLines('201 POST /user/analyst/api/sessions')).toHaveLength(NOTEBOOKS.length);
    expect(hub!.logLines('204 DELETE /user/analyst/api/sessions/')).toHaveLength(NOTEBOOKS.length);
  });

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
