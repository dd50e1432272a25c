import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pendingOutputs, settleOutputs } from '../../src/pending';
import { DISPLAY_SINK, MIME_BUNDLE, type DisplayOptions, type DisplaySink, type MimeBundle } from '../../src/display';
import { buildBundle, PLOTLY_MIME_TYPE, type ImageState } from '../../src/plot/bundle';
import { lineChart, plotlyFigure } from '../../src/plot/charts';
import { jsonForScript, resetPlotSession } from '../../src/plot/html';
import { plotlySource } from '../../src/plot/plotly-source';
import { closeStaticRenderer } from '../../src/plot/static-image';

const PLOTLY_BANNER = 'plotly.js v4.1.2';
const FAKE_IMAGE: ImageState = { kind: 'ok', image: { format: 'png', data: 'iVBORw0KGgo=', width: 680, height: 420 } };

function chart(title = 'Loss by epoch') {
  return lineChart({
    title,
    x: { title: 'Epoch' },
    y: { title: 'Loss', unit: 'cross-entropy' },
    series: [{ name: 'train', x: [1, 2, 3], y: [0.9, 0.5, 0.3] }],
  });
}

function scriptCount(html: string): number {
  return (html.match(/<script\b/gi) ?? []).length;
}

describe('figure bundle (pure)', () => {
  it('holds plotly JSON, HTML, the static image and the title as text', () => {
    const fig = chart();
    const bundle = buildBundle(fig.spec, FAKE_IMAGE, { id: 'plot-1', inlinePlotly: false, noticeUnavailable: false });
    expect(Object.keys(bundle).sort()).toEqual([PLOTLY_MIME_TYPE, 'image/png', 'text/html', 'text/plain'].sort());
    expect(bundle['text/plain']).toBe('Figure: Loss by epoch');
    expect(bundle[PLOTLY_MIME_TYPE]).toMatchObject({ data: fig.spec.data, layout: { title: { text: 'Loss by epoch' } } });
    const html = bundle['text/html'] as string;
    expect(html).toContain('<img class="llm-price-lab-plot-image" src="data:image/png;base64,iVBORw0KGgo="');
    expect(html).toContain('id="plot-1"');
    expect(scriptCount(html)).toBe(1);
  });

  it('a figure without its image says why in its text, also after the session notice was shown', () => {
    const reason = 'plotly.js did not draw the image within 30 s; its browser was closed';
    const context = { id: 'p', inlinePlotly: false, noticeUnavailable: false };
    const bundle = buildBundle(chart('Stuck').spec, { kind: 'unavailable', reason }, context);
    expect(Object.keys(bundle).sort()).toEqual([PLOTLY_MIME_TYPE, 'text/html', 'text/plain'].sort());
    expect(bundle['text/plain']).toBe(`Figure: Stuck\n(no static image: ${reason})`);
    const first = buildBundle(chart('Stuck').spec, { kind: 'unavailable', reason }, { ...context, noticeUnavailable: true });
    expect(first['text/plain']).toBe(`Figure: Stuck\nCharts in this notebook have no static image: ${reason}.`);
  });

  it('uses image/svg+xml for SVG images and embeds them as a data URL', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>';
    const bundle = buildBundle(chart().spec, { kind: 'ok', image: { format: 'svg', data: svg, width: 10, height: 10 } }, {
      id: 'p',
      inlinePlotly: false,
      noticeUnavailable: false,
    });
    expect(bundle['image/svg+xml']).toBe(svg);
    expect(bundle['image/png']).toBeUndefined();
    expect(bundle['text/html']).toContain(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
  });

  it('applies the readable defaults: axis titles with units, no legend for one series, notebook size', () => {
    const one = chart().spec.layout;
    expect(one).toMatchObject({ width: 680, height: 420, showlegend: false, yaxis: { title: { text: 'Loss (cross-entropy)' } } });
    const two = lineChart({
      title: 't',
      x: { title: 'Epoch' },
      y: { title: 'Accuracy', unit: '%' },
      series: [
        { name: 'train', x: [1], y: [1] },
        { name: 'test', x: [1], y: [2] },
      ],
    }).spec.layout;
    expect(two.showlegend).toBe(true);
    expect(two.colorway?.[0]).toBe('#0072B2');
  });
});

describe('figure bundle in a kernel session', () => {
  const sent: Array<{ bundle: MimeBundle; options?: DisplayOptions }> = [];
  const updates: Array<{ displayId: string; bundle: MimeBundle }> = [];
  const sink: DisplaySink = {
    display: (bundle, options) => sent.push({ bundle, options }),
    update: (displayId, bundle) => updates.push({ displayId, bundle }),
    clear: () => undefined,
  };
  beforeEach(() => {
    resetPlotSession();
    (globalThis as Record<symbol, unknown>)[DISPLAY_SINK] = sink;
  });
  afterEach(() => {
    sent.length = 0;
    updates.length = 0;
    delete (globalThis as Record<symbol, unknown>)[DISPLAY_SINK];
  });
  afterAll(async () => {
    resetPlotSession();
    await closeStaticRenderer();
  });

  it('inlines plotly.js in the first output only, and again after a new session', () => {
    const first = chart()[MIME_BUNDLE]()['text/html'] as string;
    const second = chart('Second')[MIME_BUNDLE]()['text/html'] as string;
    const third = chart('Third')[MIME_BUNDLE]()['text/html'] as string;
    expect(first).toContain(PLOTLY_BANNER);
    expect(first.length).toBeGreaterThan(plotlySource().length);
    expect(scriptCount(first)).toBe(2);
    for (const later of [second, third]) {
      expect(later).not.toContain(PLOTLY_BANNER);
      expect(scriptCount(later)).toBe(1);
      expect(later).toContain('window.Plotly');
    }
    resetPlotSession();
    expect(chart()[MIME_BUNDLE]()['text/html']).toContain(PLOTLY_BANNER);
  });

  it('gives each output its own element id', () => {
    const ids = [chart(), chart(), chart()].map((fig) => /id="([^"]+)"/.exec(fig[MIME_BUNDLE]()['text/html'] as string)?.[1]);
    expect(new Set(ids).size).toBe(3);
  });

  it('show() sends the chart at once and resolves; the image then replaces that same output, as pending output', async () => {
    const fig = chart('Rendered');
    const shown = fig.show();
    // Sent synchronously, before any browser work: the chart is visible while its image is drawn.
    expect(sent).toHaveLength(1);
    const first = sent[0]!;
    expect(Object.keys(first.bundle).sort()).toEqual([PLOTLY_MIME_TYPE, 'text/html', 'text/plain'].sort());
    expect(first.bundle['text/plain']).toContain('static image being drawn');
    expect(first.bundle['text/html']).toContain(PLOTLY_BANNER);
    expect(updates).toEqual([]);
    await shown;
    expect(pendingOutputs()).toBe(1);
    await settleOutputs();
    expect(pendingOutputs()).toBe(0);
    expect(sent).toHaveLength(1);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.displayId).toBe(first.options?.displayId);
    expect(first.options?.displayId).toMatch(/^llm-price-lab-/);
    const bundle = updates[0]?.bundle ?? {};
    expect(Object.keys(bundle).sort()).toEqual([PLOTLY_MIME_TYPE, 'image/png', 'text/html', 'text/plain'].sort());
    // Same element and the same copy of plotly.js as the output it replaces.
    const elementId = (html: unknown) => /id="([^"]+)"/.exec(String(html))?.[1];
    expect(elementId(bundle['text/html'])).toBe(elementId(first.bundle['text/html']));
    expect(bundle['text/html']).toContain(PLOTLY_BANNER);
    const png = Buffer.from(bundle['image/png'] as string, 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(680); // IHDR width
    expect(png.readUInt32BE(20)).toBe(420);
    expect(bundle['text/html']).toContain('src="data:image/png;base64,');
    expect(bundle['text/plain']).toBe('Figure: Rendered');
  });

  it('renders SVG when asked', async () => {
    const fig = await chart('As SVG').render({ format: 'svg' });
    const bundle = fig[MIME_BUNDLE]();
    expect(bundle['image/svg+xml']).toMatch(/^<svg[^>]*class="main-svg"/);
    expect(bundle['image/png']).toBeUndefined();
  });

  it('a figure not yet rendered still draws, and its text says how to add the image', () => {
    const bundle = chart('Lazy')[MIME_BUNDLE]();
    expect(bundle['image/png']).toBeUndefined();
    expect(bundle[PLOTLY_MIME_TYPE]).toBeDefined();
    expect(bundle['text/plain']).toContain('await fig.show()');
  });

  it('show() keeps a display id it is given and sends an image already drawn in one display_data', async () => {
    const fig = await chart('Drawn').render();
    await fig.show({ displayId: 'mine' });
    expect(updates).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.options?.displayId).toBe('mine');
    expect(sent[0]?.bundle['image/png']).toBeDefined();
    await chart('Given').show({ displayId: 'given' });
    await settleOutputs();
    expect(sent[1]?.options?.displayId).toBe('given');
    expect(updates.map((u) => u.displayId)).toEqual(['given']);
  });

  it('without a browser leaves the image out, says why once in the page and in every text, and never throws', async () => {
    const missing = '/nonexistent/chromium';
    await chart('A').show({ executablePath: missing });
    await chart('B').show({ executablePath: missing });
    await settleOutputs();
    expect(sent).toHaveLength(2);
    expect(updates).toHaveLength(2);
    const [a, b] = updates.map((s) => s.bundle);
    for (const bundle of [a, b]) {
      expect(bundle?.['image/png']).toBeUndefined();
      expect(bundle?.[PLOTLY_MIME_TYPE]).toBeDefined();
      expect(bundle?.['text/html']).toContain('window.Plotly');
    }
    expect(a?.['text/plain']).toContain(`names ${missing}, which does not exist`);
    expect(a?.['text/html']).toContain('llm-price-lab-plot-notice');
    expect(b?.['text/plain']).toBe(`Figure: B\n(no static image: the executablePath option names ${missing}, which does not exist)`);
    expect(b?.['text/html']).not.toContain('llm-price-lab-plot-notice');
  });

  it('PLOTLY_BROWSER names the executable', async () => {
    const saved = process.env.PLOTLY_BROWSER;
    process.env.PLOTLY_BROWSER = '/nonexistent/from-env';
    try {
      const fig = await chart().render();
      expect(fig.image).toEqual({ kind: 'unavailable', reason: 'PLOTLY_BROWSER names /nonexistent/from-env, which does not exist' });
    } finally {
      if (saved === undefined) delete process.env.PLOTLY_BROWSER;
      else process.env.PLOTLY_BROWSER = saved;
    }
  });
});

describe('escaping', () => {
  const attack = '</script><script>alert(1)</script>';

  it('keeps a label from closing the script: JSON in <script> escapes < > & and U+2028/9', () => {
    expect(jsonForScript({ t: `${attack} & \u2028\u2029` })).toBe(
      '{"t":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 \\u2028\\u2029"}',
    );
    expect(JSON.parse(jsonForScript({ t: attack }))).toEqual({ t: attack });
    const fig = plotlyFigure({ data: [{ type: 'bar', x: [attack], y: [1], name: attack, hovertext: attack }], layout: { title: attack } });
    const html = buildBundle(fig.spec, { kind: 'not-rendered' }, { id: 'x', inlinePlotly: false, noticeUnavailable: false })['text/html'] as string;
    expect(html).not.toContain('alert(1)</script>');
    expect(html).not.toContain('<script>alert');
    expect(scriptCount(html)).toBe(1);
  });

  it("writes a title's plotly line break and small type as plain text in the alt text and text/plain", () => {
    const fig = chart('Margin 12 USD a day<br><sup>busy <b>75%</b></sup>');
    const bundle = buildBundle(fig.spec, FAKE_IMAGE, { id: 'x', inlinePlotly: false, noticeUnavailable: false });
    expect(bundle['text/html'] as string).toContain('alt="Margin 12 USD a day — busy 75%"');
    expect(String(bundle['text/plain'])).toContain('Margin 12 USD a day — busy 75%');
  });

  it('escapes the title in the image alt text', () => {
    const fig = chart(`"><img src=x onerror=alert(1)>`);
    const html = buildBundle(fig.spec, FAKE_IMAGE, { id: 'x', inlinePlotly: false, noticeUnavailable: false })['text/html'] as string;
    expect(html).toContain('alt="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  });
});
