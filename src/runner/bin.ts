#!/usr/bin/env node
// The `llm-price-lab` command (package.json `bin`). All logic lives in cli.ts.
import { main } from './cli';

// The runner writes to stdout/stderr itself; console output comes from @jupyterlab/services
// (reconnect notices, server tracebacks it already reports as errors). Shown with LLM_PRICE_LAB_DEBUG=1.
if (!process.env.LLM_PRICE_LAB_DEBUG) {
  for (const method of ['debug', 'log', 'info', 'warn', 'error'] as const) console[method] = () => undefined;
}

main(process.argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A bug in the runner, not an infrastructure failure (exit 3 is only for those).
    process.stderr.write(`llm-price-lab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
