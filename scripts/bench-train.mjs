#!/usr/bin/env node
// One contender of `npm run bench`, in its own fresh process: trains the article's CNN for
// warm-up + measured batches on one tfjs backend (or the data-parallel trainer), then classifies
// test images; prints one JSON line. The steady rate leaves out the warm-up batches, timed from the
// end of the last warm-up batch to the end of the last batch (batch assembly included, as on the
// PyTorch side). Run by scripts/bench.mjs; not meant to be called by hand.
//   node scripts/bench-train.mjs --contender wasm|wasm-parallel|cpu|tfjs-node|tfjs-node-gpu
//        --samples N --warmup-batches W --batch-size B --seed S [--threads T] --infer-samples N
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = createRequire(import.meta.url)(join(root, 'dist', 'src', 'index.js'));

const options = new Command('bench-train')
  .description('one training contender, timed (run by npm run bench)')
  .option('--contender <name>')
  .option('--samples <n>')
  .option('--warmup-batches <n>')
  .option('--batch-size <n>')
  .option('--seed <n>')
  .option('--threads <n>')
  .option('--infer-samples <n>')
  .parse()
  .opts();
/** The options by their command-line names (`batch-size`), as the checks below name them. */
const values = Object.fromEntries(Object.entries(options).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value]));
const int = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`bench-train: --${name} ${values[name]} is not a whole number`);
  return n;
};
const contender = values.contender;
const batchSize = int('batch-size');
const warmUp = int('warmup-batches');
const samples = int('samples') + warmUp * batchSize;
const seed = int('seed');
const parallel = contender === 'wasm-parallel';
const threads = parallel ? int('threads') : 1;
const backend = parallel ? 'wasm' : contender;

/** The training split's images repeated until `count` are covered. */
function trainingSplit(train, count) {
  if (count <= train.count) return lib.takeSplit(train, count);
  const pixels = train.rows * train.cols;
  const images = new Float32Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) {
    images.set(train.images.subarray((i % train.count) * pixels, ((i % train.count) + 1) * pixels), i * pixels);
    labels[i] = train.labels[i % train.count];
  }
  return { ...train, images, labels, count };
}

let report;
try {
  report = await lib.selectBackend({ backend, allowSoftwareAdapter: false });
} catch (error) {
  const attempt = error.attempts?.find((a) => a.name === backend);
  console.log(JSON.stringify({ contender, available: false, reason: attempt ? `${attempt.outcome}: ${attempt.reason}` : error.message }));
  process.exit(0);
}
const data = lib.prepareDigits(await lib.loadDigits(), { seed });
const model = lib.createCnn({ seed });
const ends = [];
const counts = [];
let last = 0;
const history = await lib.trainCnn(model, { train: trainingSplit(data.train, samples) }, {
  epochs: 1,
  batchSize,
  seed,
  threads,
  onProgress: (p) => {
    if (p.kind !== 'batch') return;
    ends.push(performance.now());
    const seen = Math.min(p.batch * batchSize, samples);
    counts.push(seen - last);
    last = seen;
  },
});
const inferCount = Math.min(data.test.count, int('infer-samples'));
const inferSet = lib.takeSplit(data.test, inferCount);
await lib.predict(model, lib.takeSplit(data.test, Math.min(64, inferCount)));
const started = performance.now();
await lib.predict(model, inferSet);
const inferSeconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  contender,
  available: true,
  device: report.device,
  threads: history.threads,
  gradient: history.gradient,
  warmup_batches: warmUp,
  measured_samples: samples - warmUp * batchSize,
  train_samples_per_s: lib.steadyRate(ends, counts, warmUp),
  infer_samples: inferCount,
  infer_samples_per_s: inferCount / inferSeconds,
  test_accuracy: (await lib.evaluate(model, data.test)).accuracy,
}));
model.dispose();
