// Types of requirements.mjs for the TypeScript tests that import it.
export type Probe = { command: string } | { module: string } | { path: string | string[] };
export interface Requirement {
  probe: Probe;
  deb: string;
  pip: string | null;
  lab?: boolean;
  why: string;
}
export interface Probes {
  command(name: string): boolean;
  file(path: string): boolean;
  modules(names: string[]): Set<string>;
}
export const REQUIREMENTS: readonly Requirement[];
export function describeProbe(probe: Probe): string;
export function missingRequirements(probes: Probes, options?: { lab?: boolean; requirements?: readonly Requirement[] }): Requirement[];
export function commandFolders(env?: NodeJS.ProcessEnv): string[];
export function findCommand(name: string, folders?: string[]): boolean;
