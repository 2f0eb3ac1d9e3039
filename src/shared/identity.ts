/**
 * The identity answer for one face, the same in the CLI, the HTTP API and IPC.
 * `match`: the best person scored above the pack's threshold and beat the best *other* person by
 * the margin; `ambiguous`: above the threshold but too close to someone else; `unknown`: nobody
 * scored above the threshold (or the gallery is empty). Only `match` names a person.
 */
export type IdentityDecision = 'match' | 'unknown' | 'ambiguous';

export interface Identity {
  person_id: number | null;
  employee_number: string | null;
  name: string | null;
  /** Cosine similarity to the best person (their best template); 0 for an empty gallery. */
  score: number;
  /** Cosine similarity to the best other person; 0 when there is none. */
  second_score: number;
  decision: IdentityDecision;
}
