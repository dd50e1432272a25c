/**
 * Notebooks 01, 02 and 09 with their calculators, executed by nbclient (`jupyter nbconvert --execute`)
 * with their smoke parameters: no error output, the chart for the starting values in the output
 * area's saved state, and no connection from their kernels to another machine. (The headless
 * runner's copies and pages are checked in tests/notebooks/.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { injectParameters } from '../../src/runner/parameters';
import type { CodeCell, Notebook } from '../../src/runner/types';
import { networkGuard } from '../network-guard';
import { executeWithNbclient } from '../notebook-fixtures';
import { tempFolders } from '../temp-folders';
import { CALCULATOR_TITLES, expectCalculatorSavedByNbclient, type CalculatorNotebook } from './calculator-cells';

const folders = tempFolders('calculator-nbclient-');
afterAll(() => folders.removeAll());

/** A copy of the notebook with its smoke parameters (and `extra`) injected, as the runner injects them. */
function smokeCopy(dir: string, name: CalculatorNotebook, extra: Record<string, unknown>): string {
  const source = join(projectRoot(), 'notebooks', `${name}.ipynb`);
  const smoke = JSON.parse(readFileSync(join(projectRoot(), 'notebooks', `${name}.smoke.json`), 'utf8')) as Record<string, unknown>;
  const copy = join(dir, `${name}.ipynb`);
  writeFileSync(copy, JSON.stringify(injectParameters(source, JSON.parse(readFileSync(source, 'utf8')) as Notebook, { ...smoke, ...extra })));
  return copy;
}

describe('the calculator notebooks under nbclient', () => {
  it('01, 02 and 09 run with no error output, keep the chart in the output area, and their kernels reach no other machine', async () => {
    const dir = folders.make();
    const network = networkGuard(join(dir, 'network.log'));
    const names = Object.keys(CALCULATOR_TITLES) as CalculatorNotebook[];
    // 09 trains notebook 05's model if it finds none: in a folder of its own, not one another test writes.
    const copies = names.map((name) => smokeCopy(dir, name, name === '09-faq' ? { modelDir: 'models/cnn-nbclient' } : {}));
    const run = (copy: string) => executeWithNbclient(copy, copy.replace(/\.ipynb$/, '.executed.ipynb'), { timeoutSeconds: 600, env: network.env });
    // Two at a time on two cores.
    const [[first, second], third] = await Promise.all([run(copies[0]!).then(async (a) => [a, await run(copies[1]!)] as const), run(copies[2]!)]);
    for (const [i, executed] of [first, second, third].entries()) {
      const name = names[i]!;
      const outputs = executed.cells.filter((c): c is CodeCell => c.cell_type === 'code').flatMap((c) => c.outputs);
      expect(outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr')), name).toEqual([]);
      expectCalculatorSavedByNbclient(executed, name);
    }
    expect(network.started().filter((command) => command.includes('kernel')).length).toBeGreaterThanOrEqual(3);
    expect(network.connections()).toEqual([]);
  }, 900_000);
});
