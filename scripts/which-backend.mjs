#!/usr/bin/env node
// Prints the tfjs backend this machine would use and why each other one was passed over, with the
// WebGPU adapter found: the same report notebooks 05 and 07 display. TFJS_BACKEND is honoured.
//   node scripts/which-backend.mjs [--json]
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = createRequire(import.meta.url)(join(root, 'dist', 'src', 'index.js'));

const options = new Command('which-backend')
  .description('the tfjs backend this machine would use, and why each other one was passed over')
  .option('--json', 'print the report as JSON')
  .parse()
  .opts();
const report = await lib.selectBackend();
if (options.json) {
  const { chosen, tfBackend, device, attempts, webgpuAdapter } = report;
  console.log(JSON.stringify({ chosen, tfBackend, device, attempts, webgpuAdapter }, null, 2));
} else {
  console.log(lib.backendTable(report)[lib.MIME_BUNDLE]()['text/plain']);
}
lib.releaseWebGpu();
