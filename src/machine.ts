/**
 * Where things are on the machine: the system's Python and Jupyter (Debian's, which have the packages
 * setup installs, where a `python3` or `jupyter` earlier on PATH may not), setpriv, a Chromium for chart
 * images, and the Vulkan files WebGPU needs. The paths themselves are in `machine.json`, which the
 * scripts read too (`scripts/machine.mjs`: setup runs before this module is compiled).
 *
 * Every lookup is a function of the environment and of an `exists` test, both defaulting to this
 * process's, so tests can describe any machine; nothing is looked up at import.
 */
import { existsSync } from 'node:fs';
import MACHINE from './machine.json';

/** Whether a path exists; `existsSync` unless a test describes another machine. */
export type PathExists = (path: string) => boolean;

/** The programs whose system copy is preferred to the one on PATH. */
export type SystemProgram = keyof typeof MACHINE.programs;

/** The first of `candidates` that exists, in order. */
export function firstExisting(candidates: readonly string[], exists: PathExists = existsSync): string | undefined {
  return candidates.find((path) => exists(path));
}

/** The system's copy of `name` (Debian's, in its command folder) when present, else `name` for a PATH lookup. */
export function systemProgram(name: SystemProgram, exists: PathExists = existsSync): string {
  const path = MACHINE.programs[name];
  return exists(path) ? path : name;
}

/** Debian's Python, which has nbformat and the Jupyter packages; else `python3` on PATH. */
export function systemPython(exists: PathExists = existsSync): string {
  return systemProgram('python3', exists);
}

/** The Jupyter launcher: `JUPYTER_BIN` when set, else Debian's, else `jupyter` on PATH. */
export function jupyterCommand(env: NodeJS.ProcessEnv = process.env, exists: PathExists = existsSync): string {
  return env.JUPYTER_BIN ?? systemProgram('jupyter', exists);
}

/** The Python that serves JupyterLab: `LAB_PYTHON` when set, else the system Python (it has jupyterlab_server). */
export function labPython(env: NodeJS.ProcessEnv = process.env, exists: PathExists = existsSync): string {
  return env.LAB_PYTHON ?? systemPython(exists);
}

/** util-linux's setpriv (Debian: essential `util-linux`) for the parent-death signal, if installed. */
export function setprivCommand(exists: PathExists = existsSync): string | undefined {
  return firstExisting([MACHINE.programs.setpriv], exists);
}

/** Browsers tried in order when neither an option nor `PLOTLY_BROWSER` names one. */
export const DEFAULT_BROWSERS: readonly string[] = MACHINE.browsers;

export type BrowserLookup = { kind: 'found'; path: string } | { kind: 'missing'; reason: string };

/** The Chromium or Chrome to use: `executablePath`, else `PLOTLY_BROWSER`, else the first default that exists. */
export function findBrowser(
  executablePath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  exists: PathExists = existsSync,
): BrowserLookup {
  const named = executablePath ?? env.PLOTLY_BROWSER;
  const source = executablePath !== undefined ? 'the executablePath option' : 'PLOTLY_BROWSER';
  if (named !== undefined && named !== '') {
    return exists(named)
      ? { kind: 'found', path: named }
      : { kind: 'missing', reason: `${source} names ${named}, which does not exist` };
  }
  const found = firstExisting(DEFAULT_BROWSERS, exists);
  return found
    ? { kind: 'found', path: found }
    : { kind: 'missing', reason: `no Chromium found (tried ${DEFAULT_BROWSERS.join(', ')}); set PLOTLY_BROWSER to a Chromium or Chrome executable` };
}

/** Where Chromium ships SwiftShader's Vulkan ICD manifest (Debian/Ubuntu packages, Fedora, Google Chrome). */
export const SWIFTSHADER_ICD_PATHS: readonly string[] = MACHINE.swiftShaderIcds;

/** Where distributions install the Vulkan loader (Debian's `libvulkan1`, Fedora's `vulkan-loader`). */
export const VULKAN_LOADER_PATHS: readonly string[] = MACHINE.vulkanLoaders;

/** Chromium's SwiftShader ICD manifest, if one is installed. */
export function findSwiftShaderIcd(exists: PathExists = existsSync): string | undefined {
  return firstExisting(SWIFTSHADER_ICD_PATHS, exists);
}

/** The Vulkan loader library Dawn opens, if installed in a usual place. */
export function findVulkanLoader(exists: PathExists = existsSync): string | undefined {
  return firstExisting(VULKAN_LOADER_PATHS, exists);
}
