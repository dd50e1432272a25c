import { defineConfig } from 'vitest/config';
import ProjectSequencer from './tests/sequencer';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start Jupyter servers and kernels: keep parallelism to the 2 cores.
    maxWorkers: 2,
    globalSetup: ['./tests/global-setup.ts'],
    sequence: { sequencer: ProjectSequencer },
    reporters: ['default', './tests/plain-summary-reporter.ts'],
  },
});
