/**
 * A notebook kept outside the project (here: a temporary folder) imports the library in the
 * project's JupyterLab, as someone's own notebooks or a JupyterHub root above the clone would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../src/lab/server';
import { buildDir } from '../../src/paths';
import { launchWatchedChromium, type WatchedBrowser } from '../plot/browser-watch';
import { errorOutputs, openFromFileBrowser, openLab, runAll, waitForIdle, waitForRunAll } from './lab-page';
import { kernelNotebook } from '../notebook-fixtures';

const STEP_TIMEOUT_MS = 60_000;
/** The cell type-checks the whole library, TensorFlow.js included: 15–20 s here, more on a loaded machine. */
const RUN_ALL_TIMEOUT_MS = 240_000;
const screenshots = join(buildDir(), 'screenshots');
const evidenceDir = join(buildDir(), 'test-evidence', 'lab-outside-project');

describe('a notebook outside the project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-price-lab-outside-'));
  let lab: RunningLab | undefined;
  let watched: WatchedBrowser | undefined;

  beforeAll(async () => {
    const notebook = kernelNotebook([
      { id: 'import', source: "import { trainingFlops } from 'llm-price-lab';\nconst flops: number = trainingFlops(175e9, 300e9);\nflops.toExponential(2)" },
    ]);
    writeFileSync(join(dir, 'mine.ipynb'), JSON.stringify(notebook));
    lab = await startLab({ rootDir: dir, stateDir: join(dir, '.state'), isolated: true });
    rmSync(evidenceDir, { recursive: true, force: true });
    const running = lab;
    // A failed step leaves the page's console, a screenshot, the lab server's log and memory over time.
    watched = await launchWatchedChromium({ evidenceDir, extraEvidence: async () => ({ 'server.log': `${running.log().join('\n')}\n` }) });
  }, 120_000);

  afterAll(async () => {
    try {
      await watched?.close();
      await lab?.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports llm-price-lab with type checking', async () => {
    if (!lab || !watched) throw new Error('setup failed');
    const running = lab;
    const browser = watched;
    await browser.step('open mine.ipynb and run it', 2 * STEP_TIMEOUT_MS + RUN_ALL_TIMEOUT_MS, async () => {
      const page = await browser.browser.newPage({ viewport: { width: 1200, height: 800 } });
      browser.watch(page);
      await openLab(page, running.url);
      const panel = await openFromFileBrowser(page, 'mine.ipynb', screenshots);
      await waitForIdle(panel);
      await runAll(page, panel, 'mine', screenshots);
      await waitForRunAll(panel, RUN_ALL_TIMEOUT_MS);
      expect(await errorOutputs(panel)).toEqual([]);
      expect(await panel.locator('.jp-OutputArea-output').allInnerTexts()).toEqual(["'3.15e+23'"]);
    });
  }, 2 * STEP_TIMEOUT_MS + RUN_ALL_TIMEOUT_MS + 120_000);
});
