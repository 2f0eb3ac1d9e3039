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
 * (`details.person_id`: attendance records made, corrected or deleted, leave, enrollments;
 * `details.resembles_person_id`: a picture of them held up to a kiosk, `kiosk.spoof`). Oldest first.
 */
export function auditAboutPerson(db: Db, personId: number): PersonAuditRow[] {
  const rows = db
    .prepare(
      `SELECT * FROM audit_log
        WHERE (target_type = 'person' AND target_id = @id)
           OR (json_valid(details) AND (json_extract(details, '$.person_id') = @pid
                                     OR json_extract(details, '$.resembles_person_id') = @pid))
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

/** Pending template-change notes about this person (what a replica or the gallery reads next). */
export function templateChangesOfPerson(db: Db, personId: number): Record<string, unknown>[] {
  return db.prepare('SELECT * FROM template_changes WHERE person_id = ? ORDER BY seq').all(personId) as Record<
    string,
    unknown
  >[];
}

/**
 * Attendance events about this person still waiting for the hub (the outbox names them by employee
 * number and, for a person the hub sent, by hub id).
 */
export function hubOutboxOfPerson(
  db: Db,
  person: { id: number; employee_number: string },
): { seq: number; event: unknown; created_at: string }[] {
  const rows = db
    .prepare(
      `SELECT seq, event, created_at FROM hub_outbox
        WHERE json_extract(event, '$.employee_number') = @employee_number
           OR json_extract(event, '$.person_hub_id') = (SELECT hub_id FROM people WHERE id = @id)
        ORDER BY seq`,
    )
    .all({ employee_number: person.employee_number, id: person.id }) as {
    seq: number;
    event: string;
    created_at: string;
  }[];
  return rows.map((r) => ({ ...r, event: JSON.parse(r.event) as unknown }));
}
