import { randomUUID } from 'node:crypto';
import type { Db } from './db';

/** An enrollment waiting for the hub (migration 011). */
export interface PendingUpload {
  id: number;
  upload_id: string;
  person_id: number;
  pack_id: string;
  template_ids: number[];
  consent: { method: string; given_at: string } | null;
  created_at: string;
  attempts: number;
}

export interface NewUpload {
  personId: number;
  packId: string;
  templateIds: readonly number[];
  consent: { method: string; given_at: string } | null;
  at: string;
}

/** What the status shows about uploads. */
export interface UploadCounts {
  pending: number;
  refused: number;
  /** The hub's reason for the latest refusal. */
  lastRefusal: { reason: string; at: string } | null;
}

interface Row extends Omit<PendingUpload, 'template_ids' | 'consent'> {
  template_ids: string;
  consent: string | null;
}

/**
 * The SQL of the enrollment uploads (`hub_uploads`). Callers own the transactions: {@link recordIfJoined}
 * runs inside the enrollment's, the answer's bookkeeping inside the uploader's.
 */
export class HubUploadsRepo {
  constructor(private readonly db: Db) {}

  /**
   * Queue an enrollment for the hub when this kiosk is joined and not revoked; returns its upload id,
   * or null for a standalone (or revoked) kiosk, which keeps its people local.
   */
  recordIfJoined(u: NewUpload): string | null {
    const joined = this.db.prepare('SELECT 1 FROM hub_link WHERE revoked_at IS NULL').pluck().get() !== undefined;
    if (!joined) return null;
    const uploadId = randomUUID();
    this.db
      .prepare(
        `INSERT INTO hub_uploads (upload_id, person_id, pack_id, template_ids, consent, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(uploadId, u.personId, u.packId, JSON.stringify(u.templateIds), u.consent && JSON.stringify(u.consent), u.at);
    return uploadId;
  }

  /**
   * Local people never offered to the hub: no hub id, active, with usable templates of `packId` and no
   * upload at all (a pending one would go twice; a done one is linked or left for the operator; a
   * refused one would only be refused again). Each with their local templates of that pack. Inactive
   * people stay local: an upload would make them an active person of the organisation.
   */
  localPeopleNotOffered(packId: string): { personId: number; templateIds: number[] }[] {
    const rows = this.db
      .prepare(
        `SELECT p.id AS person_id, json_group_array(t.id) AS template_ids
           FROM people p JOIN face_templates t ON t.person_id = p.id
          WHERE p.hub_id IS NULL AND p.active = 1
            AND t.pack_id = ? AND t.usable = 1 AND t.hub_id IS NULL
            AND NOT EXISTS (SELECT 1 FROM hub_uploads u WHERE u.person_id = p.id)
          GROUP BY p.id ORDER BY p.id`,
      )
      .all(packId) as { person_id: number; template_ids: string }[];
    return rows.map((r) => ({
      personId: r.person_id,
      templateIds: (JSON.parse(r.template_ids) as number[]).sort((a, b) => a - b),
    }));
  }

  /** The oldest upload still to send. */
  oldestPending(): PendingUpload | null {
    const r = this.db
      .prepare(
        `SELECT id, upload_id, person_id, pack_id, template_ids, consent, created_at, attempts
           FROM hub_uploads WHERE state = 'pending' ORDER BY id LIMIT 1`,
      )
      .get() as Row | undefined;
    if (!r) return null;
    return {
      ...r,
      template_ids: JSON.parse(r.template_ids) as number[],
      consent: r.consent === null ? null : (JSON.parse(r.consent) as PendingUpload['consent']),
    };
  }

  /** The hub took it; the local ids are linked to the hub's (same transaction). */
  markDone(id: number, hubPersonId: string, at: string): void {
    this.db
      .prepare(
        "UPDATE hub_uploads SET state = 'done', hub_person_id = ?, finished_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
      )
      .run(hubPersonId, at, id);
  }

  /** The hub will not take it: the person stays local; the reason is what the status shows. */
  markRefused(id: number, reason: string, at: string): void {
    this.db
      .prepare(
        "UPDATE hub_uploads SET state = 'refused', last_error = ?, finished_at = ?, attempts = attempts + 1 WHERE id = ?",
      )
      .run(reason, at, id);
  }

  /** A try that got no answer (or one worth retrying): it stays pending. */
  markAttemptFailed(id: number, error: string): void {
    this.db.prepare('UPDATE hub_uploads SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(error, id);
  }

  /** The uploads of a person, oldest first (tests, support). */
  forPerson(personId: number): { upload_id: string; state: string; last_error: string | null; attempts: number }[] {
    return this.db
      .prepare('SELECT upload_id, state, last_error, attempts FROM hub_uploads WHERE person_id = ? ORDER BY id')
      .all(personId) as { upload_id: string; state: string; last_error: string | null; attempts: number }[];
  }

  counts(): UploadCounts {
    const c = this.db
      .prepare(
        `SELECT coalesce(sum(state = 'pending'), 0) AS pending, coalesce(sum(state = 'refused'), 0) AS refused
           FROM hub_uploads`,
      )
      .get() as { pending: number; refused: number };
    const last = this.db
      .prepare(
        `SELECT last_error AS reason, finished_at AS at FROM hub_uploads
          WHERE state = 'refused' ORDER BY finished_at DESC, id DESC LIMIT 1`,
      )
      .get() as { reason: string | null; at: string } | undefined;
    return {
      pending: c.pending,
      refused: c.refused,
      lastRefusal: last ? { reason: last.reason ?? '', at: last.at } : null,
    };
  }

  // --- The answer's bookkeeping ----------------------------------------------------------------------

  /** The person's hub id (null: local only), or undefined when they are gone. */
  personHubId(personId: number): string | null | undefined {
    const r = this.db.prepare('SELECT hub_id FROM people WHERE id = ?').get(personId) as
      { hub_id: string | null } | undefined;
    return r?.hub_id;
  }

  /** A local template's id, if it still exists and is the person's. */
  templateOf(personId: number, templateId: number): { id: number; hub_id: string | null } | null {
    return (
      (this.db
        .prepare('SELECT id, hub_id FROM face_templates WHERE id = ? AND person_id = ?')
        .get(templateId, personId) as { id: number; hub_id: string | null } | undefined) ?? null
    );
  }

  /** Give a local template the hub's id of the same template. */
  setTemplateHubId(templateId: number, hubId: string): void {
    this.db.prepare('UPDATE face_templates SET hub_id = ? WHERE id = ?').run(hubId, templateId);
  }
}
