import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSwiftShaderIcd } from '../../src/model/webgpu';
import { projectRoot } from '../../src/paths';

const dir = mkdtempSync(join(tmpdir(), 'gpu-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs scripts/gpu-check.sh with Vulkan limited to `icd`, writing its JSON into a temporary file. */
function gpuCheck(icd: string): { status: number | null; lines: string[]; json: Record<string, unknown> } {
  const output = join(dir, 'gpu-check.json');
  const child = spawnSync('bash', [join(projectRoot(), 'scripts', 'gpu-check.sh'), '--output', output], {
    encoding: 'utf8',
    env: { ...process.env, VK_ICD_FILENAMES: icd },
    timeout: 60_000,
  });
  expect(child.error).toBeUndefined();
  return { status: child.status, lines: child.stdout.trim().split('\n'), json: JSON.parse(readFileSync(output, 'utf8')) as Record<string, unknown> };
}

describe('scripts/gpu-check.sh without a hardware adapter', () => {
  it('says so in one line, writes why, and exits with 2 when Vulkan has no driver', () => {
    const { status, lines, json } = gpuCheck(join(dir, 'no-such-driver.json'));
    expect(status).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gpu-check: no hardware adapter: Dawn found no usable Vulkan adapter with the driver named by VK_ICD_FILENAMES .*no-such-driver\.json/);
    expect(json).toMatchObject({ hardware_adapter: false });
    expect(json.reason).toMatch(/no-such-driver\.json/);
  });

  it.skipIf(findSwiftShaderIcd() === undefined)('counts SwiftShader as no hardware adapter', () => {
    const { status, lines } = gpuCheck(findSwiftShaderIcd()!);
    expect(status).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^gpu-check: no hardware adapter: the only adapter is SwiftShader driver [\d.]+ \(google, swiftshader\), a software renderer \(the driver marks it as a fallback \(software\) adapter\)$/,
    );
  });
});
