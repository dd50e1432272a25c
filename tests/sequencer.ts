/**
 * The order test files start in (two at a time): vitest's own (failed first, then longest first
 * from its cache), except that the notebook tests come first and the JupyterLab UI test right after
 * them. The notebook tests run 01 and 05 headless, and the UI test takes its Run All budgets from
 * those times (tests/notebooks/headless-timings.ts) instead of running both notebooks once more.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const STARTED_FIRST = [
  'tests/notebooks/experiment-notebooks.test.ts',
  'tests/notebooks/cost-notebooks.test.ts',
  'tests/lab/lab-ui.test.ts',
] as const;

export default class ProjectSequencer extends BaseSequencer {
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
