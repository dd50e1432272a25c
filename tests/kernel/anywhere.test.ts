import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { SYSTEM_PYTHON, isolatedJupyterEnv } from './jupyter-env';

interface Exchange {
  reply: Record<string, any>;
  iopub: { msg_type: string; content: Record<string, any> }[];
}

/** The cells, in the order one fresh kernel runs them. */
const CELLS = {
  // Parts of the library first, as a cost notebook imports them: types checked, values computed.
  parts:
    "import { trainingFlops } from 'llm-price-lab/cost';\nimport { MIME_BUNDLE } from 'llm-price-lab/display';\n" +
    "import { lineChart } from 'llm-price-lab/plot';\nconst flops: number = trainingFlops(175e9, 300e9);\nflops",
  partsTyped: 'const notFlops: string = trainingFlops(175e9, 300e9);',
  // [modules of TensorFlow.js loaded, the cost part loaded] as the kernel's require cache has them.
  tfjsModulesLoaded:
    "const loaded = Object.keys(require.cache);\n" +
    "[loaded.filter((file) => file.includes('/@tensorflow/')).length, loaded.some((file) => file.endsWith('/dist/src/cost/index.js'))]",
  root: "import { display, type MimeBundle } from 'llm-price-lab';\nimport * as tf from '@tensorflow/tfjs';",
  rootTyped: 'display(42);',
  rootRuns: "const bundle: MimeBundle = { 'text/plain': 'from a folder outside the project' };\ndisplay(bundle);\ntf.tensor([1, 2, 3]).sum().arraySync()",
};
type CellName = keyof typeof CELLS;

/** A notebook folder with no package.json or node_modules anywhere above it but the file system's. */
describe('the library from a notebook outside the project', () => {
  const jupyter = isolatedJupyterEnv();
  const dir = mkdtempSync(join(tmpdir(), 'kernel-anywhere-'));
  let exchanges: Record<CellName, Exchange>;

  beforeAll(() => {
    expect(relative(projectRoot(), dir).startsWith('..')).toBe(true);
    const cells = join(dir, 'cells.json');
    writeFileSync(cells, JSON.stringify(Object.values(CELLS)));
    const run = spawnSync(SYSTEM_PYTHON, [join(projectRoot(), 'tests', 'kernel', 'run_cells.py'), cells], {
      cwd: dir,
      env: jupyter.env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (run.status !== 0) throw new Error(`run_cells.py failed (${run.status}): ${run.stderr.slice(-3000)}`);
    const replies = JSON.parse(run.stdout) as Exchange[];
    exchanges = Object.fromEntries(Object.keys(CELLS).map((name, i) => [name, replies[i]!])) as Record<CellName, Exchange>;
  }, 300_000);
  afterAll(() => {
    jupyter.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports parts of the library by subpath, with their types, and runs them', () => {
    const { reply, iopub } = exchanges.parts;
    expect(reply, JSON.stringify(reply.traceback)).toMatchObject({ status: 'ok' });
    // 6 · 175e9 parameters · 300e9 tokens (GPT-3's published training run).
    const result = iopub.find((m) => m.msg_type === 'execute_result');
    expect(result?.content.data['text/plain']).toBe('3.15e+23');
    expect(exchanges.partsTyped.reply).toMatchObject({ status: 'error', ename: 'TSError' });
    expect(exchanges.partsTyped.reply.evalue).toMatch(/Type 'number' is not assignable to type 'string'/);
  });

  it('loads no TensorFlow.js for those parts', () => {
    const { reply, iopub } = exchanges.tfjsModulesLoaded;
    expect(reply, JSON.stringify(reply.traceback)).toMatchObject({ status: 'ok' });
    expect(iopub.find((m) => m.msg_type === 'execute_result')?.content.data['text/plain']).toBe('[ 0, true ]');
  });

  it('imports llm-price-lab and its tfjs', () => {
    expect(exchanges.root.reply, JSON.stringify(exchanges.root.reply.traceback)).toMatchObject({ status: 'ok' });
  });

  it('type-checks against the library’s types', () => {
    expect(exchanges.rootTyped.reply).toMatchObject({ status: 'error', ename: 'TSError' });
    expect(exchanges.rootTyped.reply.evalue).toMatch(/not assignable to parameter of type 'MimeBundle \| HasMimeBundle'/);
  });

  it('runs the library and tfjs', () => {
    const done = exchanges.rootRuns;
    expect(done.reply, JSON.stringify(done.reply.traceback)).toMatchObject({ status: 'ok' });
    const displays = done.iopub.filter((m) => m.msg_type === 'display_data').map((m) => m.content.data);
    expect(displays).toEqual([{ 'text/plain': 'from a folder outside the project' }]);
    const result = done.iopub.find((m) => m.msg_type === 'execute_result');
    expect(result?.content.data['text/plain']).toBe('6');
  });
});
