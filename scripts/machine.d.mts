// Types of machine.mjs for the TypeScript tests that import it.
export type SystemProgram = 'python3' | 'jupyter' | 'jupyterhub' | 'setpriv' | 'apt-get';
export interface Machine {
  commandFolder: string;
  programs: Record<SystemProgram, string>;
  browsers: string[];
  swiftShaderIcds: string[];
  vulkanLoaders: string[];
  files: Record<'requireJs' | 'jquery' | 'mathJax' | 'cjkFont', string>;
}
export const MACHINE: Machine;
export function systemProgram(name: SystemProgram, exists?: (path: string) => boolean): string;
export function systemPython(exists?: (path: string) => boolean): string;
export function jupyterCommand(env?: NodeJS.ProcessEnv, exists?: (path: string) => boolean): string;
