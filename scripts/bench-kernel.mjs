#!/usr/bin/env node
// One round of the kernel figures of `npm run bench`, in a fresh process: starts a private Jupyter
// Server (the runner's own startServer), times a new project kernel from the session request to
// its kernel_info reply, then times `--cells` executions of a trivial cell (request to
// execute_reply, store_history off). Prints one JSON line; stops kernel and server in any case.
//   node scripts/bench-kernel.mjs --cells N
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startServer } = require(join(root, 'dist', 'src', 'runner', 'server.js'));
const { serverSettings, startKernelSession, withServicesRejectionsHandled } = require(join(root, 'dist', 'src', 'runner', 'session.js'));
const { KERNEL_NAME } = require(join(root, 'dist', 'kernel', 'kernelspec.js'));

const values = new Command('bench-kernel')
  .description('round trips of cells through the project kernel')
  .option('--cells <n>', 'cells timed', '50')
  .parse()
  .opts();
const cells = Number(values.cells);
if (!Number.isInteger(cells) || cells < 1) throw new Error(`bench-kernel: --cells ${values.cells} is not a positive integer`);
/** Cells run once, untimed, before the round trips are timed (the first compiles the executor). */
const WARM_UP_CELLS = 3;

const dir = mkdtempSync(join(tmpdir(), 'bench-kernel-'));
let server;
let session;
try {
  const result = await withServicesRejectionsHandled(async () => {
    server = await startServer({ rootDir: dir });
    const settings = serverSettings(server);
    const started = performance.now();
    session = await startKernelSession(settings, { path: 'bench.ipynb', name: 'bench.ipynb', kernelName: KERNEL_NAME });
    const startToReady = (performance.now() - started) / 1000;
    const roundTrips = [];
    for (let i = 0; i < WARM_UP_CELLS + cells; i += 1) {
      const t = performance.now();
      const reply = await session.kernel.requestExecute({ code: '1 + 1', store_history: false }).done;
      if (reply.content.status !== 'ok') throw new Error(`the trivial cell failed: ${JSON.stringify(reply.content).slice(0, 200)}`);
      if (i >= WARM_UP_CELLS) roundTrips.push(performance.now() - t);
    }
    return { start_to_ready_s: startToReady, cell_round_trip_ms: roundTrips };
  });
  console.log(JSON.stringify(result));
} finally {
  await session?.shutdown().catch((error) => console.error(`bench-kernel: kernel shutdown: ${error.message}`));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
