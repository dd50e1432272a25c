/**
 * The run's shared browser in a process of its own (render-service-main.ts), so that nothing of it
 * outlives the process that asked for it: playwright keeps its working folders in the launching
 * process's temp folder and removes them only when that process closes the browser, which a process
 * killed outright never does. The helper closes the browser, and removes them, as soon as its
 * standard input ends: when close() ends it, or when the process that started it dies by any means.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { firstLine } from '../errors';
import { compiledScript } from '../paths';
import { within } from '../wait';
import type { RenderService, RenderServiceStart } from './render-service';

/** Node starting, loading playwright and starting Chromium: seconds on a loaded machine. */
export const RENDER_SERVICE_START_TIMEOUT_MS = 60_000;
/** How long close() waits for the helper to close its browser before killing it. */
const CLOSE_GRACE_MS = 10_000;

/** Starts the helper and resolves with its browser's address, or why there is none. Never throws. */
export async function spawnRenderService(): Promise<RenderServiceStart> {
  const child = spawn(process.execPath, [compiledScript(__dirname, 'plot/render-service-main.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<Record<string, unknown>>((resolve) => child.once('error', (error) => resolve({ reason: `could not start the browser's process: ${firstLine(error)}` })));
  const lines = createInterface({ input: child.stdout! });
  const firstAnswer = new Promise<Record<string, unknown>>((resolve) => {
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        resolve({ reason: `the browser's process said ${JSON.stringify(line.slice(0, 200))}` });
      }
    });
    lines.once('close', () => resolve({ reason: "the browser's process ended before it said where its browser was" }));
  });
  const kill = async () => {
    child.stdin?.end();
    if ((await within(exited, CLOSE_GRACE_MS)).kind === 'timeout') child.kill('SIGKILL');
    await exited;
  };
  const answer = await within(Promise.race([firstAnswer, spawnFailed]), RENDER_SERVICE_START_TIMEOUT_MS);
  if (answer.kind === 'timeout' || typeof answer.value.endpoint !== 'string') {
    await kill();
    const reason = answer.kind === 'timeout' ? `the browser did not start within ${RENDER_SERVICE_START_TIMEOUT_MS / 1000} s` : String(answer.value.reason);
    return { kind: 'unavailable', reason };
  }
  lines.close();
  let closing: Promise<void> | undefined;
  const service: RenderService = {
    endpoint: answer.value.endpoint,
    pid: typeof answer.value.pid === 'number' ? answer.value.pid : undefined,
    close: () => (closing ??= kill()),
  };
  return { kind: 'ok', service };
}
