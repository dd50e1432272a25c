/** Timings as measurements, and McNemar's paired test (src/stats). */
import { describe, expect, it } from 'vitest';
import { agree, fromSamples, mcnemarOf, mcnemarTest, measure, rateOf } from '../../src/stats';

describe('measure', () => {
  it('runs the work untimed first, then times each repetition, and gives median and range', async () => {
    const calls: string[] = [];
    let clock = 0;
    const durations = [9, 4, 2, 3, 5, 1];
    let run = 0;
    const measured = await measure(
      () => {
        calls.push(run === 0 ? 'warm-up' : 'timed');
        clock += durations[run++]! * 1000;
      },
      { now: () => clock },
    );
    expect(calls).toEqual(['warm-up', 'timed', 'timed', 'timed', 'timed', 'timed']);
    expect(measured).toMatchObject({ median: 3, low: 1, high: 5, repetitions: 5, seconds: [4, 2, 3, 5, 1] });
    expect(rateOf(measured, 30)).toEqual({ median: 10, low: 6, high: 30 });
  });

  it('refuses fewer than five repetitions', async () => {
    await expect(measure(() => {}, { repetitions: 3 })).rejects.toThrow('measure: repetitions = 3; a timing needs at least 5');
    expect(() => fromSamples([1, 2])).toThrow(RangeError);
  });

  it('says whether two measurements of the same thing agree', () => {
    expect(agree({ low: 1, high: 2 }, { low: 1.5, high: 3 })).toBe(true);
    expect(agree({ low: 1, high: 2 }, { low: 2.5, high: 3 })).toBe(false);
  });
});

describe("McNemar's test", () => {
  it('gives the exact two-sided p-value from the discordant pairs', () => {
    // 10 discordant pairs split 1 : 9: p = 2 × (C(10,0) + C(10,1)) / 2^10 = 22 / 1024.
    expect(mcnemarTest(1, 9).p).toBeCloseTo(22 / 1024, 12);
    expect(mcnemarTest(5, 5).p).toBe(1);
    expect(mcnemarTest(0, 0).p).toBe(1);
  });

  it('counts the items on which two classifiers disagree about being right', () => {
    const labels = [0, 1, 2, 3, 4, 5];
    const test = mcnemarOf([0, 1, 2, 0, 0, 5], [0, 0, 0, 3, 0, 5], labels);
    expect(test).toMatchObject({ firstOnly: 2, secondOnly: 1 });
    expect(() => mcnemarOf([0], [0, 1], [0, 1])).toThrow(RangeError);
  });
});
