/**
 * What a person does in JupyterLab, as playwright steps: open a notebook from the file browser,
 * pick menu items, wait until a run is over, read prompts and outputs. Selectors are JupyterLab 4.5's.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** Loading the bundle and restoring the layout takes 3–20 s here, depending on the load. */
export const LAB_LOAD_TIMEOUT_MS = 90_000;
/** Starting the project kernel takes 1–10 s. */
export const KERNEL_IDLE_TIMEOUT_MS = 60_000;
/**
 * A notebook's first kernel: 1–10 s, but a kernel that loses a port to another process between
 * jupyter_client choosing its ports and the kernel binding them exits, and the server starts it again
 * on new ports only after its own 60 s wait for the first one's kernel_info (seen once in a fresh
 * clone's full suite: "cannot bind the control socket … Address already in use").
 */
export const KERNEL_FIRST_IDLE_TIMEOUT_MS = 2 * KERNEL_IDLE_TIMEOUT_MS;

export async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  // index.js marks the body once the application has started and restored its layout.
  await page.waitForSelector('body[data-lab-restored="true"]', { state: 'attached', timeout: LAB_LOAD_TIMEOUT_MS });
}

/** The file browser's tab in the left sidebar (its folder icon). */
const FILE_BROWSER_TAB = '.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]';
/** How long the file browser's listing may take to show before the sidebar is opened by its tab. */
const LISTING_SHOWN_MS = 15_000;

/**
 * Double-clicks a file in the file browser and returns the notebook panel that opens. Where the
 * listing stays hidden (the left sidebar collapsed, as it was in some runs on a loaded machine), a
 * screenshot of the page is kept for diagnosis and the sidebar is opened with its tab, as a person would.
 */
export async function openFromFileBrowser(page: Page, name: string, screenshotDir?: string): Promise<Locator> {
  const item = page.locator('.jp-DirListing-item', { has: page.locator('.jp-DirListing-itemText', { hasText: name }) }).first();
  const shown = await item.waitFor({ state: 'visible', timeout: LISTING_SHOWN_MS }).then(() => true, () => false);
  // Opened by its tab only when the file browser itself is hidden: on an open one the tab would close it.
  if (!shown && !(await page.locator('#filebrowser').isVisible())) {
    if (screenshotDir) await page.screenshot({ path: join(screenshotDir, `lab-listing-hidden-${name}.png`) });
    await page.locator(FILE_BROWSER_TAB).first().click();
  }
  await item.dblclick();
  const panel = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
  await panel.locator('.jp-Notebook').waitFor({ timeout: LAB_LOAD_TIMEOUT_MS });
  await page.locator('.lm-TabBar-tab.lm-mod-current', { hasText: name }).first().waitFor({ timeout: LAB_LOAD_TIMEOUT_MS });
  return panel;
}

/** The kernel name shown in the notebook's toolbar. */
export function kernelName(panel: Locator): Locator {
  return panel.locator('.jp-Toolbar-kernelName');
}

/** Waits until the notebook's kernel is idle (the toolbar's status circle). */
export async function waitForIdle(panel: Locator, timeout = KERNEL_IDLE_TIMEOUT_MS): Promise<void> {
  await panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor({ state: 'attached', timeout });
}

/** How long a menu item may stay disabled (its command not yet available) before `menu` gives up. */
const MENU_ENABLED_MS = 60_000;

/**
 * Picks `item` from the menu bar's `top` menu. A disabled item (JupyterLab greys out a command that
 * cannot run yet, e.g. before the notebook is the current widget) does nothing when clicked, so the
 * menu is closed and opened again until the item is enabled.
 */
export async function menu(page: Page, top: string, item: string): Promise<void> {
  const deadline = Date.now() + MENU_ENABLED_MS;
  for (;;) {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: new RegExp(`^${top}$`) }).click();
    const entry = page.locator('.lm-Menu-item', { has: page.locator('.lm-Menu-itemLabel', { hasText: item }) }).first();
    await entry.waitFor({ timeout: MENU_ENABLED_MS });
    if (!((await entry.getAttribute('class')) ?? '').includes('lm-mod-disabled')) {
      await entry.click();
      return;
    }
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`menu ${top} → ${item} stayed disabled for ${MENU_ENABLED_MS / 1000} s`);
    await page.waitForTimeout(500);
  }
}

/** How long after Run All the first cell may take to be queued or run. */
const RUN_ALL_STARTED_MS = 20_000;

/**
 * Run → Run All Cells on `panel`, and a check that it took: some cell queued or run. Where nothing
 * happened, a screenshot is kept as `lab-run-all-not-started-<name>.png` and the notebook is clicked
 * and Run All picked once more, as a person would. Seen on a loaded machine: JupyterLab's "Select
 * Kernel" dialog over the notebook (proposing Python 3) although the status bar showed the project
 * kernel idle; JupyterLab opens it when its request to start the session's kernel failed on the
 * client side. A person picks the project kernel there, and so does this, saying so on the console.
 */
export async function runAll(page: Page, panel: Locator, name: string, screenshotDir?: string): Promise<void> {
  const started = async (): Promise<boolean> => (await prompts(panel)).some((p) => p.trim() !== '[ ]:');
  await menu(page, 'Run', 'Run All Cells');
  const took = await waitUntil(started, RUN_ALL_STARTED_MS);
  if (took) return;
  if (screenshotDir) await page.screenshot({ path: join(screenshotDir, `lab-run-all-not-started-${name}.png`) });
  const dialog = page.locator('.jp-Dialog').filter({ hasText: 'Select Kernel' });
  if (await dialog.isVisible()) {
    console.log(`lab-page: Run All of ${name} met JupyterLab's Select Kernel dialog; picking ${PROJECT_KERNEL} as a person would`);
    await dialog.locator('select').selectOption({ label: PROJECT_KERNEL });
    await dialog.getByRole('button', { name: 'Select' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
  await panel.locator('.jp-Notebook').click({ position: { x: 5, y: 5 } });
  await menu(page, 'Run', 'Run All Cells');
}

/** The project kernel's display name, as JupyterLab lists it. */
const PROJECT_KERNEL = 'TypeScript (llm-price-lab)';

async function waitUntil(condition: () => Promise<boolean>, timeout: number): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return condition();
}

/** The prompts of the code cells ("[3]:", "[*]:", "[ ]:"). */
export async function prompts(panel: Locator): Promise<string[]> {
  return panel.locator('.jp-CodeCell .jp-InputArea-prompt').allInnerTexts();
}

/**
 * Waits until a Run All is over: the kernel idle and no cell queued ("[*]") on two polls in a row.
 * Run All stops at a failing cell, so this does not require every cell to have run: callers check.
 */
export async function waitForRunAll(panel: Locator, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  let quiet = 0;
  for (;;) {
    const all = (await prompts(panel)).map((p) => p.trim());
    const idle = (await panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').count()) > 0;
    quiet = idle && /^\[\d+\]:$/.test(all[0] ?? '') && !all.includes('[*]:') ? quiet + 1 : 0;
    if (quiet >= 2) return;
    if (Date.now() > deadline) throw new Error(`Run All not finished within ${timeout / 1000} s; prompts: ${all.join(' ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Error and stderr outputs (JupyterLab renders both with this MIME type), as their text. */
export async function errorOutputs(panel: Locator): Promise<string[]> {
  return panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allInnerTexts();
}

/** How each plotly chart output shows: its image, its live plot, or nothing (an empty box). */
export interface ChartView {
  image: boolean;
  plot: boolean;
  width: number;
  height: number;
}

export async function chartViews(panel: Locator): Promise<ChartView[]> {
  return panel.locator('.jp-RenderedPlotly').evaluateAll((nodes) =>
    nodes.map((node) => {
      const shown = (el: Element | null) => {
        if (!el) return false;
        const box = el.getBoundingClientRect();
        return getComputedStyle(el).display !== 'none' && box.width > 0 && box.height > 0;
      };
      const img = node.querySelector('img.plot-img') as HTMLImageElement | null;
      const plot = node.querySelector('.plot-container');
      const svg = plot?.querySelector('svg.main-svg') ?? null;
      const box = node.getBoundingClientRect();
      return {
        image: shown(img) && (img?.complete ?? false) && (img?.naturalWidth ?? 0) > 0,
        plot: shown(plot) && shown(svg),
        width: box.width,
        height: box.height,
      };
    }),
  );
}

/** Adds a cell below the last one and returns it (by index: a new cell added later is another one). */
export async function newCellAtEnd(panel: Locator): Promise<Locator> {
  const count = await panel.locator('.jp-Cell').count();
  const last = panel.locator('.jp-Cell').nth(count - 1);
  await last.scrollIntoViewIfNeeded();
  await last.locator('.jp-Collapser').first().click();
  await panel.locator('.jp-NotebookPanel-toolbar [data-command="notebook:insert-cell-below"]').first().click();
  const cell = panel.locator('.jp-Cell').nth(count);
  await cell.locator('.cm-content').waitFor();
  await cell.scrollIntoViewIfNeeded();
  return cell;
}

/**
 * Drags the handle of the ipywidgets slider in `slider` (a `.widget-slider` box, or a cell holding one)
 * with the mouse to `fraction` of its track, and returns the readout once it has changed.
 */
export async function dragSlider(page: Page, slider: Locator, fraction: number, timeout: number): Promise<string> {
  const handle = slider.locator('.noUi-handle').first();
  const readout = slider.locator('.widget-readout').first();
  await handle.waitFor({ timeout });
  const before = await readout.innerText();
  await handle.scrollIntoViewIfNeeded();
  const track = await slider.locator('.noUi-target').first().boundingBox();
  const from = await handle.boundingBox();
  if (!track || !from) throw new Error('the slider has no box on the page');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(track.x + track.width * fraction, from.y + from.height / 2, { steps: 8 });
  await page.mouse.up();
  for (const deadline = Date.now() + timeout; ; await page.waitForTimeout(100)) {
    const now = await readout.innerText();
    if (now !== before) return now;
    if (Date.now() > deadline) throw new Error(`the slider's readout stayed at ${before} after the drag`);
  }
}

/** Replaces the text of a cell, leaving the cursor at its end in edit mode. */
export async function typeInCell(page: Page, cell: Locator, text: string): Promise<void> {
  await cell.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

/**
 * What the page shows of every open notebook, for a failed test's evidence: per code cell its prompt,
 * then each output's MIME type (or renderer class) and the size of its text and markup.
 */
export async function outputSummary(page: Page): Promise<string[]> {
  return page.locator('.jp-NotebookPanel').evaluateAll((panels) =>
    panels.flatMap((panel) => {
      const title = panel.id;
      const cells = Array.from(panel.querySelectorAll('.jp-CodeCell')).map((cell, i) => {
        const prompt = cell.querySelector('.jp-InputArea-prompt')?.textContent?.trim() ?? '';
        const outputs = Array.from(cell.querySelectorAll('.jp-OutputArea-output')).map((output) => {
          const kind = output.getAttribute('data-mime-type') ?? output.className;
          return `${kind} (${output.textContent?.length ?? 0} chars of text, ${output.innerHTML.length} of markup)`;
        });
        return `  cell ${i} ${prompt} ${outputs.length ? outputs.join('; ') : 'no output'}`;
      });
      return [`panel ${title}${panel.classList.contains('lm-mod-hidden') ? ' (hidden)' : ''}`, ...cells];
    }),
  );
}
