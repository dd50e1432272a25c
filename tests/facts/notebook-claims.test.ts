/**
 * Every claim a notebook makes for the default profile is evaluated by the default run: the facts
 * lock holds the ids of the claims that held (`claimsHeld`, compared exactly by `npm start`), and
 * here they are set against the claims written in the notebook's code. Under the smoke profile
 * every claim is accounted for, as held or as not checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockPathFor, readLock } from '../../src/facts';
import { notebooksDir } from '../../src/paths';
import { sourceText, type Notebook } from '../../src/runner';

interface WrittenClaim {
  id: string;
  /** The profiles named in the claim; undefined: every profile. */
  profiles?: string[];
}

/** The claims written in `code` (`claims.claim({ id: '…', …, profiles: […] })`), in order. */
function claimsWritten(code: string): WrittenClaim[] {
  return code
    .split(/\.claim\(\{/)
    .slice(1)
    .map((chunk) => {
      const id = /\bid: '([^']+)'/.exec(chunk)?.[1];
      if (id === undefined) throw new Error(`a claim without a literal id: ${chunk.slice(0, 80)}`);
      // The chunk ends where the next claim starts: a claim that nests another names its profiles before its text.
      const profiles = /\bprofiles: \[([^\]]*)\]/.exec(chunk)?.[1];
      return profiles === undefined ? { id } : { id, profiles: [...profiles.matchAll(/'([^']+)'/g)].map((m) => m[1]!) };
    });
}

const madeFor = (profile: string) => (c: WrittenClaim) => c.profiles === undefined || c.profiles.includes(profile);
const ids = (value: unknown): string[] => (typeof value === 'string' && value !== '' ? value.split(' ').sort() : []);

const NOTEBOOKS = readdirSync(notebooksDir())
  .filter((file) => file.endsWith('.ipynb'))
  .sort();

function written(file: string): WrittenClaim[] {
  const notebook = JSON.parse(readFileSync(join(notebooksDir(), file), 'utf8')) as Notebook;
  return notebook.cells.filter((c) => c.cell_type === 'code').flatMap((c) => claimsWritten(sourceText(c.source)));
}

describe('claims evaluated by the runs that make them', () => {
  it('reads the claims of a cell, nested ones and their profiles included', () => {
    const code = "prose`${claims.claim({ id: 'a', profiles: ['default', 'full'], holds: x, text: prose`${claims.claim({ id: 'b', profiles: ['full'], holds: y, text: 't' })}` })}`";
    expect(claimsWritten(code)).toEqual([{ id: 'a', profiles: ['default', 'full'] }, { id: 'b', profiles: ['full'] }]);
    expect(claimsWritten("claims.claim({ id: 'c', holds: true, text: 'c' })")).toEqual([{ id: 'c' }]);
  });

  it.each(NOTEBOOKS)('%s: the default lock holds every claim made for the default profile, and the smoke lock accounts for all', (file) => {
    const claims = written(file);
    const lock = readLock(lockPathFor(join(notebooksDir(), file)));
    expect(ids(lock.default?.claimsHeld?.value)).toEqual(claims.filter(madeFor('default')).map((c) => c.id).sort());
    if (lock.smoke !== undefined) {
      expect(ids(lock.smoke.claimsHeld?.value)).toEqual(claims.filter(madeFor('smoke')).map((c) => c.id).sort());
      expect(ids(lock.smoke.claimsNotChecked?.value)).toEqual(claims.filter((c) => !madeFor('smoke')(c)).map((c) => c.id).sort());
    }
    // A lock holds claims exactly: a claim that stops being evaluated is a moved fact.
    for (const profile of Object.values(lock)) if (profile.claimsHeld) expect(profile.claimsHeld.tolerance).toEqual({ abs: 0 });
  });
});
