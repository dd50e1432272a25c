#!/usr/bin/env node
// `npm run bench`: alternating rounds of every contender, each in a fresh process, with medians and
// spreads, written to build/bench.json (atomically) and printed as a table. The format is described
// in docs/benchmark.md.
//
// Training contenders (same digits, split, seed, batch size; warm-up batches left out on every side):
//   each tfjs backend on one thread (scripts/bench-train.mjs), the data-parallel trainer on --threads
//   worker threads, and PyTorch on --threads threads where python3-torch is installed
//   (scripts/bench_torch.py). PyTorch's rate varies from process to process, so every round starts
//   every contender anew and the figures are medians over rounds.
// Also per round: kernel start to ready and a trivial cell's round trip (scripts/bench-kernel.mjs),
// the runner against nbclient on the same notebooks (scripts/bench-runner.mjs), the first chart of a
// fresh kernel when scripts/bench-chart.mjs exists (it must print one JSON line with
// `first_chart_s`), with --npm-start, the wall time of `npm start -- --no-cache` with and without the
// thread budget, and with --cache, `npm start` cold (`--no-cache`) against `npm start` on the unchanged
// tree (scripts/bench-cache.mjs).
//   node scripts/bench.mjs [--rounds 3] [--quick] [--out build/bench.json] [--no-torch] …  (--help)
// Throughputs depend on what else the machine runs: compare figures measured on an idle machine.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { writeTorchData } from './torch-data.mjs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { nbclientAvailable, RUNNER_FIXTURES, runnerRound } from './bench-runner.mjs';
import { cacheRound, cacheSummary } from './bench-cache.mjs';
import { systemPython } from './machine.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = createRequire(import.meta.url)(join(root, 'dist', 'src', 'index.js'));
const { writeFileAtomic } = createRequire(import.meta.url)(join(root, 'dist', 'src', 'atomic.js'));
const SYSTEM_PYTHON = systemPython();
/** The first-chart benchmark another module provides; used when present. */
const CHART_SCRIPT = join(root, 'scripts', 'bench-chart.mjs');
/** A contender process that runs longer than this has hung. */
const CHILD_TIMEOUT_MS = 30 * 60_000;
const BENCH_SCHEMA = 2;

function positiveInt(value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${value} is not a positive integer`);
  return n;
}

const program = new Command()
  .option('--rounds <n>', 'alternating rounds; every contender runs once per round in a fresh process', positiveInt, 3)
  .option('--samples <n>', 'measured training samples per contender and round (8000 = one epoch of the article split)', positiveInt, 8000)
  .option('--warmup-batches <n>', 'batches trained first and left out of the rate, on every side', positiveInt, 10)
  .option('--cpu-samples <n>', 'measured samples on the pure-JS cpu backend (30x or more slower)', positiveInt, 192)
  .option('--infer-samples <n>', 'test images classified per contender (at most 1,000)', positiveInt, 1000)
  .option('--batch-size <n>', 'training batch size (article: 64)', positiveInt, 64)
  .option('--seed <n>', 'seed of the initial weights, the split and the shuffling', (v) => (v === '0' ? 0 : positiveInt(v)), 1)
  .option('--threads <n>', 'threads of the data-parallel trainer and of PyTorch', positiveInt, availableParallelism())
  .option('--cells <n>', 'timed trivial cells per round', positiveInt, 50)
  .option('--skip <names>', 'comma-separated contenders to leave out (e.g. cpu)', (v) => v.split(',').map((x) => x.trim()).filter(Boolean), [])
  .option('--no-torch', 'skip the PyTorch peer')
  .option('--no-kernel', 'skip kernel start and cell round trips')
  .option('--no-runner', 'skip the runner against nbclient')
  .option('--no-chart', 'skip the first-chart benchmark (scripts/bench-chart.mjs)')
  .option('--npm-start', 'also time `npm start -- --no-cache` twice per round, with and without the thread budget (minutes each)')
  .option('--cache', 'also time `npm start` cold (--no-cache) and on the unchanged tree per round (minutes)')
  .option('--quick', 'smoke test of this script: 1 round, tiny sample counts (figures meaningless)')
  .option('--out <file>', 'where to write the JSON', join(root, 'build', 'bench.json'))
  .parse();
const options = program.opts();
if (options.quick) {
  const given = (name) => program.getOptionValueSource(name) === 'cli';
  if (!given('rounds')) options.rounds = 1;
  if (!given('samples')) options.samples = 64;
  if (!given('cpuSamples')) options.cpuSamples = 16;
  if (!given('inferSamples')) options.inferSamples = 64;
  if (!given('cells')) options.cells = 5;
  if (!given('batchSize')) options.batchSize = 16;
  if (!given('warmupBatches')) options.warmupBatches = 1;
}


/** Runs a child to completion and returns its last stdout line parsed as JSON. */
function childJson(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} exited with ${result.status ?? result.signal}: ${`${result.stderr}`.trim().split('\n').at(-1)}`);
  const line = result.stdout.trim().split('\n').at(-1);
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${what} printed no JSON line (last line: ${line?.slice(0, 200)})`);
  }
}

function torchAvailable() {
  return spawnSync(SYSTEM_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
}

const loadBefore = loadavg()[0];
const started = Date.now();

// --- contenders -------------------------------------------------------------------------------
const training = { contenders: {}, skipped: {}, errors: {} };
const contenders = [...lib.BACKEND_ORDER, 'wasm-parallel'];
let torchDir;
for (const name of options.skip) training.skipped[name] = 'skipped (--skip)';
if (!options.torch) training.skipped.pytorch = 'skipped (--no-torch)';
else if (!torchAvailable()) training.skipped.pytorch = 'python3-torch is not installed (Debian: apt-get install python3-torch)';
else contenders.push('pytorch');

async function prepareTorchData() {
  const data = lib.prepareDigits(await lib.loadDigits(), { seed: options.seed });
  torchDir = writeTorchData('bench-torch-', { train: data.train, test: data.test });
  return data;
}

function runContender(name) {
  const samples = name === 'cpu' ? options.cpuSamples : options.samples;
  const infer = name === 'cpu' ? Math.min(200, options.inferSamples) : options.inferSamples;
  if (name === 'pytorch') {
    const r = childJson(SYSTEM_PYTHON, [
      join(root, 'scripts', 'bench_torch.py'),
      '--data', torchDir, '--train-count', String(torchCounts.train), '--test-count', String(torchCounts.test),
      '--samples', String(samples), '--warmup-steps', String(options.warmupBatches), '--batch-size', String(options.batchSize),
      '--seed', String(options.seed), '--threads', String(options.threads),
    ], 'bench_torch.py');
    return { available: true, ...r, device: `CPU (PyTorch ${r.version}, ${r.threads} threads)` };
  }
  return childJson(process.execPath, [
    join(root, 'scripts', 'bench-train.mjs'),
    '--contender', name, '--samples', String(samples), '--warmup-batches', String(options.warmupBatches),
    '--batch-size', String(options.batchSize), '--seed', String(options.seed), '--threads', String(options.threads),
    '--infer-samples', String(infer),
  ], `bench-train.mjs --contender ${name}`);
}

let torchCounts;
if (contenders.includes('pytorch')) {
  const data = await prepareTorchData();
  torchCounts = { train: data.train.count, test: data.test.count };
}

const perRound = {};
const kernelRounds = [];
const runnerRounds = [];
const chartRounds = [];
const npmStartRounds = [];
const cacheRounds = [];
const coreRounds = [];
const CORES_SCRIPT = join(root, 'scripts', 'bench-cores.mjs');
const extras = { kernel: undefined, runner: undefined, chart: undefined, npmStart: undefined, cores: undefined };
const hasNbclient = options.runner ? nbclientAvailable() : false;
const hasChart = options.chart && existsSync(CHART_SCRIPT);

try {
  for (let round = 1; round <= options.rounds; round += 1) {
    // Rotate the order so no contender always runs first (or right after the heaviest one).
    const active = contenders.filter((c) => !(c in training.skipped));
    const shift = (round - 1) % Math.max(1, active.length);
    for (const name of [...active.slice(shift), ...active.slice(0, shift)]) {
      let r;
      try {
        r = runContender(name);
      } catch (error) {
        (training.errors[name] ??= []).push(`round ${round}: ${error.message}`);
        continue;
      }
      if (!r.available) {
        training.skipped[name] = r.reason;
        continue;
      }
      (perRound[name] ??= []).push(r);
      console.error(`round ${round}/${options.rounds}: ${name} ${Math.round(r.train_samples_per_s)} samples/s`);
    }
    try {
      // How much the cores do at once, measured beside the contenders: threads cannot beat it.
      coreRounds.push(childJson(process.execPath, [CORES_SCRIPT, '--threads', String(options.threads), ...(options.quick ? ['--iterations', '10000000'] : [])], 'bench-cores.mjs'));
    } catch (error) {
      extras.cores = `round ${round}: ${error.message}`;
    }
    if (options.kernel) {
      try {
        kernelRounds.push(childJson(process.execPath, [join(root, 'scripts', 'bench-kernel.mjs'), '--cells', String(options.cells)], 'bench-kernel.mjs'));
      } catch (error) {
        extras.kernel = `round ${round}: ${error.message}`;
      }
    }
    if (options.runner) {
      try {
        runnerRounds.push(runnerRound(RUNNER_FIXTURES.slice(0, options.quick ? 1 : undefined), hasNbclient));
      } catch (error) {
        extras.runner = `round ${round}: ${error.message}`;
      }
    }
    if (hasChart) {
      try {
        chartRounds.push(childJson(process.execPath, [CHART_SCRIPT, '--json', ...(options.quick ? ['--quick'] : [])], 'bench-chart.mjs'));
      } catch (error) {
        extras.chart = `round ${round}: ${error.message}`;
      }
    }
    if (options.npmStart) {
      // With the thread budget (the default) and without it, the first of the two alternating by round.
      const sides = round % 2 === 1 ? ['budget', 'no_budget'] : ['no_budget', 'budget'];
      const record = { round };
      for (const side of sides) {
        const t = Date.now();
        const extra = ['--', '--no-cache', ...(side === 'budget' ? [] : ['--no-thread-budget'])];
        const result = spawnSync('npm', ['start', '--silent', ...extra], { cwd: root, stdio: 'ignore', timeout: CHILD_TIMEOUT_MS });
        record[side] = { seconds: (Date.now() - t) / 1000, exit_code: result.status };
        console.error(`round ${round}/${options.rounds}: npm start ${side === 'budget' ? 'with' : 'without'} the thread budget ${record[side].seconds.toFixed(1)} s (exit ${result.status})`);
      }
      npmStartRounds.push(record);
    }
    if (options.cache) {
      try {
        const r = cacheRound();
        cacheRounds.push(r);
        console.error(`round ${round}/${options.rounds}: npm start cold ${r.cold.seconds.toFixed(1)} s, unchanged ${r.warm.seconds.toFixed(1)} s`);
      } catch (error) {
        extras.cache = `round ${round}: ${error.message}`;
      }
    }
  }
} finally {
  if (torchDir) rmSync(torchDir, { recursive: true, force: true });
}

// --- summary ----------------------------------------------------------------------------------
const spread = (xs) => lib.spreadOf(xs.filter((x) => typeof x === 'number' && Number.isFinite(x)));
for (const [name, rounds] of Object.entries(perRound)) {
  const last = rounds.at(-1);
  training.contenders[name] = {
    device: last.device,
    threads: last.threads,
    // tfjs contenders: 'fused' (the article network's hand-written gradient pass) or 'tfjs' (automatic differentiation).
    ...(last.gradient ? { gradient: last.gradient } : {}),
    rounds: rounds.map((r) => r.train_samples_per_s),
    train_samples_per_s: spread(rounds.map((r) => r.train_samples_per_s)),
    infer_samples_per_s: spread(rounds.map((r) => r.infer_samples_per_s)),
    test_accuracy: spread(rounds.map((r) => r.test_accuracy)),
    measured_samples: last.measured_samples,
  };
}
const torchMedian = training.contenders.pytorch?.train_samples_per_s.median;
training.ratio_to_pytorch = {};
for (const [name, c] of Object.entries(training.contenders)) {
  if (name !== 'pytorch' && torchMedian) training.ratio_to_pytorch[name] = c.train_samples_per_s.median / torchMedian;
}
const tfjs = Object.entries(training.contenders).filter(([name]) => name !== 'pytorch');
training.best = tfjs.sort((a, b) => b[1].train_samples_per_s.median - a[1].train_samples_per_s.median)[0]?.[0];

const kernel = !options.kernel
  ? { skipped: 'skipped (--no-kernel)' }
  : {
      rounds: kernelRounds.length,
      start_to_ready_s: spread(kernelRounds.map((r) => r.start_to_ready_s)),
      cell_round_trip_ms: (() => {
        const all = kernelRounds.flatMap((r) => r.cell_round_trip_ms);
        return { n: all.length, p50: lib.quantile(all, 0.5), p95: lib.quantile(all, 0.95), p50_per_round: kernelRounds.map((r) => lib.median(r.cell_round_trip_ms)) };
      })(),
      ...(extras.kernel ? { error: extras.kernel } : {}),
    };
const runner = !options.runner
  ? { skipped: 'skipped (--no-runner)' }
  : {
      notebooks: RUNNER_FIXTURES.slice(0, options.quick ? 1 : undefined).map((p) => p.slice(root.length + 1)),
      runner_s: spread(runnerRounds.map((r) => r.runner)),
      nbclient_s: hasNbclient ? spread(runnerRounds.map((r) => r.nbclient)) : undefined,
      ratio: hasNbclient ? lib.median(runnerRounds.map((r) => r.runner)) / lib.median(runnerRounds.map((r) => r.nbclient)) : undefined,
      ...(hasNbclient ? {} : { nbclient_skipped: 'nbclient (jupyter execute) is not installed' }),
      ...(extras.runner ? { error: extras.runner } : {}),
    };
const firstChart = !hasChart
  ? { skipped: options.chart ? 'scripts/bench-chart.mjs is not present' : 'skipped (--no-chart)' }
  : { first_chart_s: spread(chartRounds.map((r) => r.first_chart_s)), rounds: chartRounds, ...(extras.chart ? { error: extras.chart } : {}) };
const npmStart = !options.npmStart
  ? { skipped: 'pass --npm-start (runs every notebook twice per round)' }
  : (() => {
      const side = (name) => ({ seconds: spread(npmStartRounds.map((r) => r[name].seconds)), exit_codes: npmStartRounds.map((r) => r[name].exit_code) });
      const budget = side('budget');
      const noBudget = side('no_budget');
      return { budget, no_budget: noBudget, ratio: budget.seconds.median / noBudget.seconds.median, rounds: npmStartRounds };
    })();

const cache = !options.cache
  ? { skipped: 'pass --cache (runs every notebook once per round)' }
  : cacheRounds.length
    ? { ...cacheSummary(cacheRounds, lib), ...(extras.cache ? { error: extras.cache } : {}) }
    : { error: extras.cache ?? 'not measured' };

const out = {
  schema: BENCH_SCHEMA,
  measured_at: new Date().toISOString(),
  quick: Boolean(options.quick),
  rounds: options.rounds,
  config: {
    model: 'article CNN (Conv2D 32 3x3, MaxPool 2x2, Dense 64, Dense 10; Adam 0.001)',
    data: `the mnist package's 10,000 digits, 8,000-image training split, seed ${options.seed}`,
    batch_size: options.batchSize,
    warmup_batches: options.warmupBatches,
    measured_samples: options.samples,
    cpu_measured_samples: options.cpuSamples,
    threads: options.threads,
    seed: options.seed,
  },
  machine: {
    cpus: cpus().length,
    available_parallelism: availableParallelism(),
    cpu_model: cpus()[0]?.model,
    node: process.version,
    load_average_1m: { before: loadBefore, after: loadavg()[0] },
    core_scaling: coreRounds.length
      ? { threads: options.threads, scaling: spread(coreRounds.map((r) => r.scaling)), rounds: coreRounds.map(({ alone_s, together_s, scaling }) => ({ alone_s, together_s, scaling })) }
      : { error: extras.cores ?? 'not measured' },
  },
  seconds: (Date.now() - started) / 1000,
  training,
  kernel,
  runner_vs_nbclient: runner,
  first_chart: firstChart,
  npm_start: npmStart,
  cache,
};
writeFileAtomic(resolve(options.out), `${JSON.stringify(out, null, 2)}\n`);

// --- table ------------------------------------------------------------------------------------
const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const range = (s, digits = 0) => (s.n ? `${fmt(s.min, digits)}–${fmt(s.max, digits)}` : '-');
const rows = [
  ['contender', 'threads', 'gradient', 'train samples/s (median)', 'min–max', 'x PyTorch', 'infer samples/s', 'test acc'],
  ...Object.entries(training.contenders).map(([name, c]) => [
    name, String(c.threads), c.gradient ?? (name === 'pytorch' ? 'autograd' : '-'), fmt(c.train_samples_per_s.median), range(c.train_samples_per_s),
    name === 'pytorch' ? '1.00' : fmt(training.ratio_to_pytorch[name], 2), fmt(c.infer_samples_per_s.median), fmt(c.test_accuracy.median, 3),
  ]),
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
for (const [name, reason] of Object.entries(training.skipped)) console.log(`${name}: ${reason}`);
for (const [name, errors] of Object.entries(training.errors)) console.log(`${name}: ${errors.join('; ')}`);
const cores = out.machine.core_scaling;
if (cores.scaling) console.log(`the cores at once: ${cores.threads} threads of a plain integer loop do ${fmt(cores.scaling.median, 2)}x the work of one (${range(cores.scaling, 2)}); threads cannot train faster than that`);
console.log(`batch ${options.batchSize}, ${fmt(options.samples)} measured samples after ${options.warmupBatches} warm-up batches, ${options.rounds} alternating round(s), fresh process per run`);
console.log('');
if (kernel.start_to_ready_s) console.log(`kernel start to ready: median ${fmt(kernel.start_to_ready_s.median, 2)} s (${range(kernel.start_to_ready_s, 2)})`);
if (kernel.cell_round_trip_ms) console.log(`trivial cell round trip: p50 ${fmt(kernel.cell_round_trip_ms.p50, 1)} ms, p95 ${fmt(kernel.cell_round_trip_ms.p95, 1)} ms (${kernel.cell_round_trip_ms.n} cells)`);
if (runner.runner_s) console.log(`runner: median ${fmt(runner.runner_s.median, 2)} s (${range(runner.runner_s, 2)})${runner.nbclient_s ? `; nbclient ${fmt(runner.nbclient_s.median, 2)} s (${range(runner.nbclient_s, 2)}); ratio ${fmt(runner.ratio, 2)}` : ''}`);
console.log(`first chart in a fresh kernel: ${firstChart.first_chart_s ? `median ${fmt(firstChart.first_chart_s.median, 2)} s (${range(firstChart.first_chart_s, 2)})` : firstChart.skipped}`);
console.log(
  `npm start: ${npmStart.budget
    ? `with the thread budget median ${fmt(npmStart.budget.seconds.median, 1)} s (${range(npmStart.budget.seconds, 1)}), without ${fmt(npmStart.no_budget.seconds.median, 1)} s (${range(npmStart.no_budget.seconds, 1)}); ratio ${fmt(npmStart.ratio, 2)}`
    : npmStart.skipped}`,
);
if (cache.cold) {
  console.log(`npm start, cold (--no-cache): median ${fmt(cache.cold.seconds.median, 1)} s (${range(cache.cold.seconds, 1)}); unchanged tree: median ${fmt(cache.warm.seconds.median, 2)} s (${range(cache.warm.seconds, 2)}); ratio ${fmt(cache.ratio_warm_to_cold, 3)}`);
} else console.log(`npm start with the cache: ${cache.skipped ?? cache.error}`);
for (const [what, error] of Object.entries(extras)) if (error) console.log(`${what}: ${error}`);
console.log(`load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`);
console.log(`wrote ${resolve(options.out).startsWith(root) ? resolve(options.out).slice(root.length + 1) : resolve(options.out)}`);
