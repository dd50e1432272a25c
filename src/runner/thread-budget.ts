/**
 * One budget of training threads for the notebooks a run executes at once on this machine: the cores
 * are shared among the notebooks running at one moment, a notebook alone gets every core, and shares
 * change as notebooks start and finish. The runner tells each kernel its share between cells
 * (`TRAINING_THREADS_ENV`, which the library's training reads when it starts).
 */
export interface ThreadBudget {
  /** A notebook starts; its share counts from now. */
  join(key: string): void;
  /** A notebook is done; the others' shares grow. */
  leave(key: string): void;
  /** The training threads `key` may use now (at least 1). */
  shareOf(key: string): number;
}

/**
 * Shares of `cores` among the notebooks running, in the order they started: each gets
 * ⌊cores / running⌋, the first ones one more while cores remain, and never less than one (so that
 * more notebooks than cores, with `-j` above the core count, each still train on one thread).
 */
export function createThreadBudget(cores: number): ThreadBudget {
  if (!Number.isInteger(cores) || cores < 1) throw new RangeError(`thread budget: cores = ${cores} is not a positive integer`);
  const running: string[] = [];
  return {
    join(key) {
      if (!running.includes(key)) running.push(key);
    },
    leave(key) {
      const at = running.indexOf(key);
      if (at >= 0) running.splice(at, 1);
    },
    shareOf(key) {
      const at = running.indexOf(key);
      if (at < 0) return cores;
      const base = Math.floor(cores / running.length);
      return Math.max(1, base + (at < cores % running.length ? 1 : 0));
    },
  };
}
