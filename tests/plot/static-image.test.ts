import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lineChart } from '../../src/plot/charts';
import {
  CHROMIUM_ARGS,
  chromiumArgs,
  closeStaticRenderer,
  createStaticRenderer,
  decodeDataUrl,
  DEFAULT_BROWSERS,
  findBrowser,
  sessionRenderer,
  type StaticRenderer,
} from '../../src/plot/static-image';
import { CHROMIUM } from './browser';

/** This process's child browsers that are still running (not zombies). */
function childBrowsers(): number[] {
  const pids = spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return /chrom/i.test(readFileSync(`/proc/${pid}/comm`, 'utf8')) && state !== 'Z' && state !== 'X';
    } catch (error) {
      // ENOENT or ESRCH: it exited between the listing and the read.
      if (['ENOENT', 'ESRCH'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
      throw error;
    }
  });
}

const fig = () => lineChart({ title: 'Static', x: { title: 'x' }, y: { title: 'y' }, series: [{ name: 's', x: [1, 2], y: [3, 4] }] });

describe('browser lookup', () => {
  it('prefers the option, then PLOTLY_BROWSER, then the Debian paths', () => {
    expect(findBrowser(CHROMIUM, { PLOTLY_BROWSER: '/nowhere' })).toEqual({ kind: 'found', path: CHROMIUM });
    expect(findBrowser(undefined, { PLOTLY_BROWSER: CHROMIUM })).toEqual({ kind: 'found', path: CHROMIUM });
    expect(findBrowser(undefined, { PLOTLY_BROWSER: '/nowhere' })).toEqual({
      kind: 'missing',
      reason: 'PLOTLY_BROWSER names /nowhere, which does not exist',
    });
    expect(findBrowser('/nowhere', {})).toEqual({ kind: 'missing', reason: 'the executablePath option names /nowhere, which does not exist' });
    const found = findBrowser(undefined, {});
    expect(found.kind === 'found' && DEFAULT_BROWSERS.includes(found.path)).toBe(true);
  });
});

describe('Chromium flags', () => {
  it('turns the sandbox off only for root', () => {
    expect(chromiumArgs(0)).toContain('--no-sandbox');
    expect(chromiumArgs(1000)).not.toContain('--no-sandbox');
    expect(CHROMIUM_ARGS).not.toContain('--no-sandbox');
    expect(chromiumArgs(1000)).toEqual(expect.arrayContaining(['--headless', '--disable-background-networking']));
  });
});

describe('Plotly.toImage data URLs', () => {
  it('decodes PNG base64 and URL-encoded or base64 SVG', () => {
    expect(decodeDataUrl('data:image/png;base64,AAAA', 'png')).toBe('AAAA');
    expect(decodeDataUrl('data:image/svg+xml,%3Csvg%3E%3C%2Fsvg%3E', 'svg')).toBe('<svg></svg>');
    expect(decodeDataUrl(`data:image/svg+xml;base64,${Buffer.from('<svg/>').toString('base64')}`, 'svg')).toBe('<svg/>');
    expect(() => decodeDataUrl('data:image/jpeg;base64,AAAA', 'png')).toThrow('Plotly.toImage returned an unexpected value');
  });
});

describe('static renderer', () => {
  let renderer: StaticRenderer | undefined;
  afterEach(async () => {
    await renderer?.close();
    renderer = undefined;
  });

  it('keeps one browser for many images and starts a new one after close', async () => {
    const launches: string[] = [];
    renderer = createStaticRenderer({ executablePath: CHROMIUM, onLaunch: (path) => launches.push(path) });
    const results = await Promise.all([fig(), fig(), fig()].map((f) => renderer!.render(f.spec)));
    expect(results.map((r) => r.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(launches).toEqual([CHROMIUM]);
    await renderer.close();
    expect((await renderer.render(fig().spec)).kind).toBe('ok');
    expect(launches).toHaveLength(2);
  });

  it('reports a figure plotly cannot draw instead of throwing, and keeps working', async () => {
    renderer = createStaticRenderer({ executablePath: CHROMIUM });
    const bad = { ...fig().spec, layout: { ...fig().spec.layout, width: -5 } };
    const result = await renderer.render(bad);
    expect(result.kind).toBe('unavailable');
    expect(result.kind === 'unavailable' && result.reason).toMatch(/^plotly.js could not draw the figure: /);
    expect((await renderer.render(fig().spec)).kind).toBe('ok');
  });

  it('closeStaticRenderer also waits for the browser of a session renderer that another browser replaced', async () => {
    const first = sessionRenderer(CHROMIUM);
    expect((await first.render(fig().spec)).kind).toBe('ok');
    expect(childBrowsers()).toHaveLength(1);
    sessionRenderer('/nonexistent/chromium'); // another browser asked for: the first one starts closing
    await closeStaticRenderer();
    expect(childBrowsers()).toEqual([]);
  });

  it('says why when the browser cannot start', async () => {
    renderer = createStaticRenderer({ executablePath: '/bin/false' });
    const result = await renderer.render(fig().spec);
    expect(result.kind).toBe('unavailable');
    expect(result.kind === 'unavailable' && result.reason).toMatch(/^could not start \/bin\/false: /);
  });

  it('gives up on a drawing that never ends: closes that browser, says why, and starts a new one for the next figure', async () => {
    // A plotly.js whose toImage never settles: a page stuck the way a real one can be.
    const dir = mkdtempSync(join(tmpdir(), 'plot-hang-'));
    try {
      const plotlyPath = join(dir, 'plotly-hangs.js');
      writeFileSync(plotlyPath, 'window.Plotly = { toImage: function () { return new Promise(function () {}); } };\n');
      const launches: string[] = [];
      renderer = createStaticRenderer({ executablePath: CHROMIUM, plotlyPath, renderTimeoutMs: 1_500, onLaunch: (path) => launches.push(path) });
      expect(childBrowsers()).toEqual([]);
      const result = await renderer.render(fig().spec);
      expect(result).toEqual({ kind: 'unavailable', reason: 'plotly.js did not draw the image within 1.5 s; its browser was closed' });
      expect(childBrowsers()).toEqual([]);
      const again = await renderer.render(fig().spec);
      expect(again.kind).toBe('unavailable');
      expect(launches).toEqual([CHROMIUM, CHROMIUM]);
      expect(childBrowsers()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
