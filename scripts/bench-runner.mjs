#!/usr/bin/env node
// Benchmark: the same notebooks executed by this runner (compiled CLI, one notebook at a time, no
// HTML) and by nbclient (`jupyter execute`, the reference executor), each in a fresh process with
// the project kernel. Prints both median times over a few rounds and their ratio.
// Usage: npm run bench:runner [-- notebook.ipynb … --rounds N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const jupyter = process.env.JUPYTER_BIN ?? (existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter');
const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 3;
const FIXTURES = ['success', 'display', 'tags'].map((n) => join(root, 'tests', 'fixtures', 'runner', `${n}.ipynb`));
const notebooks = args.length ? args.map((a) => resolve(a)) : FIXTURES;

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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const hasNbclient = spawnSync(jupyter, ['execute', '--help'], { encoding: 'utf8' }).status === 0;
const bin = join(root, 'dist', 'src', 'runner', 'bin.js');
if (!existsSync(bin)) {
  console.error(`bench: ${bin} is missing; run npm run setup`);
  process.exit(1);
}
const env = {
  ...process.env,
  JUPYTER_PATH: [join(root, 'build', 'jupyter'), process.env.JUPYTER_PATH].filter(Boolean).join(delimiter),
};

const runner = [];
const nbclient = [];
for (let round = 1; round <= rounds; round += 1) {
  const out = mkdtempSync(join(tmpdir(), 'bench-runner-'));
  try {
    runner.push(timed(process.execPath, [bin, 'run', ...notebooks, '-j', '1', '--no-html', '--progress', 'none', '-o', out], env));
    if (hasNbclient) nbclient.push(timed(jupyter, ['execute', ...notebooks], env));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`round ${round}/${rounds}: runner ${runner.at(-1).toFixed(2)} s${hasNbclient ? `, nbclient ${nbclient.at(-1).toFixed(2)} s` : ''}`);
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
