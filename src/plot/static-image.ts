/**
 * Static images of figures, drawn by plotly.js itself (`Plotly.toImage`) in a headless Chromium driven
 * through playwright-core. One browser is kept open for the kernel session and closed when the process
 * exits; outside a kernel (scripts, tests) it closes itself once idle so the process can end.
 * Where no browser can be started, or a drawing takes longer than `RENDER_TIMEOUT_MS`, the result
 * says why; rendering never throws.
 *
 * Each browser gets a temp folder of its own (its TMPDIR), removed when the browser closes or goes
 * away and when this process exits, so a browser killed at exit leaves nothing in the system's
 * (unless that temp folder's path is too long for one more level, see `browserTempFolder`).
 *
 * When the headless runner shares one browser among the kernels of a run (`render-service.ts`), it
 * gives its address in `RENDER_SERVICE_ENV`: the renderer then opens its page there, in a browser
 * context of its own, and starts a browser of its own only if that one cannot be reached.
 */
import type { Browser, Page } from 'playwright-core';
import { DISPLAY_SINK } from '../display';
import { ProjectError, firstLine } from '../errors';
import { findBrowser } from '../machine';
import { within } from '../wait';
import { BROWSER_LAUNCH_TIMEOUT_MS, browserTempFolder, launchOptions, type BrowserTempFolder } from './browser-launch';
import type { FigureSpec, StaticFormat, StaticImage } from './figure';
import { plotlyBundlePath } from './plotly-source';
import { RENDER_SERVICE_ENV, SHARED_CONNECT_TIMEOUT_MS } from './render-service';

export { BROWSER_LAUNCH_TIMEOUT_MS, BROWSER_TEMP_PREFIX, CHROMIUM_ARGS, chromiumArgs, DEFAULT_BROWSERS, findBrowser, type BrowserLookup } from './browser-launch';

export type StaticRenderResult = { kind: 'ok'; image: StaticImage } | { kind: 'unavailable'; reason: string };

export function staticMimeType(format: StaticFormat): 'image/png' | 'image/svg+xml' {
  return format === 'png' ? 'image/png' : 'image/svg+xml';
}

/**
 * One figure takes well under a second once plotly.js is loaded. Past this the page is stuck: its
 * browser is closed and the figure goes without an image rather than hanging the cell for ever.
 */
export const RENDER_TIMEOUT_MS = 30_000;
/** Opening the page and loading plotly.js (3.6 MB) into it: 1–5 s on a loaded 2-core machine. */
export const PAGE_LOAD_TIMEOUT_MS = 30_000;
/**
 * The whole start of a browser ready to draw, bounded as one step (the first figure only): with a
 * shared browser, reaching it and loading the page there, then perhaps starting one of its own.
 */
function openTimeoutMs(shared: boolean): number {
  return BROWSER_LAUNCH_TIMEOUT_MS + PAGE_LOAD_TIMEOUT_MS + (shared ? SHARED_CONNECT_TIMEOUT_MS + PAGE_LOAD_TIMEOUT_MS : 0);
}
/** How long a timed-out render waits for its browser to close before answering. */
const STUCK_CLOSE_WAIT_MS = 5_000;
/** Outside a kernel, close the browser this long after the last image so a script can exit. */
export const SCRIPT_IDLE_CLOSE_MS = 1_000;

export interface StaticRenderOptions {
  format?: StaticFormat;
  /** Pixel density of PNGs (1 = CSS pixels). */
  scale?: number;
}

export interface StaticRenderer {
  render(spec: FigureSpec, options?: StaticRenderOptions): Promise<StaticRenderResult>;
  close(): Promise<void>;
}

export interface StaticRendererOptions {
  executablePath?: string;
  env?: NodeJS.ProcessEnv;
  /** Give up on one image (and close its browser) after this many ms; default `RENDER_TIMEOUT_MS`. */
  renderTimeoutMs?: number;
  /** The plotly.js bundle loaded into the page; default plotly.js-dist-min. */
  plotlyPath?: string;
  /** Close after this many ms without a render; `undefined`: only when asked (or at process exit). */
  idleCloseMs?: number;
  /** Called each time a browser is started (logging, tests). */
  onLaunch?: (executablePath: string) => void;
  /**
   * A shared browser's address (playwright's `launchServer` WebSocket endpoint): pages open there
   * first, and a browser of this renderer's own is started only if it cannot be reached.
   */
  sharedBrowser?: string;
  /** Called each time a page opens in the shared browser (tests). */
  onConnect?: (endpoint: string) => void;
}

interface OpenBrowser {
  browser: Browser;
  page: Page;
}

/**
 * The page's address. It never reaches the network: the page routes every request, serving this
 * page and plotly.js from local files and refusing the rest (`.invalid` never resolves anyway).
 */
const PAGE_ORIGIN = 'http://llm-price-lab-render.invalid';
const PAGE_HTML = '<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/plotly.js"></script></head><body></body></html>';

/**
 * Opens the drawing page with plotly.js loaded. plotly.js comes as a script the browser fetches
 * (through the route), which it compiles while streaming: faster than injecting the several-megabyte
 * source through the devtools protocol, which must arrive whole before it is compiled.
 */
async function openRenderPage(browser: Browser, plotlyPath: string): Promise<Page> {
  const page = await browser.newPage();
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `${PAGE_ORIGIN}/`) await route.fulfill({ body: PAGE_HTML, contentType: 'text/html; charset=utf-8' });
    else if (url === `${PAGE_ORIGIN}/plotly.js`) await route.fulfill({ path: plotlyPath, contentType: 'text/javascript; charset=utf-8' });
    else await route.abort('blockedbyclient');
  });
  await page.goto(`${PAGE_ORIGIN}/`, { waitUntil: 'load', timeout: PAGE_LOAD_TIMEOUT_MS });
  const loaded = await page.evaluate(() => typeof (window as unknown as { Plotly?: unknown }).Plotly === 'object');
  if (!loaded) throw new Error(`${plotlyPath} did not define window.Plotly`);
  return page;
}

/** A renderer owning at most one browser, opened on first use and reopened if it went away. */
export function createStaticRenderer(options: StaticRendererOptions = {}): StaticRenderer {
  let opening: Promise<OpenBrowser | { reason: string }> | undefined;
  let current: OpenBrowser | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let inFlight = 0;

  /** A page in the run's shared browser, or undefined when there is none or it cannot be reached. */
  async function openShared(): Promise<OpenBrowser | undefined> {
    if (!options.sharedBrowser) return undefined;
    let browser: Browser | undefined;
    try {
      const { chromium } = await import('playwright-core');
      browser = await chromium.connect(options.sharedBrowser, { timeout: SHARED_CONNECT_TIMEOUT_MS });
      const page = await openRenderPage(browser, options.plotlyPath ?? plotlyBundlePath());
      options.onConnect?.(options.sharedBrowser);
      return { browser, page };
    } catch {
      // Its run may have ended, or it went away: a browser of this process's own still draws the image.
      await browser?.close().catch(() => undefined);
      return undefined;
    }
  }

  async function launchOwn(): Promise<OpenBrowser | { reason: string }> {
    const lookup = findBrowser(options.executablePath, options.env);
    if (lookup.kind === 'missing') return { reason: lookup.reason };
    let browser: Browser | undefined;
    let temp: BrowserTempFolder | undefined;
    try {
      const { chromium } = await import('playwright-core');
      options.onLaunch?.(lookup.path);
      temp = browserTempFolder();
      const folder = temp;
      browser = await chromium.launch(launchOptions(lookup.path, folder));
      // Closed, crashed or killed: its temp folder goes with it.
      browser.on('disconnected', () => folder?.remove());
      return { browser, page: await openRenderPage(browser, options.plotlyPath ?? plotlyBundlePath()) };
    } catch (error) {
      await browser?.close().catch(() => undefined);
      temp?.remove();
      return { reason: `could not start ${lookup.path}: ${firstLine(error)}` };
    }
  }

  async function open(): Promise<OpenBrowser | { reason: string }> {
    const opened = (await openShared()) ?? (await launchOwn());
    if ('reason' in opened) return opened;
    // A browser that crashed, was killed or (shared) whose run ended is forgotten; the next render opens another.
    opened.browser.on('disconnected', () => {
      if (current === opened) {
        current = undefined;
        opening = undefined;
      }
    });
    current = opened;
    return opened;
  }

  /**
   * Forgets a stuck browser and closes it once it has opened (a launch still under way included), so
   * nothing keeps waiting on it; the next figure starts a new one.
   */
  async function abandon(attempt: Promise<OpenBrowser | { reason: string }>): Promise<void> {
    if (opening === attempt) {
      opening = undefined;
      current = undefined;
    }
    const closing = attempt
      .then(async (opened) => {
        if ('browser' in opened) await opened.browser.close();
      })
      .catch((error: unknown) => {
        // The browser still ends with this process (its pipe closes); say so rather than hide it.
        process.emitWarning(`llm-price-lab: closing a stuck browser failed: ${firstLine(error)}`);
      });
    // A launch that is itself stuck ends by BROWSER_LAUNCH_TIMEOUT_MS; the cell does not wait for that.
    await within(closing, STUCK_CLOSE_WAIT_MS);
  }

  function scheduleIdleClose(): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = undefined;
    if (options.idleCloseMs === undefined || inFlight > 0) return;
    idleTimer = setTimeout(() => void renderer.close(), options.idleCloseMs);
    idleTimer.unref();
  }

  const renderer: StaticRenderer = {
    async render(spec, renderOptions = {}) {
      const format = renderOptions.format ?? 'png';
      const scale = renderOptions.scale ?? 1;
      const width = typeof spec.layout.width === 'number' ? spec.layout.width : 700;
      const height = typeof spec.layout.height === 'number' ? spec.layout.height : 450;
      inFlight += 1;
      if (idleTimer) clearTimeout(idleTimer);
      const timeoutMs = options.renderTimeoutMs ?? RENDER_TIMEOUT_MS;
      try {
        opening ??= open();
        const attempt = opening;
        // Two bounds: starting the browser and loading plotly.js (seconds on a loaded machine, only
        // for the first figure), then drawing this figure.
        const openMs = openTimeoutMs(options.sharedBrowser !== undefined);
        const started = await within(attempt, openMs);
        if (started.kind === 'timeout') {
          await abandon(attempt);
          return { kind: 'unavailable', reason: `the browser did not open within ${openMs / 1000} s; it was closed` };
        }
        const opened = started.value;
        if ('reason' in opened) {
          if (opening === attempt) opening = undefined;
          return { kind: 'unavailable', reason: opened.reason };
        }
        const drawn = opened.page.evaluate(
          async ({ figure, format, width, height, scale }) => {
            const plotly = (window as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
            return plotly.toImage(figure, { format, width, height, scale });
          },
          { figure: spec, format, width, height, scale },
        );
        const outcome = await within(drawn, timeoutMs);
        if (outcome.kind === 'done') return { kind: 'ok', image: { format, data: decodeDataUrl(outcome.value, format), width, height } };
        // Its rejection when the page closes under it is expected and carries nothing new.
        void drawn.catch((error: unknown) => error);
        await abandon(attempt);
        return { kind: 'unavailable', reason: `plotly.js did not draw the image within ${timeoutMs / 1000} s; its browser was closed` };
      } catch (error) {
        return { kind: 'unavailable', reason: `plotly.js could not draw the figure: ${firstLine(error)}` };
      } finally {
        inFlight -= 1;
        scheduleIdleClose();
      }
    },
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = undefined;
      const pending = opening;
      opening = undefined;
      current = undefined;
      const opened = pending ? await pending : undefined;
      if (opened && 'browser' in opened) await opened.browser.close().catch(() => undefined);
    },
  };
  return renderer;
}

export class StaticImageFormatError extends ProjectError<{ received: string }> {
  constructor(readonly received: string) {
    super(`Plotly.toImage returned an unexpected value starting ${JSON.stringify(received.slice(0, 40))}`, { received });
  }
}

/** `Plotly.toImage` gives `data:image/png;base64,…` or `data:image/svg+xml,<url-encoded svg>`. */
export function decodeDataUrl(url: string, format: StaticFormat): string {
  if (format === 'png') {
    const prefix = 'data:image/png;base64,';
    if (!url.startsWith(prefix)) throw new StaticImageFormatError(url);
    return url.slice(prefix.length);
  }
  const comma = url.indexOf(',');
  if (!url.startsWith('data:image/svg+xml') || comma < 0) throw new StaticImageFormatError(url);
  const header = url.slice(0, comma);
  const body = url.slice(comma + 1);
  return header.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
}

const RENDERER_KEY = Symbol.for('llm-price-lab.plot.static-renderer');

interface SessionRenderer {
  pid: number;
  key: string;
  renderer: StaticRenderer;
  /** The closing of the renderers this one replaced (another browser was asked for). */
  retiring: Promise<void>;
}

/** True while a kernel runs a cell (it installs the display sink). */
export function insideKernel(): boolean {
  return (globalThis as Record<symbol, unknown>)[DISPLAY_SINK] !== undefined;
}

/**
 * The renderer shared by every figure of this process. In a kernel the browser stays open for the
 * session; elsewhere it closes after `SCRIPT_IDLE_CLOSE_MS` without use (and reopens when needed).
 */
export function sessionRenderer(executablePath?: string): StaticRenderer {
  const slot = globalThis as Record<symbol, SessionRenderer | undefined>;
  const shared = process.env[RENDER_SERVICE_ENV] || undefined;
  const key = `${executablePath ?? process.env.PLOTLY_BROWSER ?? ''}\n${shared ?? ''}`;
  const existing = slot[RENDERER_KEY];
  if (existing && existing.pid === process.pid && existing.key === key) return existing.renderer;
  const retiring = existing ? Promise.all([existing.retiring, existing.renderer.close()]).then(() => undefined) : Promise.resolve();
  const renderer = createStaticRenderer({
    executablePath,
    ...(shared ? { sharedBrowser: shared } : {}),
    get idleCloseMs() {
      return insideKernel() ? undefined : SCRIPT_IDLE_CLOSE_MS;
    },
  });
  slot[RENDERER_KEY] = { pid: process.pid, key, renderer, retiring };
  return renderer;
}

/**
 * Closes the session's browser now (it reopens if another image is asked for), and waits until the
 * browsers of renderers it replaced are closed too.
 */
export async function closeStaticRenderer(): Promise<void> {
  const slot = globalThis as Record<symbol, SessionRenderer | undefined>;
  const existing = slot[RENDERER_KEY];
  delete slot[RENDERER_KEY];
  if (existing) await Promise.all([existing.retiring, existing.renderer.close()]);
}
