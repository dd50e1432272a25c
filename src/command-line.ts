/**
 * Command lines of the project's internal entry points (the kernel process, the kernelspec
 * installer, the deployment worker): commander, as every command line of the project, but quiet,
 * so that the entry point words its own one-line usage error instead of commander's help and exit.
 */
import { Command } from 'commander';

/** `name`'s commander program that throws instead of printing and exiting. */
export function quietCommand(name: string): Command {
  return new Command(name).exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}
