/**
 * The error note the runner adds to a failed notebook carries text a kernel sent. Exported to HTML
 * by nbconvert and opened in Chromium, that text reads as written and nothing in it runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportHtml } from '../../src/runner/export';
import { literalBlock, markFailure } from '../../src/runner/failures';
import { launchChromium } from '../plot/browser';
import { kernelNotebook } from '../notebook-fixtures';

/** An error message that ends a backtick span (blank line) and then carries markup and a script. */
const HOSTILE =
  'bad input `x`\n\n<img src=x onerror="window.__injected = \'img\'">\n<script>window.__injected = \'script\'</script>\n&amp; </pre> done';

describe('the error note of a failed notebook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'failure-note-'));
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the message as one escaped <pre> line', () => {
    const block = literalBlock('a\n\n<b>x</b> & `y`');
    expect(block).toBe('<pre class="runner-error-text">a&#10;&#10;&lt;b&gt;x&lt;/b&gt; &amp; `y`</pre>');
    expect(block.split('\n')).toHaveLength(1);
  });

  it('shows a hostile message literally in the exported HTML, and runs none of it', async () => {
    const notebook = kernelNotebook([{ id: 'boom', source: 'throw new Error(message)', executionCount: 1 }]);
    const marked = markFailure(notebook, {
      index: 0,
      id: 'boom',
      codeCellNumber: 1,
      source: 'throw new Error(message)',
      failure: { kind: 'error', ename: 'Error', evalue: HOSTILE, traceback: [] },
    });
    const path = join(dir, 'failed.ipynb');
    writeFileSync(path, JSON.stringify(marked));
    const exported = await exportHtml(path, join(dir, 'failed.html'));
    expect(exported.kind, exported.kind === 'error' ? exported.message : '').toBe('ok');

    const page = await browser!.newPage();
    try {
      await page.goto(pathToFileURL(join(dir, 'failed.html')).href);
      expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
      const note = page.locator('pre.runner-error-text');
      await expect.poll(() => note.count()).toBe(1);
      expect(await note.innerText()).toBe(`Error: ${HOSTILE}`);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 240_000);
});
