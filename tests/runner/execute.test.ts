/**
 * executeCell's own logic against a fake kernel session (no server): what happens after a
 * deadline when the kernel does not stop on interrupt, and on an abort.
 */
import { describe, expect, it } from 'vitest';
import { INTERRUPT_GRACE_MS, type CellDeadline } from '../../src/runner/deadlines';
import { executeCell } from '../../src/runner/execute';
import { OutputRecorder } from '../../src/runner/outputs';
import type { KernelSession } from '../../src/runner/session';
import type { CodeCell } from '../../src/runner/types';

/** A kernel whose cell never finishes and whose interrupt is ignored; `restart` says what a restart would do. */
function stuckSession(restart: () => Promise<void>): KernelSession & { calls: string[] } {
  const calls: string[] = [];
  // The cell prints nothing: a signal nobody emits.
  const iopubMessage = { connect: () => true, disconnect: () => true };
  const kernel = {
    iopubMessage,
    requestExecute: () => {
      let disposed = false;
      return {
        msg: { header: { msg_id: 'request-1' } },
        done: new Promise(() => {}),
        onIOPub: undefined as unknown,
        get isDisposed() {
          return disposed;
        },
        dispose: () => {
          disposed = true;
          calls.push('dispose future');
        },
      };
    },
  };
  return {
    kernel: kernel as unknown as KernelSession['kernel'],
    kernelId: 'fake',
    calls,
    died: () => new Promise(() => {}),
    interrupt: async () => {
      calls.push('interrupt');
    },
    restart: async () => {
      calls.push('restart');
      await restart();
    },
    shutdown: async () => {
      calls.push('shutdown');
    },
  };
}

const cell = (): CodeCell => ({ id: 'c1', cell_type: 'code', metadata: {}, source: 'for (;;) {}', outputs: [], execution_count: null });
const deadline: CellDeadline = { ms: 50, which: 'cell', seconds: 0.05 };

describe('executeCell after a deadline', () => {
  it('a kernel still busy after the interrupt is not restarted: the notebook stops, and its kernel is shut down next', async () => {
    const session = stuckSession(() => Promise.reject(new Error('restart must not be called')));
    const c = cell();
    const result = await executeCell(session, c, new OutputRecorder(), { deadline, expectError: false });
    expect(session.calls).toEqual(['interrupt', 'dispose future']);
    expect(result).toMatchObject({ kind: 'timeout', deadline: 'cell', limitSeconds: 0.05, stillBusy: true });
    expect(c.outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'CellTimeoutError',
      evalue: 'cell timeout of 0.05 s passed; the kernel was interrupted and, still busy, shut down',
    });
  }, INTERRUPT_GRACE_MS + 10_000);

  it('an abort ends the wait at once and marks the cell interrupted', async () => {
    const session = stuckSession(async () => {});
    const controller = new AbortController();
    const c = cell();
    setTimeout(() => controller.abort('SIGTERM'), 20);
    const result = await executeCell(session, c, new OutputRecorder(), {
      deadline: { ms: 60_000, which: 'cell', seconds: 60 },
      expectError: false,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ kind: 'interrupted', reason: 'SIGTERM' });
    expect(c.outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'RunInterrupted' });
    expect(session.calls).toEqual(['dispose future']);
  }, 10_000);
});
