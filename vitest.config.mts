import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that start before all others, in this order (two run at a time): the notebook tests run 01
 * and 05 headless and record their times; the JupyterLab UI test, right after them, takes its Run All
 * budgets from those times (tests/notebooks/headless-timings.ts) instead of running both again. Then
 * the other long files, longest first as measured in a whole run (each takes 50–210 s there), so that
 * the short ones fill the end of the run instead of one long file running alone at the end (a fresh
 * clone has no timing cache for vitest to order by).
 */
export const STARTED_FIRST = [
  'tests/notebooks/experiment-notebooks.test.ts',
  'tests/notebooks/cost-notebooks.test.ts',
  'tests/lab/lab-ui.test.ts',
  'tests/runner/run.integration.test.ts',
  'tests/faults/faults.test.ts',
  'tests/model/bench.test.ts',
  'tests/hub/hub.integration.test.ts',
  'tests/model/webgpu-swiftshader.test.ts',
  'tests/runner/servers.integration.test.ts',
  'tests/model/article-training.test.ts',
] as const;

/** vitest's own order (failed first, then longest first from its cache), STARTED_FIRST before the rest. */
class ProjectSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const index = STARTED_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index === -1 ? STARTED_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start Jupyter servers and kernels: keep parallelism to the 2 cores.
    maxWorkers: 2,
    // Gives each run an id (for what one test file measures and another reads).
    globalSetup: ['./tests/global-setup.ts'],
    sequence: { sequencer: ProjectSequencer },
    reporters: ['default', './tests/plain-summary-reporter.ts'],
  },
});
