import { describe, expect, it } from 'vitest';
import { orTimeout, sleep, TimeoutError, within } from '../src/wait';

describe('waiting', () => {
  it('gives a promise its value when it settles in time, and says timeout when it does not', async () => {
    await expect(within(Promise.resolve(7), 1_000)).resolves.toEqual({ kind: 'done', value: 7 });
    await expect(within(new Promise(() => undefined), 20)).resolves.toEqual({ kind: 'timeout' });
    await expect(within(Promise.reject(new Error('broke')), 1_000)).rejects.toThrow('broke');
  });

  it('turns a missed limit into a TimeoutError naming what did not happen', async () => {
    await expect(orTimeout(Promise.resolve('ready'), 1_000, 'kernel ready')).resolves.toBe('ready');
    const late = orTimeout(new Promise(() => undefined), 20, 'kernel ready');
    await expect(late).rejects.toThrow(TimeoutError);
    await expect(late).rejects.toThrow('kernel ready did not happen within 0.02 s');
  });

  it('clears its timer once the promise settles (no pending timer is left behind)', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await within(sleep(5), 60_000);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });
});
