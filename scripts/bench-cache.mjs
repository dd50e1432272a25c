#!/usr/bin/env node
// Benchmark: `npm start` cold (`--no-cache`: every notebook executed) against `npm start` on the
// unchanged tree (every notebook answered by the execution cache), in rounds, each in a fresh
// process. A cold round runs first in each round, so that the warm one finds what it stored. Prints
// both medians with their ranges and the ratio; `npm run bench -- --cache` runs the same rounds
// (through `cacheRound`) among its other contenders. Setup runs in every `npm start`; a round whose
// setup had something to do (it then prints what) is reported as such.
// Usage: npm run bench:cache [-- --rounds N]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** A cold run of every notebook takes minutes; one that runs past this has hung. */
const START_TIMEOUT_MS = 30 * 60_000;

/**
 * `npm start -- --progress none …extra` in a fresh process, timed from outside: its wall seconds, the
 * report.json it wrote and what it printed. Throws, with the end of its output, if it fails.
 */
export function timedNpmStart(extra) {
  const started = process.hrtime.bigint();
  const result = spawnSync('npm', ['start', '--silent', '--', '--progress', 'none', ...extra], { cwd: root, encoding: 'utf8', timeout: START_TIMEOUT_MS });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error || result.status !== 0) {
    const detail = result.error?.message ?? `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-4).join('\n');
    throw new Error(`npm start ${extra.join(' ')} failed (${result.status}): ${detail}`);
  }
  const report = JSON.parse(readFileSync(join(root, 'build', 'report.json'), 'utf8'));
  return { seconds, report, output: `${result.stdout}\n${result.stderr}` };
}

function npmStart(extra) {
  const { seconds, report, output } = timedNpmStart(extra);
  return {
    seconds,
    runner_seconds: report.seconds,
    executed: report.notebooks.filter((n) => n.status === 'passed').length,
    cached: report.notebooks.filter((n) => n.status === 'cached').length,
    setup_did: output.split('\n').filter((l) => l.startsWith('setup: ') && !l.includes('everything present')),
  };
}

/** One round: `npm start -- --no-cache`, then `npm start`; what each took and did. */
export function cacheRound() {
  const cold = npmStart(['--no-cache']);
  const warm = npmStart([]);
  return { cold, warm };
}

/** Medians, ranges and the warm/cold ratio of rounds from `cacheRound`. */
export function cacheSummary(rounds, lib) {
  const side = (name) => ({
    seconds: lib.spreadOf(rounds.map((r) => r[name].seconds)),
    runner_seconds: lib.spreadOf(rounds.map((r) => r[name].runner_seconds)),
    executed: rounds.map((r) => r[name].executed),
    cached: rounds.map((r) => r[name].cached),
    setup_did: rounds.map((r) => r[name].setup_did),
  });
  const cold = side('cold');
  const warm = side('warm');
  return { cold, warm, ratio_warm_to_cold: warm.seconds.median / cold.seconds.median, rounds };
}

function main() {
  const program = new Command('bench-cache')
    .description('npm start cold (--no-cache) against npm start on the unchanged tree, in rounds')
    .option('--rounds <n>', 'rounds', '3')
    .parse();
  const rounds = Number(program.opts().rounds);
  const lib = createRequire(import.meta.url)(join(root, 'dist', 'src', 'stats', 'summary.js'));
  const measured = [];
  for (let round = 1; round <= rounds; round += 1) {
    const r = cacheRound();
    console.error(`round ${round}/${rounds}: cold ${r.cold.seconds.toFixed(1)} s (${r.cold.executed} executed), unchanged ${r.warm.seconds.toFixed(1)} s (${r.warm.cached} cached)`);
    measured.push(r);
  }
  const summary = cacheSummary(measured, lib);
  const range = (s) => `${s.median.toFixed(1)} s (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  console.log(`npm start, cold (--no-cache): median ${range(summary.cold.seconds)} over ${rounds} rounds`);
  console.log(`npm start, unchanged tree:    median ${range(summary.warm.seconds)} over ${rounds} rounds`);
  console.log(`ratio unchanged / cold: ${summary.ratio_warm_to_cold.toFixed(3)}`);
  const { writeFileAtomic } = createRequire(import.meta.url)(join(root, 'dist', 'src', 'atomic.js'));
  writeFileAtomic(join(root, 'build', 'bench-cache.json'), `${JSON.stringify({ measured_at: new Date().toISOString(), ...summary }, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
