/**
 * A chart through the real project kernel on a private Jupyter Server, seen on the wire: the chart is
 * sent before its image and the image arrives as an in-place update of the same display id — after
 * the cell ended for a client that follows display updates, before it ends for one that does not —
 * and the kernel's browser is gone once the kernel is shut down.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { KernelMessage } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { startServer, type RunningServer } from '../../src/runner/server';
import { serverSettings, startKernelSession, type KernelSession } from '../../src/runner/session';
import { PLOTLY_MIME_TYPE } from '../../src/plot/bundle';

/** Server and kernel start, then a first Chromium launch inside the kernel on a loaded machine. */
const SETUP_TIMEOUT_MS = 90_000;
const CELL_TIMEOUT_MS = 90_000;
/** A shut-down kernel's browser ends with it (its pipe closes); allow for a loaded machine. */
const BROWSER_GONE_WITHIN_MS = 15_000;

interface Seen {
  type: string;
  content: Record<string, unknown>;
}

/** Runs `code` and returns the iopub messages of that request, in order, up to its idle status. */
async function run(session: KernelSession, code: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const future = session.kernel.requestExecute({ code, silent: false, store_history: true, allow_stdin: false, stop_on_error: true });
  const requestId = future.msg.header.msg_id;
  // The connection's signal, not the future: it also carries updates of display ids.
  const onIopub = (_: unknown, msg: KernelMessage.IIOPubMessage) => {
    if ((msg.parent_header as { msg_id?: string }).msg_id === requestId) {
      seen.push({ type: msg.header.msg_type, content: msg.content as Record<string, unknown> });
    }
  };
  session.kernel.iopubMessage.connect(onIopub);
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await Promise.race([
      future.done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cell did not finish within ${CELL_TIMEOUT_MS} ms: ${code}`)), CELL_TIMEOUT_MS);
      }),
    ]);
    if (reply.content.status !== 'ok') throw new Error(`cell failed: ${code}\n${JSON.stringify(seen)}`);
    await new Promise((resolve) => setImmediate(resolve)); // the signal follows the future
    return seen;
  } finally {
    clearTimeout(timer);
    session.kernel.iopubMessage.disconnect(onIopub);
  }
}

function browserChildren(pid: number): number[] {
  const pids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  return pids.filter((child) => {
    try {
      return /chrom/i.test(readFileSync(`/proc/${child}/comm`, 'utf8'));
    } catch (error) {
      // ENOENT or ESRCH: it exited between the listing and the read.
      if (['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
      throw error;
    }
  });
}

/** Still running: exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

const CHART = `await lineChart({
  title: 'Loss by epoch',
  x: { title: 'Epoch' },
  y: { title: 'Loss', unit: 'cross-entropy' },
  series: [{ name: 'train', x: [1, 2, 3], y: [0.9, 0.5, 0.3] }],
}).show();`;

describe('a chart for a client that follows display updates (JupyterLab, which allows input)', () => {
  let server: RunningServer | undefined;
  let session: KernelSession | undefined;

  beforeAll(async () => {
    server = await startServer({ rootDir: projectRoot() });
    session = await startKernelSession(serverSettings(server), { path: 'tests/fixtures/plot/kernel-display.ipynb', name: 'kernel-display-follows', kernelName: 'llm-price-lab' });
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await session?.shutdown();
    await server?.stop();
  }, 30_000);

  it('ends the cell before its image is drawn; the image follows as an update, and the kernel stays busy until it is in', async () => {
    if (!session) throw new Error('setup failed');
    const seen: Array<{ type: string; state?: string }> = [];
    const onIopub = (_: unknown, msg: KernelMessage.IIOPubMessage) => seen.push({ type: msg.header.msg_type, state: (msg.content as { execution_state?: string }).execution_state });
    session.kernel.iopubMessage.connect(onIopub);
    try {
      await session.kernel.requestExecute({ code: "import { lineChart } from 'llm-price-lab/plot';", allow_stdin: true }).done;
      await new Promise((resolve) => setImmediate(resolve)); // the signal follows the future
      const chartStart = seen.length;
      const future = session.kernel.requestExecute({ code: CHART, silent: false, store_history: true, allow_stdin: true, stop_on_error: true });
      const reply = await future.done;
      expect(reply.content.status).toBe('ok');
      await new Promise((resolve) => setImmediate(resolve));
      const atDone = seen.slice(chartStart).map((m) => m.type);
      // The first image of a kernel needs a browser started: seconds after the cell's reply.
      expect(atDone).toContain('display_data');
      expect(atDone).not.toContain('update_display_data');
      const deadline = Date.now() + CELL_TIMEOUT_MS;
      const settled = () => seen.some((m) => m.type === 'update_display_data') && seen.at(-1)?.state === 'idle';
      while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      // A kernel greets every new subscriber on IOPub (JEP 65's iopub_welcome), and every subscriber sees
      // the greeting: the server may subscribe again at any time, so the greeting is not part of the cell.
      const order = seen
        .slice(chartStart)
        .filter((m) => m.type !== 'iopub_welcome')
        .map((m) => (m.type === 'status' ? `status:${m.state}` : m.type));
      expect(order).toEqual(['status:busy', 'execute_input', 'display_data', 'status:idle', 'status:busy', 'update_display_data', 'status:idle']);
    } finally {
      session.kernel.iopubMessage.disconnect(onIopub);
    }
  }, CELL_TIMEOUT_MS * 2);
});

describe('a chart for a client that stops listening when a cell ends (nbclient)', () => {
  let server: RunningServer | undefined;
  let session: KernelSession | undefined;

  beforeAll(async () => {
    server = await startServer({ rootDir: projectRoot() });
    session = await startKernelSession(serverSettings(server), {
      path: 'tests/fixtures/plot/kernel-display.ipynb',
      name: 'kernel-display',
      kernelName: 'llm-price-lab',
    });
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await session?.shutdown();
    await server?.stop();
  }, 30_000);

  it(
    'sends the chart first, then its PNG as an update of the same display id before the cell is idle; the browser ends with the kernel',
    async () => {
      if (!session) throw new Error('setup failed');
      const pidOutput = await run(session, "import { lineChart } from 'llm-price-lab/plot';\nconsole.log(`kernel pid ${process.pid}`);");
      const pidText = pidOutput.map((m) => (m.type === 'stream' ? String(m.content.text) : '')).join('');
      const kernelPid = Number(/kernel pid (\d+)/.exec(pidText)?.[1]);
      expect(kernelPid).toBeGreaterThan(0);
      expect(browserChildren(kernelPid)).toEqual([]);

      const seen = await run(session, CHART);
      const displays = seen.filter((m) => m.type === 'display_data');
      const updates = seen.filter((m) => m.type === 'update_display_data');
      expect(displays).toHaveLength(1);
      expect(updates).toHaveLength(1);
      const [shown] = displays;
      const [update] = updates;
      const displayId = (shown?.content.transient as { display_id?: string } | undefined)?.display_id;
      expect(displayId).toMatch(/^llm-price-lab-/);
      expect((update?.content.transient as { display_id?: string } | undefined)?.display_id).toBe(displayId);
      const shownData = shown?.content.data as Record<string, unknown>;
      const updateData = update?.content.data as Record<string, unknown>;
      expect(Object.keys(shownData).sort()).toEqual([PLOTLY_MIME_TYPE, 'text/html', 'text/plain'].sort());
      expect(Object.keys(updateData).sort()).toEqual([PLOTLY_MIME_TYPE, 'image/png', 'text/html', 'text/plain'].sort());
      const png = Buffer.from(String(updateData['image/png']), 'base64');
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // the PNG signature
      // Order on the wire: chart, then image, then idle.
      const order = seen.map((m) => (m.type === 'status' ? `status:${String(m.content.execution_state)}` : m.type));
      expect(order.indexOf('display_data')).toBeLessThan(order.indexOf('update_display_data'));
      expect(order.indexOf('update_display_data')).toBeLessThan(order.lastIndexOf('status:idle'));

      const browsers = browserChildren(kernelPid);
      expect(browsers.length).toBeGreaterThan(0);
      await session.shutdown();
      session = undefined;
      const deadline = Date.now() + BROWSER_GONE_WITHIN_MS;
      while (browsers.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(browsers.filter(alive)).toEqual([]);
      expect(alive(kernelPid)).toBe(false);
    },
    CELL_TIMEOUT_MS * 2 + BROWSER_GONE_WITHIN_MS,
  );
});
