#!/usr/bin/env node
// `npm run kernel:install` / `kernel:uninstall`: registers the kernelspec in the user's own Jupyter
// data folder (`jupyter --data-dir`, which honours JUPYTER_DATA_DIR), where JupyterLab finds it.
import { spawnSync } from 'node:child_process';
import { quietCommand } from '../src/command-line';
import { existsSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { jupyterCommand } from '../src/machine';
import { KERNEL_DISPLAY_NAME, KERNEL_NAME, writeKernelspec } from './kernelspec';
import { ProjectError } from '../src/errors';

export class InstallError extends ProjectError {
  constructor(message: string) {
    super(message, {});
  }
}

/** The user's Jupyter data folder as Jupyter reports it, or its documented default. */
export function userJupyterDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const asked = spawnSync(jupyterCommand(), ['--data-dir'], { encoding: 'utf8', env });
  const reported = asked.status === 0 ? asked.stdout.trim() : '';
  if (reported) return reported;
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return join(env.APPDATA ?? homedir(), 'jupyter');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'jupyter');
}

function kernelDir(dataDir: string): string {
  return join(dataDir, 'kernels', KERNEL_NAME);
}

/** Refuses to touch a `kernels/llm-price-lab` folder that some other kernel put there. */
function assertOurs(dir: string): void {
  const file = join(dir, 'kernel.json');
  if (!existsSync(file)) return;
  let displayName: unknown;
  try {
    displayName = (JSON.parse(readFileSync(file, 'utf8')) as { display_name?: unknown }).display_name;
  } catch {
    throw new InstallError(`${file} is not valid JSON; remove it yourself if it is not needed`);
  }
  if (displayName !== KERNEL_DISPLAY_NAME) {
    throw new InstallError(`${file} belongs to another kernel (${JSON.stringify(displayName)}); not touching it`);
  }
}

export function install(dataDir: string): string {
  const dir = kernelDir(dataDir);
  assertOurs(dir);
  writeKernelspec(dataDir);
  return dir;
}

export function uninstall(dataDir: string): string | undefined {
  const dir = kernelDir(dataDir);
  if (!existsSync(dir)) return undefined;
  assertOurs(dir);
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

function main(args: readonly string[]): void {
  const program = quietCommand('install.js').argument('<command>', 'install or uninstall');
  try {
    program.parse([...args], { from: 'user' });
  } catch {
    // Commander's own message is replaced by one line that says what is accepted.
  }
  const [command] = program.args;
  if (program.args.length !== 1 || (command !== 'install' && command !== 'uninstall')) {
    throw new InstallError(`usage: install.js install|uninstall (got ${JSON.stringify(args.join(' '))})`);
  }
  const dataDir = userJupyterDataDir();
  if (command === 'install') {
    console.log(`kernel: installed "${KERNEL_DISPLAY_NAME}" in ${install(dataDir)}; restart JupyterLab to see it in the launcher`);
  } else {
    const removed = uninstall(dataDir);
    console.log(removed ? `kernel: removed ${removed}` : `kernel: not installed in ${dataDir}; nothing to remove`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    writeSync(2, `kernel: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
