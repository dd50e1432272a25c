/**
 * One headless Chromium shared by the kernels of a run, so that the static images of a run's charts
 * pay for starting a browser once rather than once per kernel. The headless runner starts it
 * (playwright's `launchServer`, listening on 127.0.0.1 at an address with a random path) and gives
 * its address to the Jupyter server's environment, which its kernels inherit in `RENDER_SERVICE_ENV`;
 * each kernel's renderer opens its page there (`static-image.ts`), in a browser context of its own,
 * and falls back to a browser of its own if the address cannot be reached.
 *
 * The address changes with every run and does not change what is drawn (the same browser draws with
 * the same flags), so it is not part of the execution cache's key.
 *
 * The browser runs on a pipe to the process that started it: if that process dies, even by SIGKILL,
 * the browser exits with it.
 */
import type { BrowserServer } from 'playwright-core';
import { firstLine } from '../errors';
import { findBrowser } from '../machine';
import { browserTempFolder, launchOptions, type BrowserTempFolder } from './browser-launch';

/** The variable that carries the shared browser's address to the kernels. */
export const RENDER_SERVICE_ENV = 'LLM_PRICE_LAB_RENDER_SERVICE';

/** Reaching a browser on this machine takes milliseconds; past this it is not there to be used. */
export const SHARED_CONNECT_TIMEOUT_MS = 10_000;

export interface RenderService {
  /** The address kernels connect to (`ws://127.0.0.1:PORT/…`). */
  readonly endpoint: string;
  /** The browser's process id (tests, diagnostics). */
  readonly pid: number | undefined;
  /** Closes the browser and removes its temp folder; safe to call more than once. */
  close(): Promise<void>;
}

export type RenderServiceStart = { kind: 'ok'; service: RenderService } | { kind: 'unavailable'; reason: string };

export interface RenderServiceOptions {
  /** Which browser; default as for a kernel's own (`PLOTLY_BROWSER`, then the usual places). */
  executablePath?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts the shared browser, or says why it cannot (no browser on this machine, a failed start). Never throws. */
export async function startRenderService(options: RenderServiceOptions = {}): Promise<RenderServiceStart> {
  const lookup = findBrowser(options.executablePath, options.env);
  if (lookup.kind === 'missing') return { kind: 'unavailable', reason: lookup.reason };
  let folder: BrowserTempFolder | undefined;
  let server: BrowserServer;
  try {
    folder = browserTempFolder();
    const { chromium } = await import('playwright-core');
    server = await chromium.launchServer({ ...launchOptions(lookup.path, folder), host: '127.0.0.1' });
  } catch (error) {
    folder?.remove();
    return { kind: 'unavailable', reason: `could not start ${lookup.path}: ${firstLine(error)}` };
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= server
      .close()
      .catch(() => server.kill().catch(() => undefined))
      .finally(() => folder?.remove()));
  return { kind: 'ok', service: { endpoint: server.wsEndpoint(), pid: server.process().pid, close } };
}
