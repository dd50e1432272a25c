import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Predictions } from '../model/evaluate';
import { compiledScript } from '../paths';
import { recordScript } from '../provenance';
import { DeploymentError, type PixelRange } from './preprocessing';

/** A fresh Node process loads tfjs, picks a backend and reads the model; two minutes is ample on a busy machine. */
export const SEPARATE_PROCESS_TIMEOUT_MS = 120_000;

export interface SeparateProcessResult extends Predictions {
  /** The child's process id (never this process's). */
  readonly pid: number;
  /** The tfjs backend the child chose. */
  readonly backend: string;
}

/** The compiled worker script (next to this module in `dist/`, or under `dist/` when run from sources). */
export function workerScript(): string {
  const script = compiledScript(__dirname, 'deploy/worker.js');
  recordScript(script);
  return script;
}

function isResult(value: unknown): value is { pid: number; backend: string; classCount: number; classes: number[]; probabilities: number[] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.pid === 'number' && typeof v.backend === 'string' && typeof v.classCount === 'number' && Array.isArray(v.classes) && Array.isArray(v.probabilities);
}

/**
 * Classifies raw pixels with the deployment in `dir`, loaded by a new Node process from the folder's
 * files alone: the pixels go to it in a temporary file, the answers come back the same way. The
 * child is killed if it outlives the timeout.
 */
export async function classifyInSeparateProcess(dir: string, pixels: Float32Array, count: number, range: PixelRange, timeoutMs = SEPARATE_PROCESS_TIMEOUT_MS): Promise<SeparateProcessResult> {
  const work = await mkdtemp(join(tmpdir(), 'deploy-check-'));
  try {
    const pixelsPath = join(work, 'pixels.f32');
    const resultPath = join(work, 'result.json');
    await writeFile(pixelsPath, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [workerScript(), dir, pixelsPath, String(count), String(range), resultPath], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
        if (error === null) resolve();
        else reject(new DeploymentError(dir, `the separate process failed (${error.killed ? `killed after ${timeoutMs} ms` : `exit ${String(error.code)}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`));
      });
    });
    const parsed = JSON.parse(await readFile(resultPath, 'utf8')) as unknown;
    if (!isResult(parsed) || parsed.classes.length !== count || parsed.probabilities.length !== count * parsed.classCount) {
      throw new DeploymentError(resultPath, `the separate process wrote an unexpected result for ${count} images`);
    }
    return { pid: parsed.pid, backend: parsed.backend, classCount: parsed.classCount, classes: Uint8Array.from(parsed.classes), probabilities: Float32Array.from(parsed.probabilities) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
