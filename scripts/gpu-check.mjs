#!/usr/bin/env node
// The GPU check (run through scripts/gpu-check.sh), for a machine with a GPU and no internet:
//   1. asks Dawn (npm `webgpu`) for the WebGPU adapter; without a hardware one it says why in one line
//      and exits with 2;
//   2. runs notebook 05 with its defaults on the webgpu backend, then on wasm, through the project's
//      runner (TFJS_BACKEND set for the kernel), and reads the training samples/s from each summary;
//   3. where python3-torch sees CUDA, trains the same CNN in PyTorch on the same GPU and the same split
//      (scripts/bench_torch.py --device cuda) for as many samples;
//   4. prints a table and writes build/gpu-check.json.
// Each step has a share of an 8-minute budget; a step that fails or runs out is recorded, not hidden.
// Exit codes: 0 measured, 1 a step failed, 2 no hardware adapter.
// --output FILE writes the JSON there instead of build/gpu-check.json.
// --allow-software runs the same steps on a software adapter (SwiftShader): a check of this script
// itself, in which the webgpu notebook runs out of its deadline.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { systemPython } from './machine.mjs';
import { writeTorchData } from './torch-data.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const lib = require(join(root, 'dist', 'src', 'index.js'));
const { writeFileAtomic } = require(join(root, 'dist', 'src', 'atomic.js'));
const { runNotebooks } = require(join(root, 'dist', 'src', 'runner', 'index.js'));
const { failureSummary } = require(join(root, 'dist', 'src', 'runner', 'failures.js'));

const BUDGET_SECONDS = 8 * 60 - 20;
/** Deadline of the webgpu notebook run (from its kernel ready); wasm gets what is left but PyTorch's share. */
const WEBGPU_NOTEBOOK_SECONDS = 200;
const TORCH_SECONDS = 60;
/** Around each notebook run and outside its deadline: the server and kernel start, the shutdown (about 40 s measured). */
const NOTEBOOK_OVERHEAD_SECONDS = 60;
const NOTEBOOK = join(root, 'notebooks', '05-project-practice.ipynb');
const OUT_DIR = join(root, 'build', 'gpu-check');
const options = new Command('gpu-check')
  .description('the GPU route checked on this machine (run through scripts/gpu-check.sh)')
  .option('--output <file>', 'write the JSON there', join(root, 'build', 'gpu-check.json'))
  .option('--allow-software', 'run the steps on a software adapter (SwiftShader) anyway: a check of this script')
  .parse()
  .opts();
const RESULT = resolve(options.output);
const SYSTEM_PYTHON = systemPython();
const started = Date.now();

function secondsLeft() {
  return BUDGET_SECONDS - (Date.now() - started) / 1000;
}

function writeResult(result) {
  writeFileAtomic(RESULT, `${JSON.stringify({ ...result, seconds: (Date.now() - started) / 1000, measured_at: new Date().toISOString() }, null, 2)}\n`);
}

/** The notebook's JSON summary (its `application/json` display), or undefined. */
function summaryOf(notebookPath) {
  const notebook = JSON.parse(readFileSync(notebookPath, 'utf8'));
  for (const cell of notebook.cells) {
    for (const output of cell.outputs ?? []) {
      const data = output.data?.['application/json'];
      if (data && typeof data === 'object' && 'trainSamplesPerSecond' in data) return data;
    }
  }
  return undefined;
}

async function runNotebook05(backend, seconds) {
  if (seconds < 30) return { ok: false, reason: 'skipped: the 8-minute budget is spent' };
  const previous = process.env.TFJS_BACKEND;
  process.env.TFJS_BACKEND = backend; // the private Jupyter server and its kernel inherit it
  let report;
  try {
    report = await runNotebooks({
      notebooks: [NOTEBOOK],
      outputDir: join(OUT_DIR, backend),
      html: false,
      jobs: 1,
      notebookTimeout: seconds,
      parameters: { modelDir: `models/gpu-check-${backend}` },
    });
  } finally {
    if (previous === undefined) delete process.env.TFJS_BACKEND;
    else process.env.TFJS_BACKEND = previous;
  }
  const run = report.notebooks[0];
  if (run.status !== 'passed') {
    const failure = run.failingCell ? `at code cell ${run.failingCell.codeCellNumber}: ${failureSummary(run.failingCell.failure)}` : run.message ?? '';
    return { ok: false, reason: `notebook 05 ${run.status} on ${backend} after ${run.seconds.toFixed(0)} s ${failure}`.trim() };
  }
  const summary = run.outputNotebook ? summaryOf(run.outputNotebook) : undefined;
  if (!summary) return { ok: false, reason: `notebook 05 ran on ${backend} but shows no summary` };
  if (summary.backend !== backend) return { ok: false, reason: `notebook 05 ran on ${summary.backend}, not ${backend}` };
  return {
    ok: true,
    device: summary.device,
    train_samples_per_s: summary.trainSamplesPerSecond,
    train_samples: summary.trainImages * summary.epochs,
    test_accuracy: summary.testAccuracy,
    notebook_seconds: run.seconds,
  };
}

function cudaTorch() {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) return { ok: false, reason: 'python3-torch is not installed' };
  if (probe.stdout.trim() !== 'True') return { ok: false, reason: 'python3-torch is installed but sees no CUDA GPU (Debian builds it for the CPU only)' };
  return { ok: true };
}

/** The article's CNN in PyTorch on the GPU, on notebook 05's default split, for as many samples. */
async function torchOnGpu(samples) {
  const seconds = Math.min(TORCH_SECONDS, secondsLeft());
  if (seconds < 10) return { ok: false, reason: 'skipped: the 8-minute budget is spent' };
  const data = lib.prepareDigits(await lib.loadDigits(), { split: { train: 8000, validation: 1000, test: 1000 }, seed: 0 });
  const dir = writeTorchData('gpu-check-', { train: data.train, test: data.test });
  try {
    const args = [join(root, 'scripts', 'bench_torch.py'), '--data', dir, '--train-count', String(data.train.count), '--test-count', String(data.test.count)];
    args.push('--samples', String(samples), '--batch-size', '64', '--seed', '0', '--device', 'cuda');
    const result = spawnSync(SYSTEM_PYTHON, args, { encoding: 'utf8', timeout: seconds * 1000 });
    if (result.error) return { ok: false, reason: `bench_torch.py: ${result.error.message}` };
    if (result.status !== 0) return { ok: false, reason: `bench_torch.py failed: ${result.stderr.trim().split('\n').at(-1)}` };
    return { ok: true, ...JSON.parse(result.stdout.trim().split('\n').at(-1)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Probes in a child process: Dawn writes why it refused a driver to stderr natively, and the first
 * line of each such warning belongs in the one-line reason.
 */
function probeAdapter() {
  const script = `require(${JSON.stringify(join(root, 'dist', 'src', 'index.js'))}).probeWebGpu().then((p) => console.log(JSON.stringify({ ...p, adapter: undefined })))`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  const dawnSays = child.stderr
    .split('\n')
    .filter((line) => line.startsWith('Warning: '))
    .map((line) => line.slice('Warning: '.length).trim());
  const said = dawnSays.length > 0 ? ` (Dawn: ${[...new Set(dawnSays)].join('; ')})` : '';
  if (child.status !== 0) return { kind: 'no adapter', reason: `the probe failed: ${child.error?.message ?? child.stderr.trim().split('\n').at(-1)}${said}` };
  const probe = JSON.parse(child.stdout.trim().split('\n').at(-1));
  return probe.kind === 'adapter' ? probe : { ...probe, reason: `${probe.reason}${said}` };
}

process.env.XDG_RUNTIME_DIR ??= tmpdir();
const probe = probeAdapter();
const allowSoftware = options.allowSoftware === true;
if (probe.kind !== 'adapter' || (probe.software !== undefined && !allowSoftware)) {
  const reason = probe.kind === 'adapter' ? `the only adapter is ${lib.describeAdapter(probe.info)}, a software renderer (${probe.software})` : probe.reason;
  writeResult({ hardware_adapter: false, reason });
  console.log(`gpu-check: no hardware adapter: ${reason}`);
  process.exit(2);
}

const adapter = { ...probe.info, description_line: lib.describeAdapter(probe.info), software: probe.software };
console.log(`gpu-check: WebGPU adapter ${adapter.description_line}`);
const torch = cudaTorch();
const results = {};
for (const backend of ['webgpu', 'wasm']) {
  const left = secondsLeft() - NOTEBOOK_OVERHEAD_SECONDS - (torch.ok ? TORCH_SECONDS : 0);
  const seconds = Math.floor(backend === 'webgpu' ? Math.min(WEBGPU_NOTEBOOK_SECONDS, left) : left);
  if (seconds < 30) {
    results[backend] = { ok: false, reason: 'skipped: the 8-minute budget is spent' };
    continue;
  }
  console.log(`gpu-check: notebook 05 with its defaults on ${backend} (deadline ${Math.round(seconds)} s) …`);
  results[backend] = await runNotebook05(backend, seconds);
}
const samples = results.webgpu.ok ? results.webgpu.train_samples : 80_000;
results.pytorch = torch.ok ? await torchOnGpu(samples) : torch;

const rate = (r) => (r.ok ? r.train_samples_per_s : undefined);
const fmt = (n) => (n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const rows = [['run', 'train samples/s', 'device or reason']];
for (const [name, r] of Object.entries(results)) rows.push([name, fmt(rate(r)), r.ok ? String(r.device ?? '') : r.reason]);
const widths = [0, 1].map((c) => Math.max(...rows.map((row) => row[c].length)));
for (const row of rows) console.log(`${row[0].padEnd(widths[0])}  ${row[1].padStart(widths[1])}  ${row[2]}`);
const ratios = {
  webgpu_over_wasm: rate(results.webgpu) && rate(results.wasm) ? rate(results.webgpu) / rate(results.wasm) : undefined,
  webgpu_over_pytorch: rate(results.webgpu) && rate(results.pytorch) ? rate(results.webgpu) / rate(results.pytorch) : undefined,
};
for (const [name, value] of Object.entries(ratios)) if (value !== undefined) console.log(`${name.replace(/_/g, ' ')}: ${value.toFixed(2)}x`);
writeResult({ hardware_adapter: true, adapter, runs: results, ratios });
console.log(`gpu-check: wrote ${RESULT}`);
process.exit(results.webgpu.ok && results.wasm.ok ? 0 : 1);
