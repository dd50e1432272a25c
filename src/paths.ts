import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Name in package.json that marks the project root. */
const PACKAGE_NAME = 'llm-price-lab';

/**
 * The project root: the nearest folder above `from` whose package.json is this project's.
 * Works the same from `src/` (tests) and from `dist/src/` (compiled code, notebooks).
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === PACKAGE_NAME) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${from}`);
    dir = parent;
  }
}

/**
 * A compiled script of the library, by its path under `src/` (`plot/render-service-main.js`): beside
 * the calling module (`here`) in `dist/`, else under the project's `dist/src/` when the caller runs
 * from TypeScript sources (tests), since a child process runs JavaScript.
 */
export function compiledScript(here: string, pathUnderSrc: string): string {
  const beside = join(here, basename(pathUnderSrc));
  return existsSync(beside) ? beside : join(projectRoot(here), 'dist', 'src', pathUnderSrc);
}

/** Folder for generated files (executed notebooks, HTML, reports, benchmarks). */
export function buildDir(root: string = projectRoot()): string {
  return join(root, 'build');
}

/** The project's notebooks, with their profiles and facts locks beside them. */
export function notebooksDir(root: string = projectRoot()): string {
  return join(root, 'notebooks');
}

/** The project-local Jupyter data folder: put it on JUPYTER_PATH to see the project kernel. */
export function projectJupyterPath(root: string = projectRoot()): string {
  return join(buildDir(root), 'jupyter');
}

/** The Jupyter command (`JUPYTER_BIN`, else Debian's, else `jupyter` on PATH): see `machine.ts`. */
export { jupyterCommand } from './machine';
