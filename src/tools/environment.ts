/**
 * The environment a notebook runs in: runtime and package versions, read from the installed
 * packages' own manifests (notebook 07).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../paths';

export interface PackageVersion {
  readonly name: string;
  /** Installed version, or null when the package is not installed (e.g. an optional native backend). */
  readonly version: string | null;
}

/** Version of each named package as installed in the project (null when absent). */
export function installedVersions(names: readonly string[], root: string = projectRoot()): PackageVersion[] {
  return names.map((name) => {
    const manifest = join(root, 'node_modules', ...name.split('/'), 'package.json');
    if (!existsSync(manifest)) return { name, version: null };
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    return { name, version: typeof parsed.version === 'string' ? parsed.version : null };
  });
}

export interface RuntimeInfo {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
}

export function runtimeInfo(): RuntimeInfo {
  return { node: process.version, v8: process.versions.v8, platform: process.platform, arch: process.arch, cpus: cpus().length };
}
