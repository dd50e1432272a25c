/**
 * `npm run lab` as the README shows it: it prints the address, serves JupyterLab on the notebooks
 * with the project kernel, and Ctrl-C (SIGINT to its process group, as a terminal sends it) stops
 * it. Needs the front end built by `node scripts/setup.mjs --lab`, which `npm test` runs first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { documentedCommand } from './commands';
import { cleanEnv } from './run';

/** setup's checks, then the Jupyter server start, on a busy machine. */
const READY_TIMEOUT_MS = 120_000;
/** The server stopping its kernels and itself after Ctrl-C. */
const STOP_TIMEOUT_MS = 60_000;

const home = mkdtempSync(join(tmpdir(), 'readme-lab-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function get(url: string, token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers: { Authorization: `token ${token}` } });
  return { status: response.status, body: await response.text() };
}

describe('npm run lab', () => {
  it('npm run lab serves JupyterLab on the notebooks until Ctrl-C', async () => {
    // Jupyter's own files (runtime, data, config) in a temporary folder, never the user's.
    const env = cleanEnv({ JUPYTER_RUNTIME_DIR: join(home, 'runtime'), JUPYTER_DATA_DIR: join(home, 'data'), JUPYTER_CONFIG_DIR: join(home, 'config') });
    const child = spawn('sh', ['-c', documentedCommand('npm run lab')], { cwd: projectRoot(), env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const group = child.pid!;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-group, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: already gone
      }
    };
    try {
      const address = await new Promise<string>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no address within ${READY_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`)), READY_TIMEOUT_MS);
        const look = () => {
          const match = /^lab: open (http:\/\/127\.0\.0\.1:\d+\/lab\?token=(\S+))$/m.exec(stdout);
          if (match) {
            clearTimeout(timer);
            done(match[1]!);
          }
        };
        child.stdout.on('data', look);
        void exited.then(() => {
          clearTimeout(timer);
          fail(new Error(`npm run lab exited before serving:\n${stdout}\n${stderr}`));
        });
      });
      const url = new URL(address);
      const token = url.searchParams.get('token')!;
      const base = `${url.origin}/`;
      expect(stdout).toMatch(new RegExp(`^lab: JupyterLab serving ${join(projectRoot(), 'notebooks').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));

      const page = await fetch(address);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/JupyterLab/);
      const contents = JSON.parse((await get(`${base}api/contents`, token)).body) as { content: { name: string }[] };
      expect(contents.content.map((entry) => entry.name)).toContain('01-background.ipynb');
      const specs = JSON.parse((await get(`${base}api/kernelspecs`, token)).body) as { kernelspecs: Record<string, { spec: { display_name: string } }> };
      expect(specs.kernelspecs['llm-price-lab']?.spec.display_name).toBe('TypeScript (llm-price-lab)');
      expect((await get(`${base}api/contents`, 'not-the-token')).status).toBe(403);

      signalGroup('SIGINT');
      // The shell and npm die of the same SIGINT; what counts is that everything ends, the server first.
      const ended = await Promise.race([exited.then(() => 'ended'), new Promise<'late'>((done) => setTimeout(() => done('late'), STOP_TIMEOUT_MS))]);
      expect(ended, `${stdout}\n${stderr}`).toBe('ended');
      expect(stdout).toMatch(/lab: SIGINT: stopping the server and its kernels/);
      await expect(fetch(address)).rejects.toThrow();
    } finally {
      signalGroup('SIGKILL');
    }
  }, READY_TIMEOUT_MS + STOP_TIMEOUT_MS + 30_000);
});
