/**
 * The figure HTML in a real browser: several outputs on one page share one inlined plotly.js, each
 * replaces its static image by the interactive chart, with and without require.js on the page, and a
 * label made of script tags is drawn as text without running anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIME_BUNDLE } from '../../src/display';
import { buildDir } from '../../src/paths';
import { barChart, heatmapChart, lineChart, plotlyFigure } from '../../src/plot/charts';
import { resetPlotSession } from '../../src/plot/html';
import { closeStaticRenderer } from '../../src/plot/static-image';
import { launchChromium, watchPage } from './browser';

const ATTACK = '</script><script>window.__pwned = (window.__pwned || 0) + 1; alert(1)</script>';
const REQUIRE_JS = '/usr/share/javascript/requirejs/require.min.js';

async function figuresHtml(): Promise<string[]> {
  resetPlotSession();
  const figures = [
    lineChart({ title: ATTACK, x: { title: ATTACK, unit: 'epoch' }, y: { title: 'Loss' }, series: [{ name: ATTACK, x: [1, 2], y: [2, 1], text: [ATTACK, 'b'] }] }),
    barChart({
      title: 'Bars',
      x: { title: 'Model' },
      y: { title: 'Price', unit: 'USD per M tokens' },
      categories: [ATTACK, 'b'],
      series: [
        { name: 'input', values: [1, 2] },
        { name: 'output', values: [3, 4] },
      ],
    }),
    heatmapChart({ title: 'Heat', x: { title: 'Predicted' }, y: { title: ATTACK }, xLabels: ['0', ATTACK], yLabels: ['0', '1'], z: [[1, 2], [3, 4]] }),
    plotlyFigure({ data: [{ type: 'scatter', y: [1, 3, 2], hovertext: ATTACK }], layout: { title: 'Escape hatch' } }),
  ];
  await figures[0]?.render();
  return figures.map((fig) => fig[MIME_BUNDLE]()['text/html'] as string);
}

function page(outputs: string[], withRequire: boolean): string {
  const head = withRequire ? `<script src="${pathToFileURL(REQUIRE_JS).href}"></script>` : '';
  const body = outputs.map((html) => `<div class="output">${html}</div>`).join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

describe('figure HTML in Chromium', () => {
  let browser: Browser;
  let outputs: string[];
  const dir = join(buildDir(), 'test-pages', 'plot');

  beforeAll(async () => {
    browser = await launchChromium();
    outputs = await figuresHtml();
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await closeStaticRenderer();
    resetPlotSession();
  });

  for (const withRequire of [false, true]) {
    it(`draws every chart from one inlined plotly.js and runs no script from a label (require.js ${withRequire ? 'on' : 'off'})`, async () => {
      const file = join(dir, `escaping-${withRequire ? 'requirejs' : 'plain'}.html`);
      writeFileSync(file, page(outputs, withRequire));
      const fileUrl = pathToFileURL(file).href;
      const tab = await browser.newPage();
      try {
        const watch = watchPage(tab, [fileUrl, ...(withRequire ? [pathToFileURL(REQUIRE_JS).href] : [])]);
        await tab.goto(fileUrl);
        // Not awaited to failure: if a label broke out, say so rather than "timed out".
        await tab
          .waitForFunction(() => document.querySelectorAll('.llm-price-lab-plot[data-drawn]').length === 4, undefined, { timeout: 20_000 })
          .catch(() => undefined);
        const state = await tab.evaluate(() => ({
          pwned: (window as unknown as { __pwned?: number }).__pwned,
          plots: Array.from(document.querySelectorAll('.llm-price-lab-plot')).map((div) => ({
            svg: div.querySelectorAll('svg.main-svg').length,
            images: div.querySelectorAll('img').length,
          })),
          titles: Array.from(document.querySelectorAll('.gtitle')).map((t) => t.textContent),
          scripts: document.scripts.length,
        }));
        expect(state.pwned).toBeUndefined();
        expect(watch.dialogs).toEqual([]);
        expect(state.plots).toHaveLength(4);
        for (const plot of state.plots) {
          expect(plot.svg).toBeGreaterThan(0);
          expect(plot.images).toBe(0); // the static image was replaced
        }
        // The label is shown as text, exactly as given.
        expect(state.titles[0]).toBe(ATTACK);
        // plotly.js once plus one drawing script per chart (plus require.js).
        expect(state.scripts).toBe(1 + 4 + (withRequire ? 1 : 0));
        expect(watch.pageErrors).toEqual([]);
        expect(watch.consoleErrors).toEqual([]);
        expect(watch.externalRequests).toEqual([]);
      } finally {
        await tab.close();
      }
    });
  }

  it('keeps the static image where plotly.js is not on the page', async () => {
    const file = join(dir, 'no-plotly.html');
    writeFileSync(file, page(outputs.slice(0, 1).map((html) => html.replace(/<script type="text\/javascript">[\s\S]*?<\/script>/, '')), false));
    const tab = await browser.newPage();
    try {
      await tab.goto(pathToFileURL(file).href);
      const images = await tab.evaluate(() =>
        Array.from(document.querySelectorAll('img.llm-price-lab-plot-image')).map((img) => (img as HTMLImageElement).naturalWidth),
      );
      expect(images).toEqual([680]);
    } finally {
      await tab.close();
    }
  });
});
