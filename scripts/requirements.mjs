// What setup installs from outside npm, each entry probed by what the project actually runs: the
// command (a `jupyter <sub>` is the executable `jupyter-<sub>` that the `jupyter` launcher looks for on
// PATH and in its own folder), the file it opens, or, only where the project imports it from Python,
// the module. A Python module can be present without its command (Debian's `python3-notebook` comes
// as another package's dependency without `jupyter-notebook`), so a module never stands in for a command.
// Pure: the probes are passed in, so tests can describe any machine.
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { MACHINE, jupyterCommand } from './machine.mjs';

/**
 * @typedef {{ command: string } | { module: string } | { path: string | string[] }} Probe
 * @typedef {{ probe: Probe, deb: string, pip: string | null, lab?: boolean, why: string }} Requirement
 */

/** @type {readonly Requirement[]} */
export const REQUIREMENTS = [
  { probe: { command: 'jupyter' }, deb: 'jupyter-core', pip: 'jupyter-core', why: 'the launcher every Jupyter command goes through' },
  { probe: { command: 'jupyter-server' }, deb: 'jupyter-server', pip: 'jupyter-server', why: 'the runner, npm start and the tests start `jupyter server`' },
  { probe: { command: 'jupyter-nbconvert' }, deb: 'jupyter-nbconvert', pip: 'nbconvert', why: 'HTML export (`jupyter nbconvert`)' },
  { probe: { command: 'jupyter-execute' }, deb: 'python3-nbclient', pip: 'nbclient', why: 'nbclient, the reference executor (`jupyter execute`)' },
  { probe: { module: 'nbformat' }, deb: 'python3-nbformat', pip: 'nbformat', why: "imported by the tests' Python drivers" },
  { probe: { module: 'jupyter_kernel_test' }, deb: 'python3-jupyter-kernel-test', pip: 'jupyter_kernel_test', why: 'the official kernel conformance suite' },
  { probe: { command: 'jupyter-notebook' }, deb: 'jupyter-notebook', pip: 'notebook<7', why: 'the classic Notebook UI test (`jupyter notebook`)' },
  { probe: { command: 'jupyterhub' }, deb: 'jupyterhub', pip: 'jupyterhub', why: 'the JupyterHub test' },
  { probe: { command: 'jupyterhub-singleuser' }, deb: 'jupyterhub', pip: 'jupyterhub', why: "JupyterHub's single-user servers" },
  { probe: { module: 'jupyterlab_server' }, deb: 'python3-jupyterlab-server', pip: 'jupyterlab_server', lab: true, why: "lab/server.py serves the JupyterLab front end with it" },
  { probe: { command: 'jupyter-console' }, deb: 'jupyter-console', pip: 'jupyter-console', why: 'the `jupyter console` test' },
  { probe: { module: 'pexpect' }, deb: 'python3-pexpect', pip: 'pexpect', why: 'types into jupyter console in a pseudo-terminal' },
  { probe: { path: MACHINE.files.requireJs }, deb: 'libjs-requirejs', pip: null, why: "nbconvert's HTML templates load it" },
  { probe: { path: MACHINE.files.jquery }, deb: 'libjs-jquery', pip: null, why: "nbconvert's classic HTML template loads it" },
  { probe: { path: MACHINE.files.mathJax }, deb: 'libjs-mathjax', pip: null, why: "nbconvert's HTML templates load it" },
  { probe: { path: MACHINE.browsers }, deb: 'chromium', pip: null, why: 'static chart images and the browser tests' },
  { probe: { path: MACHINE.files.cjkFont }, deb: 'fonts-wqy-zenhei', pip: null, why: 'Chinese titles in chart images and screenshots' },
  {
    probe: { path: MACHINE.vulkanLoaders },
    deb: 'libvulkan1',
    pip: null,
    why: 'the Vulkan loader Dawn (npm `webgpu`) opens for the WebGPU tests',
  },
];

/** How a requirement reads in a message: the command, module or file that was looked for. */
export function describeProbe(probe) {
  if ('command' in probe) return `command ${probe.command}`;
  if ('module' in probe) return `Python module ${probe.module}`;
  return `file ${Array.isArray(probe.path) ? probe.path.join(' or ') : probe.path}`;
}

/**
 * The requirements that are missing. `probes.command(name)`, `probes.file(path)` and
 * `probes.modules(names)` (the subset of names that cannot be imported) answer for this machine.
 * @param {{ command(name: string): boolean, file(path: string): boolean, modules(names: string[]): Set<string> }} probes
 * @param {{ lab?: boolean, requirements?: readonly Requirement[] }} [options]
 * @returns {Requirement[]}
 */
export function missingRequirements(probes, options = {}) {
  const wanted = (options.requirements ?? REQUIREMENTS).filter((r) => !r.lab || options.lab);
  const unimportable = probes.modules(wanted.filter((r) => 'module' in r.probe).map((r) => r.probe.module));
  return wanted.filter(({ probe }) => {
    if ('command' in probe) return !probes.command(probe.command);
    if ('module' in probe) return unimportable.has(probe.module);
    return !(Array.isArray(probe.path) ? probe.path : [probe.path]).some((path) => probes.file(path));
  });
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false; // absent or not executable: either way not a command
  }
}

/**
 * Where `jupyter <sub>` finds `jupyter-<sub>`: PATH, then the folder of the `jupyter` launcher the
 * project calls (Debian's when present, see machine.mjs), then the folder of Debian's commands.
 */
export function commandFolders(env = process.env) {
  const folders = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const launcher = jupyterCommand(env);
  if (launcher.includes('/')) folders.push(dirname(launcher));
  if (!folders.includes(MACHINE.commandFolder)) folders.push(MACHINE.commandFolder);
  return folders;
}

/** True when `name` is an executable in one of `folders`. */
export function findCommand(name, folders = commandFolders()) {
  return folders.some((folder) => executable(join(folder, name)));
}
