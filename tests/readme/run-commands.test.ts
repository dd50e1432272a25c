/**
 * The README's short commands, run as it shows them (sh -c in the project folder). Commands that
 * write outside a temporary folder or take minutes run in a light form, as tests/readme/coverage.ts says.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { docText, documentedCommand } from './commands';
import { cleanEnv, runShell } from './run';

/** npm, setup's checks (a Python probe) and the command itself, on a busy machine. */
const COMMAND_TIMEOUT_MS = 90_000;

const dir = mkdtempSync(join(tmpdir(), 'readme-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start and npm run bench, without their long runs', () => {
  it('npm start runs setup, then the runner on notebooks/', async () => {
    const command = documentedCommand('npm start');
    // Options after `--` go to the runner's `run` command: --help shows that it is reached, and stops there.
    const result = await runShell(`${command} -- --help`, { env: cleanEnv(), timeoutMs: COMMAND_TIMEOUT_MS });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/node scripts\/setup\.mjs && node scripts\/start\.mjs/);
    expect(result.stdout).toMatch(/^setup: /m);
    expect(result.stdout).toMatch(/Usage: llm-price-lab run \[options\] \[notebooks\.\.\.\]/);
    expect(readFileSync(join(projectRoot(), 'scripts', 'start.mjs'), 'utf8')).toMatch(/\[bin, 'run', join\(root, 'notebooks'\)/);
  }, COMMAND_TIMEOUT_MS);

  it('npm run bench is setup then scripts/bench.mjs, whose options are the ones the README names', async () => {
    const command = documentedCommand('npm run bench');
    const result = await runShell(`${command} -- --help`, { env: cleanEnv(), timeoutMs: COMMAND_TIMEOUT_MS });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/node scripts\/setup\.mjs && node scripts\/bench\.mjs/);
    expect(result.stdout).toMatch(/Usage: bench \[options\]/);
    const text = docText('benchmark.md');
    const section = text
      .slice(0, text.indexOf('`build/bench.json` (written atomically'))
      .replace('node scripts/bench-chart.mjs --json [--quick]', ''); // bench-chart's own options
    const named = [...new Set([...section.matchAll(/`[^`]*?(--[a-z][\w-]*)[^`]*`/g)].map((m) => m[1]!))];
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((option) => !new RegExp(`^\\s+(-\\w, )?${option}\\b`, 'm').test(result.stdout))).toEqual([]);
  }, COMMAND_TIMEOUT_MS);
});

describe('npm run which-backend', () => {
  it('npm run which-backend', async () => {
    // npm's own banner left out, so stdout is the script's alone.
    const quiet = cleanEnv({ npm_config_loglevel: 'silent' });
    const text = await runShell(documentedCommand('npm run which-backend'), { env: cleanEnv(), timeoutMs: COMMAND_TIMEOUT_MS });
    expect(text.code, text.stderr).toBe(0);
    const json = await runShell(documentedCommand('npm run which-backend -- --json'), { env: quiet, timeoutMs: COMMAND_TIMEOUT_MS });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { chosen: string; attempts: { name: string; outcome: string }[] };
    // The order the README gives: tfjs-node-gpu, tfjs-node, webgpu, WebAssembly, pure JS; one is chosen.
    expect(report.attempts.map((a) => a.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu']);
    expect(report.attempts.filter((a) => a.outcome === 'chosen').map((a) => a.name)).toEqual([report.chosen]);
    expect(text.stdout).toMatch(new RegExp(`^tfjs backend: ${report.chosen} `, 'm'));
    for (const name of ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu']) expect(text.stdout).toMatch(new RegExp(`^  ${name}: `, 'm'));
    // TFJS_BACKEND picks one, as the README says.
    const forced = await runShell(`TFJS_BACKEND=cpu ${documentedCommand('npm run which-backend -- --json')}`, { env: quiet, timeoutMs: COMMAND_TIMEOUT_MS });
    expect(forced.code, forced.stderr).toBe(0);
    expect((JSON.parse(forced.stdout) as { chosen: string }).chosen).toBe('cpu');
  }, 3 * COMMAND_TIMEOUT_MS);
});

describe('scripts/gpu-check.sh on a machine without a GPU', () => {
  it('bash scripts/gpu-check.sh parses (bash -n)', async () => {
    const command = documentedCommand('bash scripts/gpu-check.sh');
    const parsed = await runShell(command.replace(/^bash /, 'bash -n '), { timeoutMs: COMMAND_TIMEOUT_MS });
    expect(parsed.code, parsed.stderr).toBe(0);
    expect(parsed.stderr).toBe('');
  }, COMMAND_TIMEOUT_MS);

  it('bash scripts/gpu-check.sh --help', async () => {
    const result = await runShell(documentedCommand('bash scripts/gpu-check.sh --help'), { timeoutMs: COMMAND_TIMEOUT_MS });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^usage: bash scripts\/gpu-check\.sh \[--output FILE\] \[--allow-software\]$/m);
    expect(result.stdout).toMatch(/Needs a GPU/);
    expect(result.stdout).toMatch(/2 no hardware adapter/);
    // --help answers before any setup or GPU probe: nothing was written.
    expect(result.stderr).toBe('');
  }, COMMAND_TIMEOUT_MS);
});

describe('npm run kernel:install and kernel:uninstall', () => {
  it('npm run kernel:install and kernel:uninstall', async () => {
    // A temporary Jupyter data folder: the user's own Jupyter is never touched.
    const dataDir = join(dir, 'jupyter-data');
    const env = cleanEnv({ JUPYTER_DATA_DIR: dataDir, JUPYTER_CONFIG_DIR: join(dir, 'jupyter-config'), JUPYTER_PATH: '' });
    const spec = join(dataDir, 'kernels', 'llm-price-lab', 'kernel.json');
    const installed = await runShell(documentedCommand('npm run kernel:install'), { env, timeoutMs: COMMAND_TIMEOUT_MS });
    expect(installed.code, installed.stderr).toBe(0);
    const kernel = JSON.parse(readFileSync(spec, 'utf8')) as { display_name: string; argv: string[] };
    expect(kernel.display_name).toBe('TypeScript (llm-price-lab)');
    expect(kernel.argv).toContain('{connection_file}');
    const removed = await runShell(documentedCommand('npm run kernel:uninstall'), { env, timeoutMs: COMMAND_TIMEOUT_MS });
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(spec)).toBe(false);
  }, 2 * COMMAND_TIMEOUT_MS);
});
