/**
 * setup's list of what it installs from outside npm: each entry is probed by what the project runs.
 * The machines are described by fake probes, so every case runs here whatever is installed.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REQUIREMENTS, commandFolders, findCommand, missingRequirements, type Probes } from '../../scripts/requirements.mjs';

/** A machine with everything but what `lacks` names (commands, files and modules alike). */
function machine(lacks: string[]): Probes {
  const gone = new Set(lacks);
  return {
    command: (name) => !gone.has(name),
    file: (path) => !gone.has(path),
    modules: (names) => new Set(names.filter((name) => gone.has(name))),
  };
}

describe("setup's requirements", () => {
  const dir = mkdtempSync(join(tmpdir(), 'setup-requirements-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('asks for jupyter-notebook where the module `notebook` imports but the command is missing', () => {
    // Debian's python3-notebook installed as another package's dependency: `import notebook` works.
    const probes = machine(['jupyter-notebook']);
    expect(probes.modules(['notebook'])).toEqual(new Set());
    expect(missingRequirements(probes).map((r) => r.deb)).toEqual(['jupyter-notebook']);
  });

  it('probes a command for every Jupyter program the project or its tests start', () => {
    const commands = REQUIREMENTS.flatMap((r) => ('command' in r.probe ? [r.probe.command] : []));
    expect(commands).toEqual(
      expect.arrayContaining(['jupyter', 'jupyter-server', 'jupyter-nbconvert', 'jupyter-execute', 'jupyter-notebook', 'jupyter-console', 'jupyterhub', 'jupyterhub-singleuser']),
    );
  });

  it('finds nothing missing on a complete machine, and everything on an empty one', () => {
    expect(missingRequirements(machine([]), { lab: true })).toEqual([]);
    const everything = REQUIREMENTS.flatMap(({ probe }) => ('command' in probe ? [probe.command] : 'module' in probe ? [probe.module] : [probe.path].flat()));
    expect(missingRequirements(machine(everything), { lab: true })).toHaveLength(REQUIREMENTS.length);
  });

  it('asks for the JupyterLab server only with --lab', () => {
    const probes = machine(['jupyterlab_server']);
    expect(missingRequirements(probes)).toEqual([]);
    expect(missingRequirements(probes, { lab: true }).map((r) => r.deb)).toEqual(['python3-jupyterlab-server']);
  });

  it('counts a file of several possible places as present when any one exists', () => {
    const vulkan = REQUIREMENTS.find((r) => r.deb === 'libvulkan1')!;
    const paths = [(vulkan.probe as { path: string[] }).path].flat();
    expect(paths.length).toBeGreaterThan(1);
    expect(missingRequirements(machine([paths[0]!]), { requirements: [vulkan] })).toEqual([]);
    expect(missingRequirements(machine(paths), { requirements: [vulkan] })).toEqual([vulkan]);
  });

  it('finds a command only as an executable file in PATH or beside the jupyter launcher', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'jupyter-notebook'), '#!/bin/sh\n');
    writeFileSync(join(bin, 'not-executable'), '');
    chmodSync(join(bin, 'jupyter-notebook'), 0o755);
    chmodSync(join(bin, 'not-executable'), 0o644);
    expect(findCommand('jupyter-notebook', [bin])).toBe(true);
    expect(findCommand('jupyter-notebook', [join(dir, 'elsewhere')])).toBe(false);
    expect(findCommand('not-executable', [bin])).toBe(false);
    // The launcher's folder is searched as `jupyter` itself searches it.
    expect(commandFolders({ PATH: '/nowhere', JUPYTER_BIN: join(bin, 'jupyter') })).toContain(bin);
    expect(findCommand('jupyter-notebook', commandFolders({ PATH: '/nowhere', JUPYTER_BIN: join(bin, 'jupyter') }))).toBe(true);
  });
});
