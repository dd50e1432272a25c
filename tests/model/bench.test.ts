import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The quick mode spawns every contender, a Jupyter server, the runner and nbclient once: minutes on a busy machine. */
const QUICK_BENCH_TIMEOUT_MS = 15 * 60_000;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'bench.mjs'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

interface Spread { n: number; median: number; min: number; max: number }

describe('npm run bench --quick (the script itself, not its figures)', () => {
  it(
    'runs every contender and figure once and writes the documented JSON and table',
    async () => {
      const out = join(dir, 'bench.json');
      const result = await run(['--quick', '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(readFileSync(out, 'utf8')) as {
        schema: number; quick: boolean; rounds: number; config: { batch_size: number; threads: number };
        machine: { core_scaling: { threads: number; scaling: Spread; rounds: { alone_s: number; together_s: number; scaling: number }[] } };
        training: { contenders: Record<string, { threads: number; gradient?: string; rounds: number[]; train_samples_per_s: Spread }>; skipped: Record<string, string>; ratio_to_pytorch: Record<string, number>; errors: Record<string, string[]> };
        kernel: { start_to_ready_s: Spread; cell_round_trip_ms: { n: number; p50: number; p95: number } };
        runner_vs_nbclient: { runner_s: Spread };
        first_chart: { skipped?: string; first_chart_s?: Spread };
        npm_start: { skipped?: string };
      };
      expect(json).toMatchObject({ schema: 2, quick: true, rounds: 1 });
      expect(json.training.errors).toEqual({});
      const { contenders, skipped } = json.training;
      for (const name of ['wasm', 'wasm-parallel', 'cpu']) {
        expect(contenders[name]!.rounds).toHaveLength(1);
        expect(contenders[name]!.train_samples_per_s.median).toBeGreaterThan(0);
      }
      expect(contenders['wasm-parallel']!.threads).toBe(json.config.threads);
      // What the cores do at once, measured in the same round: the figure is threads × (alone / together)
      // of that round's own times. Only the arithmetic is checked: what a timing came out as is not.
      const cores = json.machine.core_scaling;
      expect(cores.threads).toBe(json.config.threads);
      expect(cores.scaling.n).toBe(1);
      expect(cores.rounds).toHaveLength(1);
      const [round] = cores.rounds;
      expect(round!.alone_s).toBeGreaterThan(0);
      expect(round!.together_s).toBeGreaterThan(0);
      expect(round!.scaling).toBeCloseTo((cores.threads * round!.alone_s) / round!.together_s, 9);
      expect(cores.scaling.median).toBe(round!.scaling);
      // The article network trains with the fused gradient on wasm, on one thread and on several.
      expect(contenders.wasm!.gradient).toBe('fused');
      expect(contenders['wasm-parallel']!.gradient).toBe('fused');
      // PyTorch is measured where python3-torch is installed, else skipped with the reason.
      if (contenders.pytorch) expect(json.training.ratio_to_pytorch['wasm-parallel']).toBeGreaterThan(0);
      else expect(skipped.pytorch).toMatch(/python3-torch/);
      for (const name of ['tfjs-node', 'tfjs-node-gpu']) expect(contenders[name] !== undefined || typeof skipped[name] === 'string').toBe(true);
      expect(json.kernel.start_to_ready_s.n).toBe(1);
      expect(json.kernel.cell_round_trip_ms.n).toBe(5);
      expect(json.kernel.cell_round_trip_ms.p95).toBeGreaterThanOrEqual(json.kernel.cell_round_trip_ms.p50);
      expect(json.runner_vs_nbclient.runner_s.n).toBe(1);
      expect(json.first_chart.skipped ?? json.first_chart.first_chart_s).toBeDefined();
      expect(json.npm_start.skipped).toMatch(/--npm-start/);
      expect(result.stdout).toMatch(/^contender\s+threads\s+gradient\s+train samples\/s \(median\)/m);
      expect(result.stdout).toMatch(new RegExp(`^the cores at once: ${json.config.threads} threads of a plain integer loop do \\d+\\.\\d\\dx the work of one`, 'm'));
      expect(result.stdout).toMatch(/^wasm-parallel\s+\d+/m);
      expect(result.stdout).toMatch(/trivial cell round trip: p50 [\d.]+ ms, p95 [\d.]+ ms/);
    },
    QUICK_BENCH_TIMEOUT_MS,
  );
});
