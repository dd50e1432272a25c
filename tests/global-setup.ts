/**
 * Runs once before any test file: gives this vitest run an id, so that what one file measured in
 * this run (a notebook's headless time, tests/notebooks/headless-timings.ts) can be told apart from
 * what an earlier run left in build/.
 */
import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    testRunId: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('testRunId', randomUUID());
}
