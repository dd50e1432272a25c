// The digits PyTorch reads in scripts/bench_torch.py: each split's images as float32 and labels as
// uint8, in a fresh private temporary folder (mkdtemp: a name nobody can plant beforehand, mode 0700).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes `splits` ({ train, test }: `{ images: Float32Array, labels: Uint8Array }`) into a new
 * folder named `<prefix>XXXXXX` under the system's temp folder and returns its path; the caller removes it.
 */
export function writeTorchData(prefix, splits) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, split] of Object.entries(splits)) {
    writeFileSync(join(dir, `${name}-images.f32`), Buffer.from(split.images.buffer, split.images.byteOffset, split.images.byteLength), { flag: 'wx' });
    writeFileSync(join(dir, `${name}-labels.u8`), Buffer.from(split.labels), { flag: 'wx' });
  }
  return dir;
}
