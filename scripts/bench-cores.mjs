#!/usr/bin/env node
// One round of `npm run bench`'s core check: how much work the machine's cores do at once. A fixed
// integer loop (no memory traffic) runs on one worker thread, then on --threads workers at the same
// time; `scaling` is threads × (time alone) / (time together): about `threads` on independent cores,
// about 1 where the cores share one core's capacity. Prints one JSON line.
//   node scripts/bench-cores.mjs --threads N [--iterations N]
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

function spin(iterations) {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < iterations; i += 1) x = (x + i * 7) % 1000003;
  return { seconds: (performance.now() - started) / 1000, x };
}

if (!isMainThread) {
  parentPort.postMessage(spin(workerData.iterations));
} else {
  const values = new Command('bench-cores')
    .description('how much the cores do at once: the same loop on N threads against one')
    .requiredOption('--threads <n>', 'threads')
    .option('--iterations <n>', 'loop iterations per thread', '100000000')
    .parse()
    .opts();
  const threads = Number(values.threads);
  const iterations = Number(values.iterations);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`bench-cores: --threads ${values.threads} is not a positive integer`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`bench-cores: --iterations ${values.iterations} is not a positive integer`);
  const run = (n) =>
    Promise.all(
      Array.from({ length: n }, () => {
        const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { iterations } });
        return new Promise((resolve, reject) => {
          worker.once('message', (m) => resolve(m.seconds));
          worker.once('error', reject);
        }).finally(() => worker.terminate());
      }),
    );
  const [alone] = await run(1);
  const together = Math.max(...(await run(threads)));
  console.log(JSON.stringify({ threads, iterations, alone_s: alone, together_s: together, scaling: (threads * alone) / together }));
}
