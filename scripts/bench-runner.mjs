#!/usr/bin/env node
// Benchmark: the same notebooks executed by this runner (compiled CLI, one notebook at a time, no
// HTML) and by nbclient (`jupyter execute`, the reference executor), each in a fresh process with
// the project kernel, alternating in rounds. Prints both medians and their ratio. `npm run bench`
// runs the same rounds (through `runnerRound`) among its other contenders.
// Usage: npm run bench:runner [-- notebook.ipynb … --rounds N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jupyterCommand } from './machine.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const jupyter = jupyterCommand();
export const RUNNER_FIXTURES = ['success', 'display', 'tags'].map((n) => join(root, 'tests', 'fixtures', 'runner', `${n}.ipynb`));

function timed(command, commandArgs, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd: root, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error || result.status !== 0) {
    const detail = result.error?.message ?? `${result.stderr}`.trim().split('\n').slice(-3).join('\n');
    throw new Error(`${command} ${commandArgs.slice(0, 2).join(' ')} failed (${result.status}): ${detail}`);
  }
  return seconds;
}

export function nbclientAvailable() {
  return spawnSync(jupyter, ['execute', '--help'], { encoding: 'utf8' }).status === 0;
}

/** One round: the runner, then nbclient (when installed), on `notebooks`; seconds of each. */
export function runnerRound(notebooks = RUNNER_FIXTURES, withNbclient = nbclientAvailable()) {
  const bin = join(root, 'dist', 'src', 'runner', 'bin.js');
  if (!existsSync(bin)) throw new Error(`bench: ${bin} is missing; run npm run setup`);
  const env = {
    ...process.env,
    JUPYTER_PATH: [join(root, 'build', 'jupyter'), process.env.JUPYTER_PATH].filter(Boolean).join(delimiter),
  };
  const out = mkdtempSync(join(tmpdir(), 'bench-runner-'));
  try {
    const runner = timed(process.execPath, [bin, 'run', ...notebooks, '-j', '1', '--no-html', '--progress', 'none', '-o', out], env);
    const nbclient = withNbclient ? timed(jupyter, ['execute', ...notebooks], env) : undefined;
    return { runner, nbclient };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const { median } = createRequire(import.meta.url)(join(root, 'dist', 'src', 'stats', 'summary.js'));

function main() {
  const program = new Command('bench-runner')
    .description('the runner against nbclient (jupyter execute) on the same notebooks, alternating in rounds')
    .argument('[notebooks...]', 'notebooks to run (default: the runner fixtures)')
    .option('--rounds <n>', 'rounds', '3')
    .parse();
  const rounds = Number(program.opts().rounds);
  if (!Number.isInteger(rounds) || rounds < 1) program.error(`bench-runner: --rounds ${program.opts().rounds} is not a whole number ≥ 1`);
  const notebooks = program.args.length ? program.args.map((a) => resolve(a)) : RUNNER_FIXTURES;
  const hasNbclient = nbclientAvailable();
  const runner = [];
  const nbclient = [];
  for (let round = 1; round <= rounds; round += 1) {
    const r = runnerRound(notebooks, hasNbclient);
    runner.push(r.runner);
    if (r.nbclient !== undefined) nbclient.push(r.nbclient);
    console.log(`round ${round}/${rounds}: runner ${r.runner.toFixed(2)} s${r.nbclient !== undefined ? `, nbclient ${r.nbclient.toFixed(2)} s` : ''}`);
  }
  const names = notebooks.map((n) => n.replace(/^.*[\\/]/, '')).join(', ');
  console.log(`\nnotebooks: ${names} (one at a time, fresh process and kernel per notebook run)`);
  console.log(`llm-price-lab runner: median ${median(runner).toFixed(2)} s over ${rounds} rounds`);
  if (hasNbclient) {
    console.log(`nbclient (jupyter execute): median ${median(nbclient).toFixed(2)} s over ${rounds} rounds`);
    console.log(`ratio runner / nbclient: ${(median(runner) / median(nbclient)).toFixed(2)}`);
  } else {
    console.log('nbclient is not installed (jupyter execute): no comparison');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
