/** The rate of timed training steps (what the benchmark reports as samples per second). */

/** Samples per second from the end time (ms) of each step and its samples, leaving out the first `warmUpSteps`. */
export function steadyRate(stepEndsMs: readonly number[], stepSamples: readonly number[], warmUpSteps: number): number {
  if (stepEndsMs.length !== stepSamples.length) throw new RangeError('steadyRate: one sample count per step end');
  if (!(warmUpSteps >= 1 && warmUpSteps < stepEndsMs.length)) {
    throw new RangeError(`steadyRate: ${warmUpSteps} warm-up steps leave no measured step out of ${stepEndsMs.length}`);
  }
  const samples = stepSamples.slice(warmUpSteps).reduce((a, b) => a + b, 0);
  const seconds = (stepEndsMs.at(-1)! - stepEndsMs[warmUpSteps - 1]!) / 1000;
  return samples / seconds;
}
