#!/usr/bin/env node
/**
 * `npm run lab [-- --port N --root DIR]`: serves the project's JupyterLab on 127.0.0.1 and prints the
 * address to open. Ctrl-C (or SIGTERM, SIGHUP) stops the server and its kernels, then exits.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { projectRoot } from '../paths';
import { startLab, type RunningLab } from './server';

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new InvalidArgumentError(`not a port number: ${text}`);
  return port;
}

function parseRoot(text: string): string {
  const dir = resolve(text);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InvalidArgumentError(`not a folder: ${text}`);
  return dir;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('lab')
    .description("JupyterLab on the project's notebooks, with the project's TypeScript kernel")
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', parsePort)
    .option('--root <dir>', 'folder the file browser shows', parseRoot, join(projectRoot(), 'notebooks'))
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 || error.code === 'commander.helpDisplayed' ? 0 : 2;
    throw error;
  }
  const options = program.opts<{ port?: number; root: string }>();

  let lab: RunningLab | undefined;
  let stopRequested = false;
  const stopped = new Promise<void>((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopRequested) return; // npm forwards the terminal's Ctrl-C: the same stop, once
      stopRequested = true;
      process.stdout.write(`\nlab: ${signal}: stopping the server and its kernels\n`);
      done();
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  });
  try {
    lab = await startLab({ rootDir: options.root, port: options.port });
    if (!stopRequested) {
      process.stdout.write(`lab: JupyterLab serving ${options.root}\nlab: open ${lab.url}\nlab: Ctrl-C stops it\n`);
      await stopped;
    }
    return 0;
  } finally {
    await lab?.stop();
  }
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  },
);
