/** The runner's exit hook: it kills the server's process group, and never its own. */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { killProcessGroupNow } from '../../src/jupyter/process';

describe('killProcessGroupNow', () => {
  afterEach(() => vi.restoreAllMocks());

  it('sends nothing without a positive pid (kill(-0) would signal this process group)', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    for (const pid of [undefined, 0, -5, Number.NaN]) expect(killProcessGroupNow(pid)).toBe(false);
    expect(kill).not.toHaveBeenCalled();
  });

  it("kills a child's own process group", async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
    expect(killProcessGroupNow(child.pid)).toBe(true);
    expect(await exited).toBe('SIGKILL');
  });
});
