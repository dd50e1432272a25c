/**
 * Interrupt requests counted in memory the control thread and the main thread share. The control
 * thread counts a request before it raises SIGINT; the main thread compares counts, so it can tell
 * that an interrupt came while it could not see the signal (compiling a cell is synchronous, and
 * V8 only stops code that runs inside `vm`). Interrupts that came while no cell ran are not counted
 * against the next one: a cell compares with the count it saw when it started.
 */
export interface InterruptCounter {
  /** The memory to hand to the control thread (through workerData). */
  readonly buffer: SharedArrayBuffer;
  /** Counts one interrupt request (control thread). */
  raise(): void;
  /** How many interrupt requests were counted so far. */
  count(): number;
}

export function createInterruptCounter(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)): InterruptCounter {
  const view = new Int32Array(buffer, 0, 1);
  return {
    buffer,
    raise: () => void Atomics.add(view, 0, 1),
    count: () => Atomics.load(view, 0),
  };
}
