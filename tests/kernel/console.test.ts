import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths';
import { SYSTEM_PYTHON, isolatedJupyterEnv } from './jupyter-env';

interface ConsoleRun {
  screen: string;
  steps: Record<string, string>;
  kernel_running: number;
  kernel_left: string[];
}

/**
 * Debian's `jupyter console --kernel llm-price-lab` in a pseudo-terminal (python3-pexpect), typed
 * into as a user would (tests/kernel/console_driver.py).
 */
describe('the kernel in jupyter console', () => {
  const jupyter = isolatedJupyterEnv();
  const dir = mkdtempSync(join(tmpdir(), 'kernel-console-'));
  let run: ConsoleRun;

  beforeAll(() => {
    const here = join(projectRoot(), 'tests', 'kernel');
    // The console's own Ctrl-C relay, which this Debian version loses (see the config file).
    mkdirSync(jupyter.env.JUPYTER_CONFIG_DIR!, { recursive: true });
    copyFileSync(join(here, 'jupyter_console_config.py'), join(jupyter.env.JUPYTER_CONFIG_DIR!, 'jupyter_console_config.py'));
    const result = spawnSync(SYSTEM_PYTHON, [join(here, 'console_driver.py')], {
      cwd: dir,
      env: { ...jupyter.env, TERM: 'xterm' },
      encoding: 'utf8',
      timeout: 400_000,
    });
    if (result.status !== 0) throw new Error(`console_driver.py failed (${result.status}): ${result.stderr.slice(-3000)}\n${result.stdout.slice(-3000)}`);
    run = JSON.parse(result.stdout) as ConsoleRun;
  }, 420_000);
  afterAll(() => {
    jupyter.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never desynchronises: every request is answered within the console’s own waits', () => {
    expect(run.screen).not.toMatch(/did not respond/);
    expect(run.kernel_running).toBe(1);
  });

  it('shows continuation prompts for a function typed line by line and runs it only when complete', () => {
    expect(run.steps.partial).toMatch(/\.\.\.: +return n \* 2;/);
    expect(run.steps.partial).not.toMatch(/Out\[|Error|error TS/);
    expect(run.steps.define).not.toMatch(/Error|error TS/);
  });

  it('prints a call’s value as Out[n]', () => {
    expect(run.steps.call).toMatch(/Out\[2\]: 42/);
  });

  it('shows an exception with its traceback in the cell’s lines', () => {
    expect(run.steps.throw).toMatch(/RangeError: too cheap\n\s+at Cell In\[3\], line 1/);
  });

  it('comes back from `while (true) {}` on Ctrl-C and goes on', () => {
    // Ctrl-C may land while the cell still compiles: the kernel stops it before it runs, with the same error.
    expect(run.steps.interrupt).toMatch(/InterruptError: execution was interrupted/);
    expect(run.steps.after_interrupt).toMatch(/Out\[5\]: 'alive'/);
  });

  it('shows a cell’s input() prompt at the terminal and takes the typed answer as its value', () => {
    expect(run.steps.input).toMatch(/Your name: Ada/);
    expect(run.steps.input).toMatch(/Out\[7\]: 'Ada'/);
  });

  it('blocks a cell in prompt() until the line typed at the terminal, an empty line giving the default', () => {
    expect(run.steps.prompt).toMatch(/Port\? \[8888\] /);
    expect(run.steps.prompt).toMatch(/Host\? example\.org/);
    expect(run.steps.prompt).toMatch(/Out\[8\]: '8888\/example\.org'/);
  });

  it('exits on `exit`, and the kernel process is gone', () => {
    expect(run.steps.exit).toMatch(/Shutting down kernel/);
    expect(run.kernel_left).toEqual([]);
  });
});
