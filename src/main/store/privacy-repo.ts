import type { Db } from './db';

/** Reads for a data-subject export that no other repository offers. */

export interface PersonAuditRow {
  id: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: unknown;
}

/**
 * Audit entries about a person: those that target them, and those whose details name them
 * (`details.person_id`: attendance records made, corrected or deleted, leave, enrollments). Oldest first.
 */
export function auditAboutPerson(db: Db, personId: number): PersonAuditRow[] {
  const rows = db
    .prepare(
      `SELECT * FROM audit_log
        WHERE (target_type = 'person' AND target_id = @id)
           OR (json_valid(details) AND json_extract(details, '$.person_id') = @pid)
        ORDER BY at, id`,
    )
    .all({ id: String(personId), pid: personId }) as (Omit<PersonAuditRow, 'details'> & { details: string | null })[];
  return rows.map((r) => ({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as unknown) }));
}

/** Bulk-import rows that enrolled or named this person (their photos' paths). */
export function importItemsOfPerson(
  db: Db,
  personId: number,
): { source: string; status: string; reason: string | null; updated_at: string }[] {
  return db
    .prepare('SELECT source, status, reason, updated_at FROM import_items WHERE person_id = ? ORDER BY source')
    .all(personId) as { source: string; status: string; reason: string | null; updated_at: string }[];
}
