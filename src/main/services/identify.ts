import type { Identity, IdentityDecision } from '../../shared/identity';
import type { PersonMatch } from '../engine/search';
import type { MatchPolicy } from './thresholds';

/** What identification searches: the kiosk's SQLite gallery, or a hub gallery (of the organisation or a site). */
export interface PeopleSearch {
  /** Catch up with the store before a search (a no-op where the gallery is kept current otherwise). */
  refresh(): unknown;
  topPeople(probe: Float32Array, k: number): PersonMatch[];
}

/** Who a person id is, or null when they are gone (never name a ghost). */
export interface PersonNames {
  get(id: number): { id: number; employee_number: string; full_name: string } | null;
}

/**
 * The decision rule, given a face's best and runner-up *people* (each scored by their best template):
 * `match` needs the best score at or above the threshold and at least `margin` over the runner-up;
 * above the threshold but too close to someone else is `ambiguous`; below it, `unknown`.
 */
export function decide(
  best: PersonMatch | undefined,
  second: PersonMatch | undefined,
  policy: Pick<MatchPolicy, 'threshold' | 'margin'>,
): { decision: IdentityDecision; score: number; secondScore: number } {
  const score = best?.score ?? 0;
  const secondScore = second?.score ?? 0;
  let decision: IdentityDecision = 'unknown';
  // NaN compares false everywhere: a broken probe is unknown, never a match.
  if (best && score >= policy.threshold) decision = score - secondScore >= policy.margin ? 'match' : 'ambiguous';
  return { decision, score, secondScore };
}

const UNKNOWN: Identity = {
  person_id: null,
  employee_number: null,
  name: null,
  score: 0,
  second_score: 0,
  decision: 'unknown',
};

/** 1:N identification against the gallery, with names from the people table. */
export class Identifier {
  constructor(
    private readonly gallery: PeopleSearch,
    private readonly people: PersonNames,
    private readonly policy: () => MatchPolicy,
  ) {}

  /** Who one probe embedding is. */
  identify(probe: Float32Array): Identity {
    return this.identifyFaces([probe])[0];
  }

  /**
   * Who each face of one frame is, with one person assigned to at most one face. Faces are settled in
   * order of their best score; a person matched by an earlier (better-scoring) face is out of the
   * running for the later ones, which fall to their next candidate, judged against the candidates
   * still free. Faces without an embedding (`null`) are unknown. People in `exclude` are never
   * candidates (enrollment asks "who else could this be?").
   */
  identifyFaces(
    probes: readonly (Float32Array | null | undefined)[],
    opts: { exclude?: readonly number[] } = {},
  ): Identity[] {
    this.gallery.refresh();
    const policy = this.policy();
    const exclude = opts.exclude ?? [];
    const k = probes.length + 1 + exclude.length;
    const candidates = probes.map((p) => (p ? this.gallery.topPeople(p, k) : []));
    const order = probes
      .map((_, i) => i)
      .sort((a, b) => (candidates[b][0]?.score ?? -Infinity) - (candidates[a][0]?.score ?? -Infinity));
    const taken = new Set<number>(exclude);
    const out: Identity[] = probes.map(() => ({ ...UNKNOWN }));
    for (const i of order) {
      if (!probes[i]) continue;
      const free = candidates[i].filter((c) => !taken.has(c.personId));
      const d = decide(free[0], free[1], policy);
      const id: Identity = { ...UNKNOWN, score: d.score, second_score: d.secondScore, decision: d.decision };
      if (d.decision === 'match') {
        const person = this.people.get(free[0].personId);
        if (person) {
          taken.add(person.id);
          id.person_id = person.id;
          id.employee_number = person.employee_number;
          id.name = person.full_name;
        } else {
          id.decision = 'unknown'; // deleted between the search and now: never name a ghost
        }
      }
      out[i] = id;
    }
    return out;
  }
}
