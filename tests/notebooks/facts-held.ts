import { expect } from 'vitest';
import type { NotebookReport } from '../../src/runner';

/** Every notebook of `notebooks` that has a facts lock held it: no figure moved or went missing, and `named` is among them. */
export function expectLockedFactsHeld(notebooks: readonly NotebookReport[], named: string): void {
  const locked = notebooks.filter((n) => n.facts);
  expect(locked.map((n) => n.name)).toContain(named);
  for (const n of locked) {
    expect(n.facts!.error, n.name).toBeUndefined();
    expect(n.facts!.movements.filter((m) => m.kind !== 'new'), n.name).toEqual([]);
  }
}
