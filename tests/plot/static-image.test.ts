import { afterEach, describe, expect, it } from 'vitest';
import { lineChart } from '../../src/plot/charts';
import { createStaticRenderer, decodeDataUrl, DEFAULT_BROWSERS, findBrowser, type StaticRenderer } from '../../src/plot/static-image';
import { CHROMIUM } from './browser';

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

  it('says why when the browser cannot start', async () => {
    renderer = createStaticRenderer({ executablePath: '/bin/false' });
    const result = await renderer.render(fig().spec);
    expect(result.kind).toBe('unavailable');
    expect(result.kind === 'unavailable' && result.reason).toMatch(/^could not start \/bin\/false: /);
  });
});
