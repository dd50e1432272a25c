/**
 * What starting a headless Chromium for plotly.js takes, shared by a kernel's own browser
 * (`static-image.ts`) and a run's shared one (`render-service.ts`): the flags that keep it off the
 * network and quiet, a temp folder of its own, and playwright's launch options that leave the
 * process's signals alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LaunchOptions } from 'playwright-core';
import { firstLine } from '../errors';

/** Chromium flags that keep a headless browser off the network and quiet (see the project's platform notes). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The flags for this process: Chromium refuses to start its sandbox as root, so `--no-sandbox` is
 * added only then; any other user keeps the sandbox.
 */
export function chromiumArgs(uid: number | undefined = process.getuid?.()): string[] {
  return uid === 0 ? [...CHROMIUM_ARGS, '--no-sandbox'] : [...CHROMIUM_ARGS];
}

/** Which browser: the option, else `PLOTLY_BROWSER`, else the first of Debian's and others' places (`machine.ts`). */
export { DEFAULT_BROWSERS, findBrowser, type BrowserLookup } from '../machine';

/** Starting Chromium takes 1–3 s on a loaded 2-core machine; beyond this something is wrong. */
export const BROWSER_LAUNCH_TIMEOUT_MS = 30_000;
/** Prefix of the temp folder each browser gets under the system's (short: it lengthens a socket's path). */
export const BROWSER_TEMP_PREFIX = 'llm-price-lab-';
/** What Chromium appends to its TMPDIR for its singleton socket (the X's are random characters). */
const CHROMIUM_SOCKET_SUFFIX = '/org.chromium.Chromium.XXXXXX/SingletonSocket';
/** The longest Unix socket path (sockaddr_un.sun_path less its NUL): Chromium does not start past it. */
const SOCKET_PATH_MAX = process.platform === 'linux' ? 107 : 103;

/**
 * A temp folder for one browser. Chromium keeps a folder of its own in TMPDIR
 * (`org.chromium.Chromium.*`, its singleton socket) and removes it only when it is closed; playwright
 * kills the browser (SIGKILL) when this process exits with it open, as a kernel does at shutdown.
 * Inside this folder it goes with the folder: `remove()` once the browser is gone, or at exit.
 * `undefined` when the socket's path would then be too long: Chromium keeps the system temp folder.
 */
export function browserTempFolder(): { path: string; remove(): void } | undefined {
  const longest = join(tmpdir(), `${BROWSER_TEMP_PREFIX}XXXXXX`) + CHROMIUM_SOCKET_SUFFIX;
  if (Buffer.byteLength(longest) > SOCKET_PATH_MAX) return undefined;
  const path = mkdtempSync(join(tmpdir(), BROWSER_TEMP_PREFIX));
  const removeNow = () => {
    try {
      // Retries: a browser that crashed may still be writing there for a moment.
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      // Runs in event handlers and at exit: never throw from there, say it instead.
      process.emitWarning(`llm-price-lab: could not remove the browser's temp folder ${path}: ${firstLine(error)}`);
    }
  };
  process.on('exit', removeNow);
  return {
    path,
    remove() {
      process.off('exit', removeNow);
      removeNow();
    },
  };
}

/** A browser's temp folder, removed with `remove()` once the browser is gone (or at this process's exit). */
export type BrowserTempFolder = NonNullable<ReturnType<typeof browserTempFolder>>;

/**
 * playwright's launch options for `executablePath` with its temp folder. The kernel uses SIGINT for
 * interrupts and Jupyter sends SIGTERM to stop it, and the runner handles both itself: playwright
 * leaves every signal alone. Chromium exits by itself when its pipe to this process closes, and
 * playwright kills it when this process exits.
 */
export function launchOptions(executablePath: string, folder: BrowserTempFolder | undefined): LaunchOptions {
  return {
    executablePath,
    args: chromiumArgs(),
    env: folder ? { ...process.env, TMPDIR: folder.path } : process.env,
    timeout: BROWSER_LAUNCH_TIMEOUT_MS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  };
}
