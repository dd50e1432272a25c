import { describe, expect, it } from 'vitest';
import { TRAINING_THREADS_ENV, TrainingThreadsError, trainingCores } from '../../src/model/threads';
import { shareCode } from '../../src/runner/kernel-share';
import { createThreadBudget } from '../../src/runner/thread-budget';

describe('the thread budget', () => {
  it('gives a notebook alone every core, and shares the cores among notebooks running together', () => {
    const budget = createThreadBudget(2);
    budget.join('05');
    expect(budget.shareOf('05')).toBe(2);
    budget.leave('05');
    for (const key of ['06', '08']) budget.join(key);
    expect([budget.shareOf('06'), budget.shareOf('08')]).toEqual([1, 1]);
    // 06 finishes: 08, now alone, may use both cores from its next cell on.
    budget.leave('06');
    expect(budget.shareOf('08')).toBe(2);
  });

  it('never gives the notebooks running at one moment more threads than cores, while they are no more than the cores', () => {
    for (const cores of [1, 2, 3, 4, 7, 8]) {
      for (let running = 1; running <= cores; running += 1) {
        const budget = createThreadBudget(cores);
        const keys = Array.from({ length: running }, (_, i) => `nb${i}`);
        keys.forEach((k) => budget.join(k));
        const shares = keys.map((k) => budget.shareOf(k));
        expect(shares.reduce((a, b) => a + b, 0), `${running} notebooks on ${cores} cores`).toBe(cores);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives each notebook one thread when more run than there are cores (-j above the core count)', () => {
    const budget = createThreadBudget(2);
    ['a', 'b', 'c'].forEach((k) => budget.join(k));
    expect(['a', 'b', 'c'].map((k) => budget.shareOf(k))).toEqual([1, 1, 1]);
  });

  it('refuses a core count that is not a positive integer', () => {
    expect(() => createThreadBudget(0)).toThrow('thread budget: cores = 0 is not a positive integer');
  });
});

describe("a kernel's share", () => {
  it('is set by a line of TypeScript the runner sends silently', () => {
    expect(shareCode(3)).toBe("process.env.LLM_PRICE_LAB_TRAINING_THREADS = '3';");
    expect(() => shareCode(0)).toThrow('training threads = 0 is not a positive integer');
  });

  it('is what training reads: the share when set, every core when not, a clear error when not a positive integer', () => {
    expect(trainingCores({}, 8)).toBe(8);
    expect(trainingCores({ [TRAINING_THREADS_ENV]: '' }, 8)).toBe(8);
    expect(trainingCores({ [TRAINING_THREADS_ENV]: '3' }, 8)).toBe(3);
    expect(() => trainingCores({ [TRAINING_THREADS_ENV]: 'two' }, 8)).toThrow(TrainingThreadsError);
    expect(() => trainingCores({ [TRAINING_THREADS_ENV]: '0' }, 8)).toThrow('LLM_PRICE_LAB_TRAINING_THREADS = "0" is not a positive integer');
  });
});
