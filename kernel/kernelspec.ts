import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/atomic';
import { projectJupyterPath, projectRoot } from '../src/paths';

/** Kernel name as Jupyter lists it; notebooks name it in `metadata.kernelspec.name`. */
export const KERNEL_NAME = 'llm-price-lab';
export const KERNEL_DISPLAY_NAME = 'TypeScript (llm-price-lab)';

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal' | 'message';
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** The kernelspec with absolute paths to this Node and this checkout's compiled kernel. */
export function kernelSpec(root: string = projectRoot()): KernelSpec {
  return {
    argv: [process.execPath, join(root, 'dist', 'kernel', 'main.js'), '--connection-file', '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
    // Both work (tests/kernel/integration.test.ts): the control thread answers interrupt_request
    // even while a cell blocks the main thread, and it works where signals do not (Windows, remote).
    interrupt_mode: 'message',
    // Node's require searches NODE_PATH after the notebook folder's node_modules chain, and the
    // kernel's compiler does the same (resolution.ts): 'llm-price-lab' and its tfjs are found from
    // a notebook in any folder, with their types.
    env: { NODE_PATH: join(root, 'node_modules') },
    metadata: { debugger: false },
  };
}

/**
 * Writes `kernels/<name>/kernel.json` under `jupyterDataDir` (atomically) when its content
 * differs. Returns whether anything was written.
 */
export function writeKernelspec(jupyterDataDir: string, root: string = projectRoot()): boolean {
  const dir = join(jupyterDataDir, 'kernels', KERNEL_NAME);
  const file = join(dir, 'kernel.json');
  const text = `${JSON.stringify(kernelSpec(root), null, 2)}\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileAtomic(file, text);
  return true;
}

/** The project-local kernelspec that tests, scripts and the runner use (never the user's Jupyter). */
export function writeProjectKernelspec(root: string = projectRoot()): boolean {
  return writeKernelspec(projectJupyterPath(root), root);
}
