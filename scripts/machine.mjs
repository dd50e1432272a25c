// Where things are on the machine, for the scripts: the paths of src/machine.json (the one copy,
// which src/machine.ts reads for the library) and the same "the system's program, else the name on
// PATH" rule. The scripts cannot import the compiled library: setup runs before dist/ exists.
import { existsSync, readFileSync } from 'node:fs';

/**
 * @typedef {{ commandFolder: string, programs: Record<'python3' | 'jupyter' | 'jupyterhub' | 'setpriv' | 'apt-get', string>,
 *   browsers: string[], swiftShaderIcds: string[], vulkanLoaders: string[],
 *   files: Record<'requireJs' | 'jquery' | 'mathJax' | 'cjkFont', string> }} Machine
 */

/** @type {Machine} */
export const MACHINE = JSON.parse(readFileSync(new URL('../src/machine.json', import.meta.url), 'utf8'));

/** The system's copy of `name` (Debian's, in its command folder) when present, else `name` for a PATH lookup. */
export function systemProgram(name, exists = existsSync) {
  const path = MACHINE.programs[name];
  return exists(path) ? path : name;
}

/** Debian's Python, which has nbformat and the Jupyter packages; else `python3` on PATH. */
export function systemPython(exists = existsSync) {
  return systemProgram('python3', exists);
}

/** The Jupyter launcher: `JUPYTER_BIN` when set, else Debian's, else `jupyter` on PATH. */
export function jupyterCommand(env = process.env, exists = existsSync) {
  return env.JUPYTER_BIN ?? systemProgram('jupyter', exists);
}
