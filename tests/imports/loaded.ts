import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The files in a fresh Node process's require cache after it has required each of `specifiers`
 * from a module in `folder` (as a notebook cell in that folder does), with `env` (e.g. NODE_PATH).
 */
export function modulesLoadedBy(specifiers: readonly string[], folder: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const script = [
    "const { createRequire } = require('node:module');",
    `const load = createRequire(${JSON.stringify(join(folder, 'cell.js'))});`,
    `for (const specifier of ${JSON.stringify(specifiers)}) load(specifier);`,
    'process.stdout.write(JSON.stringify(Object.keys(require.cache)));',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], { cwd: folder, env, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`requiring ${specifiers.join(', ')} from ${folder} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout) as string[];
}

/** The files of TensorFlow.js packages among `files`. */
export function tensorflowFiles(files: readonly string[]): string[] {
  return files.filter((file) => file.split(/[\\/]/).includes('@tensorflow'));
}
