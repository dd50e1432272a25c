/**
 * Claims as checks. A sentence that says something the results must bear out ("validation loss
 * stops falling after epoch 3", "the 0.94 lies below the interval") is written with `claim`: its
 * condition is evaluated on the computed values, and the sentence is only shown when it holds.
 * When it does not, the notebook stops with a `ClaimError` naming the claim and the values, and
 * the author rewrites the sentence to say what the data say.
 *
 * A claim names the profiles it is made for (a claim about the full run is not made for the smoke
 * profile's few epochs on fewer digits): under another profile its sentence is replaced by a note
 * that it is not checked (the sentence may be false of this run), never silently passed. Each output records its claims (`CLAIMS_MIME`), so a run can count what
 * was checked.
 */
import { proseOf, type ClaimRecord, type ProsePart } from './prose';
import { ProjectError } from '../errors';

export interface ClaimSpec {
  /** A name for the claim, unique in its notebook (`val-loss-flat`). */
  id: string;
  /** The condition, evaluated on the computed values. */
  holds: boolean;
  /** The values the condition reads, shown when it fails and recorded when it holds. */
  values: Record<string, number | string | boolean>;
  /** The sentence (markdown; a `prose` template for computed figures). */
  text: string | ProsePart;
  /** Profiles the claim is made for (default: every profile). */
  profiles?: readonly string[];
}

/** A claim's condition did not hold under a profile it is made for. */
export class ClaimError extends ProjectError<{ id: string; profile: string; values: Record<string, number | string | boolean> }> {
  constructor(
    readonly id: string,
    readonly profile: string,
    readonly values: Record<string, number | string | boolean>,
  ) {
    const shown = Object.entries(values)
      .map(([name, value]) => `${name} = ${typeof value === 'number' ? String(Number(value.toPrecision(6))) : JSON.stringify(value)}`)
      .join(', ');
    super(`claim "${id}" does not hold under the ${profile} profile (${shown}): rewrite it to say what the data say`, { id, profile, values });
  }
}

export interface Claims {
  /** The profile the notebook runs under. */
  readonly profile: string;
  /** Evaluates a claim: its sentence when it holds (or is not made for this profile); throws ClaimError when it fails. */
  claim(spec: ClaimSpec): ProsePart & ReturnType<typeof proseOf>;
  /** Every claim evaluated so far, in order. */
  records(): readonly ClaimRecord[];
  /**
   * The ids of the claims that held and of those not checked under this profile, space-separated in
   * the order stated: for the notebook's summary, where the facts lock holds them exactly, so a
   * claim that stops being evaluated shows as a moved fact.
   */
  tally(): { claimsHeld: string; claimsNotChecked: string };
}

/** The claims of a notebook running under `profile` (a notebook parameter: `default`, `smoke`, …). */
export function createClaims(profile: string): Claims {
  const seen = new Map<string, ClaimRecord>();
  return {
    profile,
    claim(spec) {
      if (seen.has(spec.id)) throw new Error(`claim "${spec.id}" is stated twice; give each claim its own id`);
      const made = spec.profiles === undefined || spec.profiles.includes(profile);
      if (made && spec.holds !== true) throw new ClaimError(spec.id, profile, spec.values);
      const record: ClaimRecord = { id: spec.id, status: made ? 'held' : 'not-checked', profile, values: spec.values };
      seen.set(spec.id, record);
      const inner = typeof spec.text === 'string' ? [] : spec.text.claims;
      if (!made) {
        // The sentence is about another run: stating it here could state something false.
        return proseOf(`*(A claim about the ${spec.profiles!.join(' or ')} run, \`${spec.id}\`, is not checked under the ${profile} profile.)*`, [record]);
      }
      return proseOf(typeof spec.text === 'string' ? spec.text : spec.text.markdown, [...inner, record]);
    },
    records: () => [...seen.values()],
    tally() {
      const ids = (status: ClaimRecord['status']): string => [...seen.values()].filter((r) => r.status === status).map((r) => r.id).join(' ');
      return { claimsHeld: ids('held'), claimsNotChecked: ids('not-checked') };
    },
  };
}
