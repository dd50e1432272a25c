#!/usr/bin/env node
// The `llm-price-lab` command (package.json `bin`). All logic lives in cli.ts.
import { main } from './cli';

main(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A bug in the runner, not an infrastructure failure (exit 3 is only for those).
    process.stderr.write(`llm-price-lab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
