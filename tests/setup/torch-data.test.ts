/** The digits handed to PyTorch by the benchmark and the GPU check go into a fresh private folder. */
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTorchData } from '../../scripts/torch-data.mjs';

describe('writeTorchData', () => {
  const made: string[] = [];
  const elsewhere = mkdtempSync(join(tmpdir(), 'torch-data-elsewhere-'));
  afterAll(() => {
    for (const dir of [...made, elsewhere]) rmSync(dir, { recursive: true, force: true });
  });

  it('writes each split into a new folder of its own, readable by its user only, whatever is already in the temp folder', () => {
    // A folder planted where a pid-named path would have been: never used, never followed.
    const planted = join(tmpdir(), `gpu-check-${process.pid}`);
    rmSync(planted, { recursive: true, force: true });
    symlinkSync(elsewhere, planted);
    try {
      const splits = { train: { images: new Float32Array([0.5, -1]), labels: new Uint8Array([3]) }, test: { images: new Float32Array([2]), labels: new Uint8Array([7]) } };
      const a = writeTorchData('gpu-check-', splits);
      const b = writeTorchData('gpu-check-', splits);
      made.push(a, b);
      expect(a).not.toBe(b);
      expect(a).not.toBe(planted);
      expect(statSync(a).mode & 0o777).toBe(0o700);
      expect(readdirSync(a).sort()).toEqual(['test-images.f32', 'test-labels.u8', 'train-images.f32', 'train-labels.u8']);
      const images = readFileSync(join(a, 'train-images.f32'));
      expect([images.readFloatLE(0), images.readFloatLE(4)]).toEqual([0.5, -1]);
      expect([...readFileSync(join(a, 'test-labels.u8'))]).toEqual([7]);
      expect(readdirSync(elsewhere)).toEqual([]);
      expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    } finally {
      rmSync(planted, { force: true });
    }
  });
});
