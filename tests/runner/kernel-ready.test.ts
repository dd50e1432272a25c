import { describe, expect, it } from 'vitest';
import { kernelReady } from '../../src/runner/session';

/** A kernel connection whose first kernel_info request was lost: only a later request is answered. */
function lostFirstRequest(answerAfterRequests: number) {
  let resolveInfo!: (value: never) => void;
  const info = new Promise<never>((resolve) => (resolveInfo = resolve));
  let requests = 0;
  return {
    info,
    requests: () => requests,
    requestKernelInfo: async () => {
      requests += 1;
      if (requests >= answerAfterRequests) resolveInfo({} as never);
      return undefined;
    },
  };
}

describe('waiting for a new kernel to answer', () => {
  it('asks again when the first kernel_info request goes unanswered', async () => {
    const kernel = lostFirstRequest(2);
    await kernelReady(kernel, 'kernel ready', { readyMs: 5_000, retryMs: 50 });
    expect(kernel.requests()).toBe(2);
  });

  it('gives up at the ready deadline, saying what did not happen and within how long', async () => {
    const kernel = lostFirstRequest(Number.POSITIVE_INFINITY);
    await expect(kernelReady(kernel, "kernel 'x' ready", { readyMs: 300, retryMs: 50 })).rejects.toThrow(
      "kernel 'x' ready did not happen within 0.3 s",
    );
    expect(kernel.requests()).toBeGreaterThanOrEqual(3);
  });
});
