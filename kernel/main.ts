#!/usr/bin/env node
// The kernel process Jupyter starts: `node dist/kernel/main.js --connection-file <file>`.
import { writeSync } from 'node:fs';
import { CommanderError } from 'commander';
import { quietCommand } from '../src/command-line';
import { readConnectionFile } from './connection';
import { parentInfo } from './parent';
import { startKernel } from './server';
import { ProjectError } from '../src/errors';

/** The command line was not `--connection-file <file>`. */
export class UsageError extends ProjectError {
  constructor(message: string) {
    super(message, {});
  }
}

export interface CommandLine {
  connectionFile: string;
}

export function parseCommandLine(args: readonly string[]): CommandLine {
  const program = quietCommand('main.js').option('-f, --connection-file <file>', 'the connection file Jupyter wrote for this kernel');
  try {
    program.parse([...args], { from: 'user' });
  } catch (error) {
    const message = error instanceof CommanderError ? error.message.replace(/^error: /, '') : String(error);
    throw new UsageError(`${message}; usage: main.js --connection-file <file>`);
  }
  const file = program.opts<{ connectionFile?: string }>().connectionFile;
  if (!file) throw new UsageError('missing --connection-file <file>');
  return { connectionFile: file };
}

async function main(): Promise<void> {
  // Taken first: the parent the kernel ends with (ipykernel's JPY_PARENT_PID convention).
  const parent = parentInfo();
  // A server started with JUPYTER_TOKEN in its environment passes it to its kernels; cells never need
  // it, and a cell printing its environment would publish it in the notebook, its HTML and logs.
  delete process.env.JUPYTER_TOKEN;
  const { connectionFile } = parseCommandLine(process.argv.slice(2));
  const connection = readConnectionFile(connectionFile);
  const kernel = await startKernel({ connection, rootDir: process.cwd(), parent });
  await kernel.closed;
  process.exit(0);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    writeSync(2, `llm-price-lab kernel: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
}
