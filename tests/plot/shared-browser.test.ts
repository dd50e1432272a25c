/**
 * One browser for the static images of a run's kernels (src/plot/render-service.ts): renderers open
 * their pages in it instead of starting browsers of their own, draw the same bytes a browser of their
 * own would, fall back to their own when it is gone, and nothing of it outlives close(). Through the
 * headless runner: a kernel of a run starts no browser for its chart, unless sharing is turned off.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineChart } from '../../src/plot/charts';
import { BROWSER_TEMP_PREFIX } from '../../src/plot/browser-launch';
import { startRenderService, type RenderService } from '../../src/plot/render-service';
import { createStaticRenderer, type StaticRenderer } from '../../src/plot/static-image';
import { listProcesses } from '../../src/jupyter/process-table';
import { runNotebooks } from '../../src/runner';
import type { CodeCell, Notebook } from '../../src/runner/types';
import { kernelNotebook } from '../notebook-fixtures';
import { tempFolders } from '../temp-folders';

const folders = tempFolders('plot-shared-browser-');
afterAll(() => folders.removeAll());

const fig = (n: number) => lineChart({ title: `Shared ${n}`, x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1, 2, 3], y: [n, 1, n] }] });
const alive = (pid: number | undefined) => pid !== undefined && listProcesses().some((p) => p.pid === pid);

async function started(): Promise<RenderService> {
  const start = await startRenderService();
  if (start.kind !== 'ok') throw new Error(`no shared browser: ${start.reason}`);
  return start.service;
}

/** A renderer that counts the browsers it starts and the pages it opens in a shared one. */
function counting(sharedBrowser?: string) {
  const counts = { launched: 0, connected: 0 };
  const renderer = createStaticRenderer({
    ...(sharedBrowser ? { sharedBrowser } : {}),
    onLaunch: () => (counts.launched += 1),
    onConnect: () => (counts.connected += 1),
  });
  return { renderer, counts };
}

async function png(renderer: StaticRenderer, n: number): Promise<string> {
  const result = await renderer.render(fig(n).spec);
  if (result.kind !== 'ok') throw new Error(result.reason);
  return result.image.data;
}

describe('a shared browser for static images', () => {
  it('draws for several renderers at once, the same bytes as a browser of their own, and starts none for them', async () => {
    const service = await started();
    const own = counting();
    const a = counting(service.endpoint);
    const b = counting(service.endpoint);
    try {
      expect(service.endpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{16,}$/);
      const [fromA, fromB] = await Promise.all([png(a.renderer, 1), png(b.renderer, 2)]);
      expect(a.counts).toEqual({ launched: 0, connected: 1 });
      expect(b.counts).toEqual({ launched: 0, connected: 1 });
      expect(fromA).not.toBe(fromB);
      expect(await png(own.renderer, 1)).toBe(fromA);
      expect(own.counts).toEqual({ launched: 1, connected: 0 });
      // One renderer closing closes its page, not the browser the other one draws in.
      await a.renderer.close();
      expect(await png(b.renderer, 2)).toBe(fromB);
      expect(b.counts.connected).toBe(1);
      expect(alive(service.pid)).toBe(true);
    } finally {
      await Promise.all([own.renderer.close(), a.renderer.close(), b.renderer.close()]);
      await service.close();
    }
  }, 120_000);

  it('leaves no browser or temp folder after close(), and a renderer then starts its own', async () => {
    const service = await started();
    const folder = tempFolderOf(service.pid);
    expect(folder).toContain(BROWSER_TEMP_PREFIX);
    await service.close();
    await service.close(); // a second close does nothing
    expect(alive(service.pid)).toBe(false);
    expect(existsSync(folder!)).toBe(false);
    const late = counting(service.endpoint);
    try {
      expect((await late.renderer.render(fig(3).spec)).kind).toBe('ok');
      expect(late.counts).toEqual({ launched: 1, connected: 0 });
    } finally {
      await late.renderer.close();
    }
  }, 120_000);
});

/** The TMPDIR a browser was started with (its own temp folder), from its environment. */
function tempFolderOf(pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  const entry = readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .find((e) => e.startsWith('TMPDIR='));
  return entry?.slice('TMPDIR='.length);
}

/** Prints how many browsers the kernel process itself started, once its chart's image is drawn. */
const COUNT_OWN_BROWSERS = `import { readdirSync, readFileSync } from 'node:fs';
await settleOutputs();
const ownBrowsers = readdirSync('/proc').filter((entry) => {
  if (!/^\\d+$/.test(entry)) return false;
  try {
    const stat = readFileSync('/proc/' + entry + '/stat', 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return parent === process.pid && readFileSync('/proc/' + entry + '/cmdline', 'utf8').includes('--remote-debugging-pipe');
  } catch {
    return false;
  }
}).length;
console.log('own browsers: ' + ownBrowsers);`;

const NOTEBOOK = kernelNotebook([
  { id: 'import', source: "import { lineChart, settleOutputs } from 'llm-price-lab/plot';" },
  { id: 'chart', source: "await lineChart({ title: 'Run', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1, 2], y: [2, 1] }] }).show();" },
  { id: 'count', source: COUNT_OWN_BROWSERS },
]);

/** The chart cell's PNG and what the counting cell printed, from an executed copy. */
function readRun(path: string): { png: string | undefined; printed: string } {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as Notebook;
  const [, chart, count] = nb.cells as CodeCell[];
  const image = chart!.outputs.find((o) => 'data' in o && 'image/png' in o.data);
  const png = image && 'data' in image ? String(image.data['image/png']) : undefined;
  const printed = count!.outputs.map((o) => ('text' in o ? [o.text].flat().join('') : '')).join('');
  return { png, printed };
}

describe('the headless runner', () => {
  it("gives its kernels one browser for their charts' images: the kernel starts none of its own", async () => {
    const dir = folders.make();
    const source = join(dir, 'shared.ipynb');
    writeFileSync(source, JSON.stringify(NOTEBOOK));
    const report = await runNotebooks({ notebooks: [source], outputDir: join(dir, 'out'), html: false, jobs: 1 });
    expect(report.notebooks[0]?.status).toBe('passed');
    const run = readRun(report.notebooks[0]!.outputNotebook!);
    expect(run.printed).toBe('own browsers: 0\n');
    expect(run.png?.length).toBeGreaterThan(1000);
  }, 180_000);
});
