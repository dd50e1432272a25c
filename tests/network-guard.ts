/**
 * Whether processes started by a test reached the network: `networkGuard()` gives an environment
 * that preloads tests/fixtures/network/record-connections.cjs into every Node process started with
 * it (a kernel, the runner's helpers), and reads back which of them started and every socket they
 * opened to a host other than this machine. Python and Chromium are not covered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/paths';

export const NETWORK_LOG_ENV = 'LLM_PRICE_LAB_NETWORK_LOG';
const RECORDER = join(projectRoot(), 'tests', 'fixtures', 'network', 'record-connections.cjs');

export interface NetworkGuard {
  /** Environment variables to give the processes watched. */
  readonly env: Record<string, string>;
  /** The command lines of the Node processes that started with the recorder. */
  started(): string[];
  /** `host:port` of each connection to another machine. */
  connections(): string[];
  /** Runs `work` with `env` in this process's environment (which servers and kernels it starts inherit), then restores it. */
  during<T>(work: () => Promise<T>): Promise<T>;
}

/** A guard writing to `logFile` (in a test's temporary folder). */
export function networkGuard(logFile: string): NetworkGuard {
  const lines = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => line.split('\t')) : []);
  const quoted = JSON.stringify(RECORDER);
  const env = { NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require=${quoted}`].filter(Boolean).join(' '), [NETWORK_LOG_ENV]: logFile };
  return {
    env,
    async during(work) {
      const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
      Object.assign(process.env, env);
      try {
        return await work();
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    },
    started: () => lines().filter((l) => l[1] === 'start').map((l) => l[2] ?? ''),
    connections: () => lines().filter((l) => l[1] === 'connect').map((l) => l[2] ?? ''),
  };
}
