import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCellRunner, type CellRunner } from '../../kernel/execution';
import { createInterruptCounter } from '../../kernel/interrupts';

describe('the interrupt counter shared with the control thread', () => {
  it('sees what another thread counts, through the same memory', async () => {
    const counter = createInterruptCounter();
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const view = new Int32Array(workerData, 0, 1);
       Atomics.add(view, 0, 1); Atomics.add(view, 0, 1);`,
      { eval: true, workerData: counter.buffer },
    );
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(counter.count()).toBe(2);
    counter.raise();
    expect(counter.count()).toBe(3);
  });
});

describe('an interrupt that comes while a cell compiles', () => {
  let dir: string;
  let runner: CellRunner;
  let requested = 0;
  /** Requests an interrupt as the compiler reads the cell (the main thread cannot see SIGINT then). */
  let interruptDuringCompile = false;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'interrupts-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    let calls = 0;
    runner = createCellRunner({
      rootDir: dir,
      log: () => {},
      interrupts: () => {
        calls += 1;
        // The runner reads the count when the cell starts (odd calls) and once compiled (even calls).
        if (interruptDuringCompile && calls % 2 === 0) requested += 1;
        return requested;
      },
    });
  });
  afterAll(() => {
    runner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the cell before it runs, with an InterruptError, and leaves no declaration behind', async () => {
    (globalThis as { ranAfterInterrupt?: boolean }).ranAfterInterrupt = false;
    interruptDuringCompile = true;
    const outcome = await runner.run('const late = 1;\n(globalThis as any).ranAfterInterrupt = true;', 'Cell In[1]');
    interruptDuringCompile = false;
    expect(outcome.kind).toBe('error');
    if (outcome.kind === 'error') expect(outcome.error.ename).toBe('InterruptError');
    expect((globalThis as { ranAfterInterrupt?: boolean }).ranAfterInterrupt).toBe(false);
    // `late` was never declared, so the next cell may declare it.
    const next = await runner.run('const late = 2;\nlate * 21', 'Cell In[2]');
    expect(next).toEqual({ kind: 'ok', result: { value: 42 } });
  });

  it('does not count interrupts from before the cell started against it', async () => {
    requested += 5;
    const outcome = await runner.run('6 * 7', 'Cell In[3]');
    expect(outcome).toEqual({ kind: 'ok', result: { value: 42 } });
  });
});
