/**
 * `@jupyterlab/services` reports its kernel connections through the global console, as a browser's
 * developer console would show them: `Starting WebSocket: ws://…` on every (re)connection,
 * `Connection lost, reconnecting in 0 seconds.`, `Kernel: restarting (…)`. In a terminal or a test
 * log those lines would mix with the runner's own output.
 *
 * Code run through a scope (`openServicesConsole(sink).run(work)`), and everything it schedules (the
 * websocket's events, services' reconnect timers and message handling), has its console lines of
 * those kinds sent to `sink` instead. Console calls from any other code pass through unchanged: the
 * console methods are wrapped only while a scope is open, and the wrappers consult the calling code's
 * async context (AsyncLocalStorage), so what a user's process prints itself is never redirected.
 * `console.error` inside a scope is sent to the sink only when services' own code calls it (the
 * caller's stack frame lies in its files): it logs there the server tracebacks the runner already
 * reports through the failed request, and futures cancelled as a kernel connection goes. Any other
 * code's errors, the runner's included, reach the real console.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { format } from 'node:util';

/** The console methods services writes its connection notices with, and the one only its own calls are routed from. */
const ROUTED = ['debug', 'info', 'log', 'warn', 'error'] as const;
type Routed = (typeof ROUTED)[number];

let servicesFolder: string | undefined;
/** The folder of `@jupyterlab/services` (its own code lives under it), with a trailing separator. */
export function servicesDir(): string {
  servicesFolder ??= dirname(createRequire(__filename).resolve('@jupyterlab/services/package.json')) + sep;
  return servicesFolder;
}

/** Whether the first frame of `stack` (after its message line) lies in services' own files. */
export function madeByServices(stack: string | undefined, skipFrames = 0): boolean {
  const frames = (stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return frames[skipFrames]?.includes(servicesDir()) ?? false;
}
type ConsoleMethod = (...args: unknown[]) => void;

export type ServicesLogSink = (line: string) => void;

export interface ServicesConsole {
  /** Runs `work` with services' console lines, now and from whatever it schedules, going to the sink. */
  run<T>(work: () => T): T;
  /** Ends the scope; the console is back as it was once no scope is open. Safe to call twice. */
  close(): void;
}

const context = new AsyncLocalStorage<ServicesLogSink>();
let wrapped: { originals: Record<Routed, ConsoleMethod>; wrappers: Record<Routed, ConsoleMethod> } | undefined;
let openScopes = 0;

function wrapConsole(): void {
  const originals = {} as Record<Routed, ConsoleMethod>;
  const wrappers = {} as Record<Routed, ConsoleMethod>;
  for (const method of ROUTED) {
    const original = console[method] as ConsoleMethod;
    originals[method] = original;
    wrappers[method] = function routed(this: unknown, ...args: unknown[]): void {
      const sink = context.getStore();
      // For console.error, frame 0 is this wrapper and frame 1 its caller.
      if (sink && (method !== 'error' || madeByServices(new Error().stack, 1))) sink(format(...args));
      else original.apply(this, args);
    };
    console[method] = wrappers[method];
  }
  wrapped = { originals, wrappers };
}

function unwrapConsole(): void {
  if (!wrapped) return;
  for (const method of ROUTED) {
    // Someone replaced the method after us: leave theirs (ours, underneath, passes through).
    if (console[method] === wrapped.wrappers[method]) console[method] = wrapped.originals[method];
  }
  wrapped = undefined;
}

export function openServicesConsole(sink: ServicesLogSink): ServicesConsole {
  if (openScopes === 0) wrapConsole();
  openScopes += 1;
  let open = true;
  return {
    run: (work) => context.run(sink, work),
    close() {
      if (!open) return;
      open = false;
      openScopes -= 1;
      if (openScopes === 0) unwrapConsole();
    },
  };
}
