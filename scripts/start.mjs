#!/usr/bin/env node
// The main job. Placeholder until the headless runner lands: checks the project kernelspec exists.
import { existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const spec = join(root, 'build', 'jupyter', 'kernels', 'llm-price-lab', 'kernel.json');
if (!existsSync(spec)) {
  console.error(`start: ${spec} is missing; run npm run setup`);
  process.exit(1);
}
console.log('start: kernelspec present; the notebook runner is not built yet');
