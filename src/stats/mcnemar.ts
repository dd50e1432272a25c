/**
 * McNemar's test: do two classifiers scored on the same items differ? Only the items on which
 * they disagree count (`b`: the first right and the second wrong, `c`: the reverse); under "no
 * difference" each such item goes either way with probability one half. Exact two-sided binomial
 * p-value (the mid-size samples here never need the chi-square approximation).
 */

export interface McNemar {
  /** Items the first got right and the second wrong. */
  readonly firstOnly: number;
  /** Items the second got right and the first wrong. */
  readonly secondOnly: number;
  /** Two-sided exact p-value. */
  readonly p: number;
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/** McNemar's exact test from the two discordant counts. */
export function mcnemarTest(firstOnly: number, secondOnly: number): McNemar {
  for (const [name, value] of [['firstOnly', firstOnly], ['secondOnly', secondOnly]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`mcnemarTest: ${name} = ${value} is not a count`);
  }
  const n = firstOnly + secondOnly;
  const k = Math.min(firstOnly, secondOnly);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return { firstOnly, secondOnly, p: n === 0 ? 1 : Math.min(1, 2 * tail) };
}

/** McNemar's test of two sets of predictions against the same labels. */
export function mcnemarOf(first: ArrayLike<number>, second: ArrayLike<number>, labels: ArrayLike<number>): McNemar {
  if (first.length !== labels.length || second.length !== labels.length) {
    throw new RangeError(`mcnemarOf: ${first.length} and ${second.length} predictions for ${labels.length} labels`);
  }
  let firstOnly = 0;
  let secondOnly = 0;
  for (let i = 0; i < labels.length; i++) {
    const a = first[i] === labels[i];
    const b = second[i] === labels[i];
    if (a && !b) firstOnly += 1;
    else if (b && !a) secondOnly += 1;
  }
  return mcnemarTest(firstOnly, secondOnly);
}
