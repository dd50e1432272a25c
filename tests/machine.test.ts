/**
 * Where things are on the machine: overrides from the environment win, a missing system program
 * falls back to its name on PATH, candidates are tried in order, the scripts' copy of the rules
 * answers as the library's, and no other file of the library, the kernel or the scripts writes a
 * system path. The machines are described by fake `exists` tests; the expected paths are Debian's,
 * written here rather than read from the module under test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findBrowser,
  findSwiftShaderIcd,
  findVulkanLoader,
  jupyterCommand,
  labPython,
  setprivCommand,
  systemPython,
} from '../src/machine';
import { projectRoot } from '../src/paths';
import * as scripts from '../scripts/machine.mjs';

/** A machine on which exactly `present` exists; `asked` records every path looked at, in order. */
function machine(present: string[]): { exists: (path: string) => boolean; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    exists: (path) => {
      asked.push(path);
      return present.includes(path);
    },
  };
}

const everything = () => true;
const nothing = () => false;

describe('system programs', () => {
  it("prefers Debian's copy and falls back to the name on PATH when it is missing", () => {
    expect(systemPython(everything)).toBe('/usr/bin/python3');
    expect(systemPython(nothing)).toBe('python3');
    expect(jupyterCommand({}, everything)).toBe('/usr/bin/jupyter');
    expect(jupyterCommand({}, nothing)).toBe('jupyter');
    expect(labPython({}, everything)).toBe('/usr/bin/python3');
    expect(labPython({}, nothing)).toBe('python3');
    expect(setprivCommand(everything)).toBe('/usr/bin/setpriv');
    expect(setprivCommand(nothing)).toBeUndefined();
  });

  it('lets JUPYTER_BIN and LAB_PYTHON win over the system copy, even a missing one', () => {
    expect(jupyterCommand({ JUPYTER_BIN: '/opt/jupyter/bin/jupyter' }, everything)).toBe('/opt/jupyter/bin/jupyter');
    expect(jupyterCommand({ JUPYTER_BIN: '/nowhere/jupyter' }, nothing)).toBe('/nowhere/jupyter');
    expect(labPython({ LAB_PYTHON: '/venv/bin/python' }, everything)).toBe('/venv/bin/python');
    // Each override is its own program's: LAB_PYTHON does not move the Jupyter launcher, nor the reverse.
    expect(jupyterCommand({ LAB_PYTHON: '/venv/bin/python' }, everything)).toBe('/usr/bin/jupyter');
    expect(labPython({ JUPYTER_BIN: '/opt/jupyter/bin/jupyter' }, everything)).toBe('/usr/bin/python3');
  });

  it('reads the environment of this process by default', () => {
    const saved = process.env.JUPYTER_BIN;
    process.env.JUPYTER_BIN = '/elsewhere/jupyter';
    try {
      expect(jupyterCommand()).toBe('/elsewhere/jupyter');
    } finally {
      if (saved === undefined) delete process.env.JUPYTER_BIN;
      else process.env.JUPYTER_BIN = saved;
    }
  });
});

describe('the browser', () => {
  it('takes the option, then PLOTLY_BROWSER, then the first default that exists', () => {
    const { exists } = machine(['/usr/bin/chromium', '/opt/chrome', '/opt/chromium']);
    expect(findBrowser('/opt/chrome', { PLOTLY_BROWSER: '/opt/chromium' }, exists)).toEqual({ kind: 'found', path: '/opt/chrome' });
    expect(findBrowser(undefined, { PLOTLY_BROWSER: '/opt/chromium' }, exists)).toEqual({ kind: 'found', path: '/opt/chromium' });
    expect(findBrowser(undefined, {}, exists)).toEqual({ kind: 'found', path: '/usr/bin/chromium' });
    // An empty PLOTLY_BROWSER counts as unset.
    expect(findBrowser(undefined, { PLOTLY_BROWSER: '' }, exists)).toEqual({ kind: 'found', path: '/usr/bin/chromium' });
  });

  it('says which override names a missing browser instead of falling back to a default', () => {
    expect(findBrowser(undefined, { PLOTLY_BROWSER: '/nowhere' }, (path) => path !== '/nowhere')).toEqual({
      kind: 'missing',
      reason: 'PLOTLY_BROWSER names /nowhere, which does not exist',
    });
    expect(findBrowser('/nowhere', {}, (path) => path !== '/nowhere')).toEqual({
      kind: 'missing',
      reason: 'the executablePath option names /nowhere, which does not exist',
    });
  });

  it('tries the defaults in order and stops at the first one present', () => {
    const { exists, asked } = machine(['/usr/bin/google-chrome', '/usr/bin/chromium-browser']);
    expect(findBrowser(undefined, {}, exists)).toEqual({ kind: 'found', path: '/usr/bin/chromium-browser' });
    expect(asked).toEqual(['/usr/bin/chromium', '/usr/bin/chromium-browser']);
    const none = machine([]);
    const lookup = findBrowser(undefined, {}, none.exists);
    expect(none.asked).toEqual(['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']);
    expect(lookup.kind === 'missing' && lookup.reason).toMatch(/^no Chromium found \(tried \/usr\/bin\/chromium, .*\); set PLOTLY_BROWSER/);
  });
});

describe('the Vulkan files', () => {
  it("tries Chromium's SwiftShader manifests in order: Debian's first, Google Chrome's last", () => {
    const none = machine([]);
    expect(findSwiftShaderIcd(none.exists)).toBeUndefined();
    expect(none.asked).toEqual([
      '/usr/lib/chromium/vk_swiftshader_icd.json',
      '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
      '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
      '/opt/google/chrome/vk_swiftshader_icd.json',
    ]);
    const both = machine(['/opt/google/chrome/vk_swiftshader_icd.json', '/usr/lib/chromium/vk_swiftshader_icd.json']);
    expect(findSwiftShaderIcd(both.exists)).toBe('/usr/lib/chromium/vk_swiftshader_icd.json');
    expect(both.asked).toHaveLength(1);
  });

  it("tries the Vulkan loader in Debian's multiarch folders first", () => {
    const none = machine([]);
    expect(findVulkanLoader(none.exists)).toBeUndefined();
    expect(none.asked).toEqual([
      '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
      '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
      '/usr/lib64/libvulkan.so.1',
      '/usr/lib/libvulkan.so.1',
    ]);
    expect(findVulkanLoader(machine(['/usr/lib/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1']).exists)).toBe(
      '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
    );
  });
});

describe("the scripts' copy (scripts/machine.mjs, for setup before dist/ exists)", () => {
  it('answers as the library for the same machine and environment', () => {
    for (const exists of [everything, nothing]) {
      expect(scripts.systemPython(exists)).toBe(systemPython(exists));
      for (const env of [{}, { JUPYTER_BIN: '/opt/jupyter/bin/jupyter' }]) {
        expect(scripts.jupyterCommand(env, exists)).toBe(jupyterCommand(env, exists));
      }
    }
    expect(scripts.systemProgram('apt-get', everything)).toBe('/usr/bin/apt-get');
    expect(scripts.MACHINE.commandFolder).toBe('/usr/bin');
  });
});

describe('one place for system paths', () => {
  /** Where the paths are written; src/machine.ts and scripts/machine.mjs only read it. */
  const ALLOWED = new Set(['src/machine.json']);
  const root = projectRoot();

  function files(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path);
      return [path];
    });
  }

  it('no file of src/, kernel/ or scripts/ but the machine data writes a path under /usr/bin, /usr/lib or /opt', () => {
    const all = ['src', 'kernel', 'scripts'].flatMap((dir) => files(join(root, dir)));
    expect(all.map((path) => relative(root, path))).toEqual(expect.arrayContaining(['src/machine.ts', 'scripts/machine.mjs', 'scripts/setup.mjs']));
    const offenders = all
      .map((path) => relative(root, path))
      .filter((name) => !ALLOWED.has(name))
      .flatMap((name) => {
        // A shebang names env, not a program of the machine.
        const text = readFileSync(join(root, name), 'utf8').replace(/^#!\/usr\/bin\/env [\w-]+\n/, '');
        return text
          .split('\n')
          .flatMap((line, index) => (/\/usr\/(bin|lib|lib64|share)\/|\/opt\//.test(line) ? [`${name}:${index + 1}: ${line.trim()}`] : []));
      });
    expect(offenders).toEqual([]);
  });
});
