/**
 * Figure bundles made by the library, saved as a notebook's outputs, exported by nbconvert's lab and
 * classic templates and opened in Chromium: every chart draws offline from the one inlined plotly.js.
 * (The kernel-executed version of this check is notebook.test.ts.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIME_BUNDLE } from '../../src/display';
import { buildDir } from '../../src/paths';
import type { Figure } from '../../src/plot/bundle';
import { barChart, heatmapChart, imageGrid, lineChart, plotlyFigure } from '../../src/plot/charts';
import { resetPlotSession } from '../../src/plot/html';
import { closeStaticRenderer } from '../../src/plot/static-image';
import { launchChromium } from './browser';
import { exportHtml, inspectPage, type NbconvertTemplate } from './notebook-page';
import { kernelNotebook } from '../notebook-fixtures';

const ATTACK = '</script><script>alert(1)</script>';

function figures(): Figure[] {
  const digit = (k: number) => Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - 14) < 3 + k && Math.abs(Math.floor(i / 28) - 14) < 8 ? 1 : 0));
  return [
    lineChart({ title: 'Training curves', x: { title: 'Epoch' }, y: { title: 'Loss', unit: 'cross-entropy' }, series: [{ name: 'train', x: [1, 2, 3], y: [0.6, 0.3, 0.2] }, { name: 'validation', x: [1, 2, 3], y: [0.4, 0.3, 0.25] }] }),
    lineChart({ title: 'Price over time', x: { title: 'Date' }, y: { title: 'Price', unit: 'USD per million tokens', log: true }, series: [{ name: 'price', mode: 'markers', x: ['2021-11-18', '2022-09-01', '2023-03-01'], y: [60, 20, 2] }] }),
    barChart({ title: 'Prices', x: { title: 'Model' }, y: { title: 'Price', unit: 'USD per million tokens' }, categories: ['a', 'b'], series: [{ name: 'input', values: [1, 2] }, { name: 'output', values: [2, 4] }] }),
    heatmapChart({ title: 'Confusion matrix', x: { title: 'Predicted digit' }, y: { title: 'True digit' }, xLabels: ['0', '1'], yLabels: ['0', '1'], z: [[9, 1], [2, 8]] }),
    imageGrid({ title: 'Digits', images: [digit(0), digit(2), digit(4)], trueLabels: [1, 1, 0], predictedLabels: [1, 0, 0] }),
    plotlyFigure({ data: [{ type: 'scatter', y: [1, 3, 2], name: ATTACK }], layout: { title: ATTACK } }),
  ];
}

async function notebookOfBundles(path: string): Promise<number> {
  resetPlotSession();
  const figs = figures();
  await Promise.all(figs.map((fig) => fig.render()));
  const notebook = kernelNotebook(
    figs.map((fig, index) => ({
      id: `figure-${index}`,
      executionCount: index + 1,
      source: [`await showFigure(figures[${index}])`],
      outputs: [{ output_type: 'display_data', data: fig[MIME_BUNDLE](), metadata: {} }],
    })),
  );
  writeFileSync(path, `${JSON.stringify(notebook, null, 1)}\n`);
  return figs.length;
}

describe('figure bundles exported by nbconvert', () => {
  const dir = join(buildDir(), 'test-notebooks', 'plot');
  const notebook = join(dir, 'bundles.ipynb');
  let browser: Browser;
  let count = 0;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    count = await notebookOfBundles(notebook);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await closeStaticRenderer();
    resetPlotSession();
  });

  for (const template of ['lab', 'classic'] as NbconvertTemplate[]) {
    it(`draws every chart offline in the ${template} template`, async () => {
      const html = exportHtml(notebook, template, dir);
      const report = await inspectPage(browser, html, join(buildDir(), 'screenshots', `plot-bundles-${template}.png`));
      expect(report.plots).toHaveLength(count);
      for (const plot of report.plots) {
        expect(plot, `chart ${plot.id}`).toMatchObject({ staticImages: 0 });
        expect(plot.svg, `chart ${plot.id}`).toBeGreaterThan(0);
      }
      expect(report.titles).toContain(ATTACK);
      expect(report.dialogs).toEqual([]);
      expect(report.pageErrors).toEqual([]);
      expect(report.consoleErrors).toEqual([]);
      expect(report.externalRequests).toEqual([]);
    });
  }
});
