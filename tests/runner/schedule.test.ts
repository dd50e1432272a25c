import { describe, expect, it } from 'vitest';
import { RunnerInputError } from '../../src/runner/errors';
import { checkOrder, declaredAfter, runInOrder, waitingCounts, type Scheduled } from '../../src/runner/schedule';
import type { Notebook } from '../../src/runner/types';

const item = (name: string, after: string[] = []): Scheduled => ({ name, path: `${name}.ipynb`, after });
const notebook = (metadata: Record<string, unknown>): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata, cells: [] });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('declaredAfter', () => {
  it('reads metadata["llm-price-lab"].after and rejects anything but a list of names', () => {
    expect(declaredAfter('a.ipynb', notebook({}))).toEqual([]);
    expect(declaredAfter('a.ipynb', notebook({ 'llm-price-lab': { after: ['05-project-practice.ipynb', '04-x'] } }))).toEqual([
      '05-project-practice',
      '04-x',
    ]);
    expect(() => declaredAfter('a.ipynb', notebook({ 'llm-price-lab': { after: '05' } }))).toThrow(
      /a\.ipynb: metadata\["llm-price-lab"\]\.after must be a list of notebook names/,
    );
  });
});

describe('checkOrder', () => {
  it('refuses notebooks that wait for each other in a circle, naming the circle', () => {
    expect(() => checkOrder([item('a', ['c']), item('b', ['a']), item('c', ['b'])])).toThrow(RunnerInputError);
    expect(() => checkOrder([item('a', ['b']), item('b', ['a'])])).toThrow(/a → b → a/);
    expect(() => checkOrder([item('a', ['missing']), item('b', ['a'])])).not.toThrow();
  });
});

describe('waitingCounts', () => {
  it('counts who waits for each notebook, directly or through others', () => {
    const counts = waitingCounts([item('01'), item('05'), item('06', ['05']), item('08', ['05', '06']), item('09', ['05', 'gone'])]);
    expect(Object.fromEntries(counts)).toEqual({ '01': 0, '05': 3, '06': 1, '08': 0, '09': 0 });
  });
});

describe('runInOrder', () => {
  it('starts first the ready notebooks that others wait for, then the rest in the order given', async () => {
    const started: string[] = [];
    const items = [item('01'), item('02'), item('05'), item('06', ['05']), item('07'), item('09', ['05'])];
    await runInOrder(items, 1, {
      work: async (it) => {
        started.push(it.name);
        return it.name;
      },
      failed: () => 'failed',
      notRun: () => 'not-run',
    });
    expect(started).toEqual(['05', '01', '02', '06', '07', '09']);
  });

  it('starts a notebook only after the ones it waits for finished, even with free workers', async () => {
    const events: string[] = [];
    const release = new Map<string, () => void>();
    const items = [item('05'), item('06', ['05']), item('07'), item('08', ['05', '07'])];
    const running = runInOrder(items, 4, {
      work: async (it) => {
        events.push(`start ${it.name}`);
        await new Promise<void>((resolve) => release.set(it.name, resolve));
        events.push(`end ${it.name}`);
        return it.name;
      },
      failed: () => 'failed',
      notRun: () => 'not-run',
    });
    await tick();
    expect(events).toEqual(['start 05', 'start 07']);
    release.get('07')?.();
    await tick();
    expect(events).toEqual(['start 05', 'start 07', 'end 07']);
    release.get('05')?.();
    await tick();
    expect(events.slice(3, 4)).toEqual(['end 05']);
    expect(events.slice(4).sort()).toEqual(['start 06', 'start 08']);
    release.get('06')?.();
    release.get('08')?.();
    expect(await running).toEqual(['05', '06', '07', '08']);
  });

  it('one work failing does not stop the others (allSettled); an abort leaves the rest not run', async () => {
    const controller = new AbortController();
    const results = await runInOrder(
      [item('a'), item('b'), item('c'), item('d')],
      1,
      {
        work: async (it) => {
          if (it.name === 'a') throw new Error('bug in a');
          if (it.name === 'b') controller.abort('SIGTERM');
          return `ran ${it.name}`;
        },
        failed: (it, error) => `${it.name}: ${(error as Error).message}`,
        notRun: (it) => `${it.name} not run`,
      },
      controller.signal,
    );
    expect(results).toEqual(['a: bug in a', 'ran b', 'c not run', 'd not run']);
  });
});
