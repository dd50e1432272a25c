/**
 * Export a notebook with nbconvert, open the page in Chromium and report what a reader would see:
 * how many charts were drawn, what the page logged, what it fetched, and a screenshot.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { jupyterCommand } from '../../src/paths';
import { watchPage } from './browser';

export type NbconvertTemplate = 'lab' | 'classic';

/** Debian's nbconvert templates load require.js, jQuery and MathJax from these local files. */
export const TEMPLATE_ASSETS = 'file:///usr/share/javascript/';

/** `jupyter nbconvert --to html --template <template>`; returns the HTML file's path. */
export function exportHtml(notebook: string, template: NbconvertTemplate, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const name = `${basename(notebook, '.ipynb')}-${template}`;
  const result = spawnSync(
    jupyterCommand(),
    ['nbconvert', '--to', 'html', '--template', template, '--output-dir', outDir, '--output', name, notebook],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) {
    throw new Error(`nbconvert --template ${template} ${notebook} failed (${result.status ?? result.signal}): ${result.stderr}`);
  }
  return join(outDir, `${name}.html`);
}

export interface PageReport {
  /** One entry per figure output: how many `svg.main-svg` it holds and whether its image is still there. */
  plots: Array<{ id: string; svg: number; staticImages: number }>;
  /** Text of every chart title drawn by plotly. */
  titles: string[];
  consoleErrors: string[];
  pageErrors: string[];
  /** Requests other than the page itself, data: URLs and the template's local assets. */
  externalRequests: string[];
  dialogs: string[];
  screenshot: string;
}

/** Opens `htmlFile`, waits until every chart has drawn (or `timeoutMs`), and screenshots the page. */
export async function inspectPage(browser: Browser, htmlFile: string, screenshot: string, timeoutMs = 30_000): Promise<PageReport> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  try {
    const url = pathToFileURL(htmlFile).href;
    const watch = watchPage(page, [url, TEMPLATE_ASSETS]);
    await page.goto(url, { waitUntil: 'load' });
    await page
      .waitForFunction(
        () => {
          const plots = Array.from(document.querySelectorAll('.llm-price-lab-plot'));
          return plots.length > 0 && plots.every((div) => div.querySelector('svg.main-svg'));
        },
        undefined,
        { timeout: timeoutMs },
      )
      .catch(() => undefined); // reported below, chart by chart
    // The templates load MathJax; let its "Loading…" box go before the screenshot.
    await page
      .waitForFunction(() => {
        const box = document.getElementById('MathJax_Message');
        return !box || getComputedStyle(box).display === 'none' || box.textContent === '';
      }, undefined, { timeout: 10_000 })
      .catch(() => undefined);
    const state = await page.evaluate(() => ({
      plots: Array.from(document.querySelectorAll('.llm-price-lab-plot')).map((div) => ({
        id: div.id,
        svg: div.querySelectorAll('svg.main-svg').length,
        staticImages: div.querySelectorAll('img.llm-price-lab-plot-image').length,
      })),
      titles: Array.from(document.querySelectorAll('.llm-price-lab-plot .gtitle')).map((t) => t.textContent ?? ''),
    }));
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { ...state, ...watch, screenshot };
  } finally {
    await page.close();
  }
}
