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

const CELLS = [
  "import { display, type MimeBundle } from 'llm-price-lab';\nimport * as tf from '@tensorflow/tfjs';",
  'display(42);',
  "const bundle: MimeBundle = { 'text/plain': 'from a folder outside the project' };\ndisplay(bundle);\ntf.tensor([1, 2, 3]).sum().arraySync()",
];

/** A notebook folder with no package.json or node_modules anywhere above it but the file system's. */
describe('the library from a notebook outside the project', () => {
  const jupyter = isolatedJupyterEnv();
  const dir = mkdtempSync(join(tmpdir(), 'kernel-anywhere-'));
  let exchanges: Exchange[];

  beforeAll(() => {
    expect(relative(projectRoot(), dir).startsWith('..')).toBe(true);
    const cells = join(dir, 'cells.json');
    writeFileSync(cells, JSON.stringify(CELLS));
    const run = spawnSync(SYSTEM_PYTHON, [join(projectRoot(), 'tests', 'kernel', 'run_cells.py'), cells], {
      cwd: dir,
      env: jupyter.env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (run.status !== 0) throw new Error(`run_cells.py failed (${run.status}): ${run.stderr.slice(-3000)}`);
    exchanges = JSON.parse(run.stdout) as Exchange[];
  }, 300_000);
  afterAll(() => {
    jupyter.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports llm-price-lab and its tfjs', () => {
    expect(exchanges[0]!.reply, JSON.stringify(exchanges[0]!.reply.traceback)).toMatchObject({ status: 'ok' });
  });

  it('type-checks against the library’s types', () => {
    expect(exchanges[1]!.reply).toMatchObject({ status: 'error', ename: 'TSError' });
    expect(exchanges[1]!.reply.evalue).toMatch(/not assignable to parameter of type 'MimeBundle \| HasMimeBundle'/);
  });

  it('runs the library and tfjs', () => {
    const [done] = exchanges.slice(2);
    expect(done!.reply, JSON.stringify(done!.reply.traceback)).toMatchObject({ status: 'ok' });
    const displays = done!.iopub.filter((m) => m.msg_type === 'display_data').map((m) => m.content.data);
    expect(displays).toEqual([{ 'text/plain': 'from a folder outside the project' }]);
    const result = done!.iopub.find((m) => m.msg_type === 'execute_result');
    expect(result?.content.data['text/plain']).toBe('6');
  });
});
