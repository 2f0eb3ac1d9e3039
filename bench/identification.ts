import { cosineSimilarity } from '../src/shared/face';
import { decide as decideMatch } from '../src/main/services/identify';

/**
 * The identification protocol of the labelled-photo benchmarks (fusion, score rules): each identity of
 * a split with more than `ENROLL` photos is enrolled from its first `ENROLL`, the rest are its probes;
 * the other identities, and each enrolled identity against the gallery without it, are strangers.
 */
export const ENROLL = 2;

/** Templates per enrolled person, by label. */
export type Gallery = Map<string, Float32Array[]>;

export interface EnrollmentSplit {
  /** Every identity's vectors, in labels.json order. */
  byLabel: Map<string, Float32Array[]>;
  /** The identities enrolled, with all their vectors (the first `ENROLL` are the templates). */
  enrolled: [string, Float32Array[]][];
  gallery: Gallery;
}

/**
 * The split of one protocol run. `rotation` r > 0 enrols each identity from its photos r and r + 1
 * (wrapping round) instead of its first two, for more genuine probes from the same photos.
 */
export function enrollmentSplit(
  samples: readonly { label: string; vector: Float32Array }[],
  rotation = 0,
): EnrollmentSplit {
  const byLabel = new Map<string, Float32Array[]>();
  for (const s of samples) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s.vector]);
  const enrolled = [...byLabel]
    .filter(([, v]) => v.length >= ENROLL + 1)
    .map(([l, v]): [string, Float32Array[]] => {
      const r = rotation % v.length;
      return [l, [...v.slice(r), ...v.slice(0, r)]];
    });
  const gallery = new Map(enrolled.map(([l, v]) => [l, v.slice(0, ENROLL)]));
  return { byLabel, enrolled, gallery };
}

export interface RankedPerson {
  label: string;
  score: number;
}

/** Every person of the gallery (but `without`) scored by their best template, best first. */
export function rankPeople(gallery: Gallery, probe: Float32Array, without?: string): RankedPerson[] {
  const scores: RankedPerson[] = [];
  for (const [label, templates] of gallery) {
    if (label === without) continue;
    scores.push({ label, score: Math.max(...templates.map((t) => cosineSimilarity(probe, t))) });
  }
  return scores.sort((a, b) => b.score - a.score);
}

/**
 * Who a ranked probe is named as by the product's rule (services/identify.ts): the best person's
 * `score` (the raw cosine unless a score rule says otherwise) at or above the threshold, and the raw
 * best at least `margin` over the runner-up; else null.
 */
export function namedAs(
  ranked: readonly RankedPerson[],
  threshold: number,
  margin: number,
  score = ranked[0]?.score,
): string | null {
  const [best, second] = ranked;
  if (!best || score === undefined) return null;
  const asMatch = (r: RankedPerson | undefined, i: number) => r && { personId: i, score: r.score, templateIndex: 0 };
  // The margin on the raw scores as the product applies it; the threshold on the rule's score.
  const raw = decideMatch(asMatch(best, 0), asMatch(second, 1), { threshold: -Infinity, margin });
  return raw.decision === 'match' && score >= threshold ? best.label : null;
}
