#!/usr/bin/env node
// Benchmark: how long a reader waits for the first chart of a session. For each round a fresh
// project kernel is started on a private Jupyter Server; a first cell imports the library, then a
// chart cell runs `await lineChart(…).show()` and a second chart cell follows. Times are taken on the
// client, from sending the execute request to the first iopub message carrying the chart (plotly
// JSON), to the cell's idle status, and to the message that carries its PNG (an update_display_data
// after the cell ended: the requests are sent as JupyterLab sends them, input allowed). Prints one JSON object (medians, min/max, each round) and writes it to
// build/bench-chart.json.
// Usage: npm run bench:chart [-- --rounds N]. With --json (as `npm run bench` calls it, once per round)
// it prints the summary on one line with `first_chart_s` at the top; --quick means one round.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startServer } = require(join(root, 'dist', 'src', 'runner', 'server.js'));
const { serverSettings, startKernelSession, withServicesRejectionsHandled } = require(join(root, 'dist', 'src', 'runner', 'session.js'));
const stats = require(join(root, 'dist', 'src', 'stats', 'summary.js'));

const options = new Command('bench-chart')
  .description('the first chart in fresh kernels through a real Jupyter Server')
  .option('--rounds <n>', 'fresh kernels measured (default: 3; 1 with --quick or --json)')
  .option('--quick', 'one round')
  .option('--json', 'print one JSON line (as npm run bench reads it); one round unless --rounds')
  .parse()
  .opts();
const asJsonLine = options.json === true;
const rounds = options.rounds !== undefined ? Number(options.rounds) : options.quick || asJsonLine ? 1 : 3;
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('bench-chart: --rounds takes a whole number ≥ 1');
  process.exit(2);
}
/** A chart cell that takes longer than this is reported as failed rather than waited for. */
const CELL_TIMEOUT_MS = 120_000;
const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

const IMPORT_CELL = "import { lineChart } from 'llm-price-lab/plot';";
const chartCell = (title) => `await lineChart({
  title: ${JSON.stringify(title)},
  x: { title: 'Epoch' },
  y: { title: 'Loss', unit: 'cross-entropy' },
  series: [{ name: 'train', x: [1, 2, 3, 4, 5], y: [0.62, 0.31, 0.22, 0.17, 0.14] }],
}).show();`;

/**
 * Runs `code` as JupyterLab sends it (input allowed, so the kernel ends the cell before a chart's
 * image is drawn), resolving with seconds from the request to the first chart, the cell's idle status
 * and the image (which comes after it; awaited when `image` is true).
 */
function timeCell(kernel, code, image = false) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - started) / 1e9;
    const times = { chart_s: null, image_s: null, idle_s: null };
    const future = kernel.requestExecute({ code, silent: false, store_history: true, allow_stdin: true, stop_on_error: true });
    let reply;
    const finish = () => {
      if (!reply || (image && times.image_s === null)) return;
      clearTimeout(timer);
      kernel.iopubMessage.disconnect(onIopub);
      if (reply.content.status !== 'ok') reject(new Error(`cell failed (${reply.content.status}): ${reply.content.evalue ?? ''}`));
      else resolvePromise(times);
    };
    const requestId = future.msg.header.msg_id;
    const timer = setTimeout(() => reject(new Error(`cell did not finish within ${CELL_TIMEOUT_MS / 1000} s: ${code.split('\n')[0]}`)), CELL_TIMEOUT_MS);
    // The iopub signal of the connection sees updates too (a future only sees its own display ids).
    const onIopub = (_, msg) => {
      if (msg.parent_header?.msg_id !== requestId) return;
      const type = msg.header.msg_type;
      if (type === 'display_data' || type === 'update_display_data' || type === 'execute_result') {
        const data = msg.content.data ?? {};
        if (data[PLOTLY_MIME] !== undefined) times.chart_s ??= since();
        if (data['image/png'] !== undefined) times.image_s ??= since();
      }
      finish();
    };
    kernel.iopubMessage.connect(onIopub);
    future.done.then(
      (answered) => {
        times.idle_s = since();
        reply = answered;
        finish();
      },
      (error) => {
        clearTimeout(timer);
        kernel.iopubMessage.disconnect(onIopub);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

// A figure a round could not measure is null: the median is over the rounds that measured it.
const median = (xs) => {
  const measured = xs.filter((x) => x !== null);
  return measured.length ? stats.median(measured) : null;
};
const round3 = (x) => (x === null ? null : Math.round(x * 1000) / 1000);

async function main() {
  const server = await startServer({ rootDir: root });
  const results = [];
  try {
    const settings = serverSettings(server);
    for (let round = 1; round <= rounds; round += 1) {
      const requested = process.hrtime.bigint();
      const session = await startKernelSession(settings, { path: `notebooks/bench-chart-${round}.ipynb`, name: 'bench-chart', kernelName: 'llm-price-lab' });
      try {
        const kernelReadyS = Number(process.hrtime.bigint() - requested) / 1e9;
        const imported = await timeCell(session.kernel, IMPORT_CELL);
        const first = await timeCell(session.kernel, chartCell('First chart'), true);
        const later = await timeCell(session.kernel, chartCell('Second chart'), true);
        const result = {
          kernel_ready_s: kernelReadyS,
          import_cell_s: imported.idle_s,
          first_chart_s: first.chart_s,
          first_image_s: first.image_s,
          first_cell_s: first.idle_s,
          later_chart_s: later.chart_s,
          later_image_s: later.image_s,
          later_cell_s: later.idle_s,
        };
        results.push(result);
        console.error(`round ${round}/${rounds}: ${Object.entries(result).map(([k, v]) => `${k} ${v === null ? '-' : v.toFixed(2)}`).join(', ')}`);
      } finally {
        await session.shutdown();
      }
    }
  } finally {
    await server.stop();
  }
  const keys = Object.keys(results[0]);
  const summary = {
    benchmark: 'first chart in a fresh kernel',
    rounds,
    cores: (await import('node:os')).availableParallelism(),
    loadavg_1min: round3((await import('node:os')).loadavg()[0]),
    median: Object.fromEntries(keys.map((k) => [k, round3(median(results.map((r) => r[k])))])),
    min: Object.fromEntries(keys.map((k) => [k, round3(Math.min(...results.map((r) => r[k] ?? Infinity)))])),
    max: Object.fromEntries(keys.map((k) => [k, round3(Math.max(...results.map((r) => r[k] ?? -Infinity)))])),
    runs: results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round3(v)]))),
  };
  const out = join(root, 'build', 'bench-chart.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  if (asJsonLine) console.log(JSON.stringify({ first_chart_s: summary.median.first_chart_s, ...summary }));
  else console.log(JSON.stringify(summary, null, 2));
}

withServicesRejectionsHandled(main).catch((error) => {
  console.error(`bench-chart: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
