import { spawn } from 'node:child_process';
import { projectRoot } from '../../src/paths';

export interface ShellResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` as a user would type it, with `sh -c` in the project folder, in a process group of
 * its own that is killed at `timeoutMs` (the result then has the signal).
 */
export function runShell(command: string, options: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ShellResult> {
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', command], { cwd: projectRoot(), env: options.env ?? process.env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: the group has just ended
      }
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** The environment without a Jupyter server, token or backend choice of the caller's own. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { JUPYTER_TOKEN: _token, JUPYTER_BASE_URL: _url, TFJS_BACKEND: _backend, ...env } = process.env;
  return { ...env, ...extra };
}

/** `command` with each `from` (a whole word) replaced by its `to`: a temporary folder for an output path. */
export function substitute(command: string, replacements: Record<string, string>): string {
  let result = command;
  for (const [from, to] of Object.entries(replacements)) {
    const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(^|\\s)${escaped}(?=[\\s/]|$)`, 'g');
    if (!pattern.test(result)) throw new Error(`${from} is not in the command: ${command}`);
    result = result.replace(pattern, (_match, before: string) => `${before}${to}`);
  }
  return result;
}
