/**
 * The kernel ends itself when the process that started it is gone, as ipykernel does
 * (`JPY_PARENT_PID` and its `ParentPollerUnix`): a client or server killed with SIGKILL never
 * leaves its kernels behind.
 */

/** How often the parent is checked. */
export const PARENT_POLL_MS = 1_000;

export interface ParentInfo {
  /** `JPY_PARENT_PID` as jupyter_client sets it, when it names a real process (not init). */
  parentPid: number | undefined;
  /** The parent process id at start; a different one later means the parent died (reparenting). */
  initialPpid: number;
}

/** Reads the parent to watch from the environment and the process (at kernel start). */
export function parentInfo(env: NodeJS.ProcessEnv = process.env, ppid: number = process.ppid): ParentInfo {
  const declared = Number(env.JPY_PARENT_PID);
  return { parentPid: Number.isInteger(declared) && declared > 1 ? declared : undefined, initialPpid: ppid };
}

export interface ProcessProbe {
  ppid(): number;
  /** Whether a process with this id exists (signal 0). */
  exists(pid: number): boolean;
}

export const processProbe: ProcessProbe = {
  ppid: () => process.ppid,
  exists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists but belongs to someone else.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/** Why the parent counts as gone, or undefined while it is there. */
export function parentGone(info: ParentInfo, probe: ProcessProbe = processProbe): string | undefined {
  if (info.parentPid !== undefined && !probe.exists(info.parentPid)) {
    return `parent process ${info.parentPid} (JPY_PARENT_PID) is gone`;
  }
  // A process started by init has nothing to be orphaned from.
  const ppid = probe.ppid();
  if (info.initialPpid > 1 && ppid !== info.initialPpid) {
    return `parent process ${info.initialPpid} is gone (now a child of ${ppid})`;
  }
  return undefined;
}

/**
 * Checks the parent at once, then every `intervalMs`; calls `onGone` once with the reason (at once
 * when the parent is already gone at start). Returns the stop.
 */
export function watchParent(
  info: ParentInfo,
  onGone: (reason: string) => void,
  intervalMs: number = PARENT_POLL_MS,
  probe: ProcessProbe = processProbe,
): () => void {
  const now = parentGone(info, probe);
  if (now !== undefined) {
    onGone(now);
    return () => undefined;
  }
  const timer = setInterval(() => {
    const reason = parentGone(info, probe);
    if (reason === undefined) return;
    clearInterval(timer);
    onGone(reason);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
