/**
 * Entry point of the separate process that serves a deployment folder (see `classifyInSeparateProcess`):
 * `node worker.js <folder> <pixels.f32> <count> <range> <result.json>`. It imports nothing of the
 * caller's state: only the folder and the raw pixels it is given.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { quietCommand } from '../command-line';
import { selectBackend } from '../model/backend';
import { loadDeployment } from './folder';
import type { PixelRange } from './preprocessing';

async function main(argv: readonly string[]): Promise<void> {
  const program = quietCommand('worker').arguments('<folder> <pixels.f32> <count> <range> <result.json>');
  try {
    program.parse([...argv], { from: 'user' });
  } catch {
    throw new Error('usage: worker <folder> <pixels.f32> <count> <1|255> <result.json>');
  }
  const [dir, pixelsPath, countText, rangeText, resultPath] = program.args as [string, string, string, string, string];
  const backend = await selectBackend();
  const bytes = await readFile(pixelsPath);
  const pixels = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const deployment = await loadDeployment(dir);
  try {
    const predictions = await deployment.classify(pixels, Number(countText), Number(rangeText) as PixelRange);
    await writeFile(resultPath, JSON.stringify({
      pid: process.pid,
      backend: backend.chosen,
      classCount: predictions.classCount,
      classes: Array.from(predictions.classes),
      probabilities: Array.from(predictions.probabilities),
    }));
  } finally {
    deployment.dispose();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
