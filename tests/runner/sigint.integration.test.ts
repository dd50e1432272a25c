/**
 * SIGINT to the compiled CLI during a run: it stops kernels and its private server and exits 130,
 * leaving no jupyter-server or kernel process behind (checked with `ps`), and writes the report.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/runner/types';
import { tempFolders } from '../temp-folders';
import { cellById, fixture, readValidNotebook } from './helpers';

const BIN = join(__dirname, '..', '..', 'dist', 'src', 'runner', 'bin.js');

/** pid → [ppid, args] for every process, from `ps`. */
function processTable(): Map<number, { ppid: number; args: string }> {
  const table = new Map<number, { ppid: number; args: string }>();
  for (const line of execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' }).split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    // Zombies (state Z) have exited; only their parent's wait is pending.
    if (match && !match[3].startsWith('Z')) table.set(Number(match[1]), { ppid: Number(match[2]), args: match[4] });
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const [child, info] of table) {
      if (info.ppid === pid) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(root);
  return found;
}

const folders = tempFolders('runner-sigint-');
afterAll(() => folders.removeAll());

describe('SIGINT during a run', () => {
  it('stops the kernels and the server, exits 130, and leaves no process behind', async () => {
    expect(existsSync(BIN), `${BIN} missing: run npm run setup`).toBe(true);
    const out = folders.make();
    const child = spawn(process.execPath, [BIN, 'run', fixture('slow'), fixture('success'), '-o', out, '--progress', 'lines', '-j', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the slow cell never started:\n${stderr}`)), 60_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/slow cell 1\/1 running/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const started = descendants(child.pid ?? 0);
    const table = processTable();
    const kinds = started.map((pid) => table.get(pid)?.args ?? '');
    expect(kinds.some((a) => a.includes('jupyter') && a.includes('server'))).toBe(true);
    expect(kinds.some((a) => a.includes('kernel'))).toBe(true);

    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping kernels and the Jupyter server/);
    const after = processTable();
    expect(started.filter((pid) => after.has(pid)).map((pid) => after.get(pid)?.args)).toEqual([]);
    // The report is written all the same: the running notebook interrupted, written up to there.
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report.interrupted).toBe('SIGINT');
    const slow = report.notebooks.find((n) => n.name === 'slow');
    expect(slow?.status).toBe('interrupted');
    const nb = readValidNotebook(join(out, 'notebooks', 'slow.ipynb'));
    expect(cellById(nb, 'sleep').outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RunInterrupted' });
  });
});
