/** Debian's Chromium through playwright-core, with the flags that keep it offline and quiet. */
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_BROWSERS, findBrowser } from '../../src/machine';
import { chromiumArgs } from '../../src/plot/static-image';

/** The browser the charts would use (`PLOTLY_BROWSER`, else the first installed); else Debian's, whose launch then says it is missing. */
const lookup = findBrowser(undefined);
export const CHROMIUM = lookup.kind === 'found' ? lookup.path : process.env.PLOTLY_BROWSER || DEFAULT_BROWSERS[0]!;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(), handleSIGINT: false });
}

/** What a page did that a self-contained notebook page must not do. */
export interface PageWatch {
  consoleErrors: string[];
  pageErrors: string[];
  /** Requests to anything but the page's own file (file:, data:, blob:, about: are local). */
  externalRequests: string[];
  dialogs: string[];
}

export function watchPage(page: Page, allowedPrefixes: readonly string[] = []): PageWatch {
  const watch: PageWatch = { consoleErrors: [], pageErrors: [], externalRequests: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => watch.pageErrors.push(error.message));
  page.on('request', (request) => {
    const url = request.url();
    const local = /^(data|blob|about):/.test(url) || allowedPrefixes.some((prefix) => url.startsWith(prefix));
    if (!local) watch.externalRequests.push(url);
  });
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return watch;
}
