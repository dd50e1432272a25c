#!/usr/bin/env node
// The main job (after setup): execute every notebook in notebooks/ with default parameters, write
// build/notebooks, build/html (with index.html) and build/report.json. Extra arguments go to
// `llm-price-lab run`. Exits with the runner's exit code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist', 'src', 'runner', 'bin.js');
if (!existsSync(bin)) {
  console.error(`start: ${bin} is missing; run npm run setup`);
  process.exit(3);
}
const child = spawn(process.execPath, [bin, 'run', join(root, 'notebooks'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the runner too (same terminal process group); a second SIGINT is ignored by it.
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)));
