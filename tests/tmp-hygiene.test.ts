/**
 * Nothing the project creates stays in the system temp folder after ordinary use: a runner run of a
 * notebook that draws static chart images (private Jupyter server, kernel, the kernel's browser, HTML
 * export), and a static-image render followed by close. Each runs as a process of the compiled
 * library with a temp folder of its own (TMPDIR, inherited by the server, kernels and browsers), so
 * the check sees everything it left and nothing other programs on the machine do; the folder must
 * be empty afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/paths';
import { CHROMIUM } from './plot/browser';
import { tempFolders } from './temp-folders';

const DIST = join(projectRoot(), 'dist', 'src');
const BIN = join(DIST, 'runner', 'bin.js');
const CHARTS = join(projectRoot(), 'tests', 'fixtures', 'plot', 'charts.ipynb');

const folders = tempFolders('tmp-hygiene-');
afterAll(() => folders.removeAll());

/** Runs `args` with node and `tmp` as its TMPDIR; returns stdout (throws on a non-zero exit). */
function nodeWithTmp(tmp: string, args: string[], timeoutMs: number): string {
  return execFileSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
}

describe('the system temp folder after ordinary use', () => {
  it('a runner run of a notebook with static chart images leaves nothing in it', () => {
    expect(existsSync(BIN), `${BIN} missing: run npm run setup`).toBe(true);
    const tmp = folders.make();
    const out = folders.make('out');
    const stdout = nodeWithTmp(tmp, [BIN, 'run', CHARTS, '-o', out, '--progress', 'none'], 170_000);
    expect(stdout).toMatch(/1\/1 notebooks passed/);
    // The kernel drew its images: its browser was open when the kernel shut down.
    const notebook = readdirSync(join(out, 'notebooks'));
    expect(notebook).toEqual(['charts.ipynb']);
    expect(readdirSync(join(out, 'html'))).toContain('charts.html');
    expect(readdirSync(tmp)).toEqual([]);
  }, 180_000);

  it('a static image rendered and the renderer closed leave nothing in it, before the process exits too', () => {
    const tmp = folders.make();
    const script = `
      const { createStaticRenderer } = require(${JSON.stringify(join(DIST, 'plot', 'static-image.js'))});
      const { lineChart } = require(${JSON.stringify(join(DIST, 'plot', 'charts.js'))});
      const { readdirSync } = require('node:fs');
      const { tmpdir } = require('node:os');
      (async () => {
        const renderer = createStaticRenderer({ executablePath: ${JSON.stringify(CHROMIUM)} });
        const fig = lineChart({ title: 't', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1, 2], y: [3, 4] }] });
        const result = await renderer.render(fig.spec);
        const open = readdirSync(tmpdir()).length;
        await renderer.close();
        console.log(JSON.stringify({ kind: result.kind, open, closed: readdirSync(tmpdir()) }));
      })();`;
    const report = JSON.parse(nodeWithTmp(tmp, ['-e', script], 90_000)) as { kind: string; open: number; closed: string[] };
    expect(report.kind).toBe('ok');
    // While open, the browser and playwright had folders there: the check can see them.
    expect(report.open).toBeGreaterThan(0);
    expect(report.closed).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  }, 100_000);
});
