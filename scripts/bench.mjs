#!/usr/bin/env node
// Trains and runs the article's CNN on every tfjs backend available here, for a fixed number of
// samples, prints a table and writes build/bench.json. Where Debian's python3-torch is installed it
// also trains the same model in PyTorch with the same batch size and reports our best backend's
// training throughput as a fraction of PyTorch's.
//   node scripts/bench.mjs [--samples 8000] [--cpu-samples 192] [--batch-size 64] [--torch-threads n] [--no-torch]
// Throughputs depend on what else the machine runs: compare figures measured on an idle machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const lib = require(join(root, 'dist', 'src', 'index.js'));

function positiveInt(value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${value} is not a positive integer`);
  return n;
}

const options = new Command()
  .option('--samples <n>', 'training samples per backend (8000 = one epoch of the article split)', positiveInt, 8000)
  .option('--cpu-samples <n>', 'training samples on the pure-JS cpu backend (30x or more slower)', positiveInt, 192)
  .option('--infer-samples <n>', 'images to classify per backend (at most the 1,000 test images)', positiveInt, 1000)
  .option('--cpu-infer-samples <n>', 'images to classify on the cpu backend', positiveInt, 200)
  .option('--batch-size <n>', 'training batch size (article: 64)', positiveInt, 64)
  .option('--seed <n>', 'seed of the initial weights, the split and the shuffling', (v) => (v === '0' ? 0 : positiveInt(v)), 1)
  .option('--torch-threads <n>', 'threads PyTorch may use (default: every core)', positiveInt, cpus().length)
  .option('--no-torch', 'skip the PyTorch peer')
  .parse()
  .opts();

const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function writeAtomically(path, data) {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

/** Repeats the training split's indices until `samples` are covered (batches follow the seed). */
function trainingSplit(train, samples) {
  if (samples <= train.count) return lib.takeSplit(train, samples);
  const pixels = train.rows * train.cols;
  const images = new Float32Array(samples * pixels);
  const labels = new Uint8Array(samples);
  for (let i = 0; i < samples; i += 1) {
    images.set(train.images.subarray((i % train.count) * pixels, (i % train.count + 1) * pixels), i * pixels);
    labels[i] = train.labels[i % train.count];
  }
  return { ...train, images, labels, count: samples };
}

async function benchBackend(name, data) {
  let report;
  try {
    report = await lib.selectBackend({ backend: name });
  } catch (error) {
    const attempt = error.attempts?.find((a) => a.name === name);
    return { available: false, reason: attempt ? `${attempt.outcome}: ${attempt.reason}` : error.message };
  }
  const samples = name === 'cpu' ? options.cpuSamples : options.samples;
  const inferCount = Math.min(data.test.count, name === 'cpu' ? options.cpuInferSamples : options.inferSamples);
  const model = lib.createCnn({ seed: options.seed });
  try {
    const history = await lib.trainCnn(model, { train: trainingSplit(data.train, samples) }, {
      epochs: 1,
      batchSize: options.batchSize,
      seed: options.seed,
    });
    const inferSet = lib.takeSplit(data.test, inferCount);
    lib.predict(model, lib.takeSplit(data.test, 64)); // warm-up
    const started = performance.now();
    lib.predict(model, inferSet);
    const inferSeconds = (performance.now() - started) / 1000;
    const accuracy = lib.evaluate(model, data.test).accuracy;
    return {
      available: true,
      device: report.device,
      train_samples: samples,
      train_samples_per_s: history.samplesPerSecond,
      infer_samples: inferCount,
      infer_samples_per_s: inferCount / inferSeconds,
      test_accuracy: accuracy,
    };
  } finally {
    model.dispose();
  }
}

function torchAvailable() {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return probe.status === 0;
}

function benchTorch(data) {
  // The same normalised split, as raw arrays the Python script reads; removed afterwards.
  const dir = join(root, 'build', `bench-data-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  let result;
  try {
    for (const [name, split] of [['train', data.train], ['test', data.test]]) {
      writeFileSync(join(dir, `${name}-images.f32`), Buffer.from(split.images.buffer, split.images.byteOffset, split.images.byteLength));
      writeFileSync(join(dir, `${name}-labels.u8`), Buffer.from(split.labels));
    }
    result = spawnSync(
      SYSTEM_PYTHON,
      [
        join(root, 'scripts', 'bench_torch.py'),
        '--data', dir,
        '--train-count', String(data.train.count),
        '--test-count', String(data.test.count),
        '--samples', String(options.samples),
        '--batch-size', String(options.batchSize),
        '--seed', String(options.seed),
        '--threads', String(options.torchThreads),
      ],
      { encoding: 'utf8' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (result.status !== 0) throw new Error(`bench_torch.py failed: ${result.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

function fmt(n, digits = 0) {
  return n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const loadBefore = loadavg()[0];
const digits = await lib.loadDigits();
const data = lib.prepareDigits(digits, { seed: options.seed });
const backends = {};
const skipped = {};
for (const name of lib.BACKEND_ORDER) {
  const result = await benchBackend(name, data);
  if (result.available) {
    const { available, ...measured } = result;
    backends[name] = measured;
  } else {
    skipped[name] = result.reason;
  }
}
const peers = {};
if (!options.torch) skipped.pytorch = 'skipped (--no-torch)';
else if (!torchAvailable()) skipped.pytorch = "python3-torch is not installed (Debian: apt-get install python3-torch)";
else peers.pytorch = { ...benchTorch(data), device: `CPU (${options.torchThreads} of ${cpus().length} cores)` };

const best = Object.entries(backends).sort((a, b) => b[1].train_samples_per_s - a[1].train_samples_per_s)[0];
const ratio = best && peers.pytorch ? best[1].train_samples_per_s / peers.pytorch.train_samples_per_s : undefined;

const rows = [
  ['backend', 'train samples/s', 'infer samples/s', 'test accuracy', 'trained on'],
  ...Object.entries(backends).map(([name, r]) => [name, fmt(r.train_samples_per_s), fmt(r.infer_samples_per_s), fmt(r.test_accuracy, 3), `${fmt(r.train_samples)} samples`]),
  ...Object.entries(peers).map(([name, r]) => [`${name} ${r.version} (peer)`, fmt(r.train_samples_per_s), fmt(r.infer_samples_per_s), fmt(r.test_accuracy, 3), `${fmt(r.train_samples)} samples`]),
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
for (const [name, reason] of Object.entries(skipped)) console.log(`${name}: ${reason}`);
console.log(`load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`);
if (ratio !== undefined) console.log(`best backend (${best[0]}) trains at ${ratio.toFixed(2)}x PyTorch's samples/s on this machine`);

const out = {
  backends,
  peers,
  skipped,
  best_backend: best?.[0],
  ratio_to_pytorch: ratio,
  config: { samples: options.samples, cpu_samples: options.cpuSamples, batch_size: options.batchSize, seed: options.seed, model: 'article CNN' },
  machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, node: process.version, load_average_1m: { before: loadBefore, after: loadavg()[0] } },
  measured_at: new Date().toISOString(),
};
mkdirSync(join(root, 'build'), { recursive: true });
writeAtomically(join(root, 'build', 'bench.json'), JSON.stringify(out, null, 2) + '\n');
console.log('wrote build/bench.json');
