/**
 * How long a notebook took headless with its smoke parameters, as measured by a test of this vitest
 * run (the notebook tests record theirs; the JupyterLab UI test derives its Run All budgets from
 * them). A time recorded by an earlier run is not used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { writeFileAtomic } from '../../src/atomic';
import { buildDir } from '../../src/paths';
import type { NotebookReport } from '../../src/runner';

const file = (name: string) => join(buildDir(), 'test-timings', `${name}.smoke.json`);

interface Recorded {
  run: string;
  seconds: number;
}

/** Records the time of each notebook of `reports` that passed. */
export function recordHeadlessSeconds(reports: readonly NotebookReport[]): void {
  for (const report of reports) {
    if (report.status !== 'passed') continue;
    const recorded: Recorded = { run: inject('testRunId'), seconds: report.seconds };
    writeFileAtomic(file(report.name), `${JSON.stringify(recorded)}\n`);
  }
}

/** The time recorded for `name` in this run, if any. */
export function headlessSeconds(name: string): number | undefined {
  if (!existsSync(file(name))) return undefined;
  const recorded = JSON.parse(readFileSync(file(name), 'utf8')) as Partial<Recorded>;
  return recorded.run === inject('testRunId') && typeof recorded.seconds === 'number' ? recorded.seconds : undefined;
}
