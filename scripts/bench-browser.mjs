#!/usr/bin/env node
// Benchmark: what `npm start` spends on the static images of its charts with one browser shared by the
// kernels of the run (the default) against each kernel starting its own (`--no-shared-browser`). Both
// execute every notebook (`--no-cache`), in alternating rounds (which goes first alternates by round),
// each in a fresh process. Per contender: the run's time, the sum of the notebooks' own times, and the
// sum of what the runner waited, after each notebook's last cell, for images still being drawn
// (`imageWaitSeconds` in report.json), as medians with their ranges; and the ratios shared / own.
// Usage: npm run bench:browser [-- --rounds N]
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { timedNpmStart } from './bench-cache.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONTENDERS = { shared: [], own: ['--no-shared-browser'] };

function coldStart(name) {
  const { seconds, report } = timedNpmStart(['--no-cache', ...CONTENDERS[name]]);
  const sum = (pick) => report.notebooks.reduce((total, n) => total + (pick(n) ?? 0), 0);
  return {
    seconds,
    runner_seconds: report.seconds,
    notebook_seconds: sum((n) => n.seconds),
    image_wait_seconds: sum((n) => n.imageWaitSeconds),
    executed: report.notebooks.filter((n) => n.status === 'passed').length,
  };
}

function main() {
  const program = new Command('bench-browser')
    .description("npm start (--no-cache) with one browser for the run's charts against one per kernel, in alternating rounds")
    .option('--rounds <n>', 'rounds', '3')
    .parse();
  const rounds = Number(program.opts().rounds);
  const lib = createRequire(import.meta.url)(join(root, 'dist', 'src', 'stats', 'summary.js'));
  const measured = [];
  for (let round = 1; round <= rounds; round += 1) {
    const order = round % 2 === 1 ? ['shared', 'own'] : ['own', 'shared'];
    const r = { first: order[0] };
    for (const name of order) {
      r[name] = coldStart(name);
      console.error(`round ${round}/${rounds} ${name}: ${r[name].seconds.toFixed(1)} s, image wait ${r[name].image_wait_seconds.toFixed(1)} s (${r[name].executed} executed)`);
    }
    measured.push(r);
  }
  const side = (name) => ({
    seconds: lib.spreadOf(measured.map((r) => r[name].seconds)),
    notebook_seconds: lib.spreadOf(measured.map((r) => r[name].notebook_seconds)),
    image_wait_seconds: lib.spreadOf(measured.map((r) => r[name].image_wait_seconds)),
  });
  const shared = side('shared');
  const own = side('own');
  const summary = {
    shared,
    own,
    ratio_shared_to_own: {
      seconds: shared.seconds.median / own.seconds.median,
      notebook_seconds: shared.notebook_seconds.median / own.notebook_seconds.median,
      image_wait_seconds: shared.image_wait_seconds.median / own.image_wait_seconds.median,
    },
    rounds: measured,
  };
  const range = (s) => `${s.median.toFixed(1)} s (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  for (const [name, s] of [['one shared browser', shared], ['a browser per kernel', own]]) {
    console.log(`${name}: npm start ${range(s.seconds)}, notebooks ${range(s.notebook_seconds)}, waiting for images ${range(s.image_wait_seconds)}`);
  }
  const ratio = summary.ratio_shared_to_own;
  console.log(`ratio shared / own: npm start ${ratio.seconds.toFixed(3)}, notebooks ${ratio.notebook_seconds.toFixed(3)}, waiting for images ${ratio.image_wait_seconds.toFixed(3)} (medians of ${rounds} rounds)`);
  const { writeFileAtomic } = createRequire(import.meta.url)(join(root, 'dist', 'src', 'atomic.js'));
  writeFileAtomic(join(root, 'build', 'bench-browser.json'), `${JSON.stringify({ measured_at: new Date().toISOString(), ...summary }, null, 2)}\n`);
}

main();
