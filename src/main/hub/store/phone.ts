import { keyringFor, openEmbedding, type StoredEmbedding } from './data-key';
import type { Sql } from './db';
import { embeddingFromBytes } from './people';

export interface ClaimedPerson {
  id: number;
  hub_id: string;
  employee_number: string;
  full_name: string;
  active: boolean;
  home_site_id: number;
  /** Home site first. */
  sites: number[];
}

export async function claimedPerson(sql: Sql, employeeNumber: string): Promise<ClaimedPerson | null> {
  const { rows } = await sql.query<ClaimedPerson>(
    `SELECT p.id, p.hub_id, p.employee_number, p.full_name, p.active, p.home_site_id,
            array_prepend(p.home_site_id, coalesce(array_agg(ps.site_id) FILTER (WHERE ps.site_id IS NOT NULL
                                                                              AND ps.site_id <> p.home_site_id), '{}'))::int[] AS sites
       FROM people p LEFT JOIN person_sites ps ON ps.person_id = p.id
      WHERE p.employee_number = $1 GROUP BY p.id`,
    [employeeNumber],
  );
  return rows[0] ?? null;
}

export async function personTemplates(sql: Sql, personId: number, packId: string): Promise<Float32Array[]> {
  const keyring = keyringFor(sql);
  const { rows } = await sql.query<StoredEmbedding>(
    'SELECT hub_id, person_id, key_id, embedding FROM face_templates WHERE person_id = $1 AND pack_id = $2 ORDER BY id',
    [personId, packId],
  );
  return rows.map((r) => embeddingFromBytes(openEmbedding(keyring, r)));
}

export interface PhoneSite {
  id: number;
  code: string;
  time_zone: string;
  schedule: unknown | null;
  geofence: { latitude: number; longitude: number; radius_m: number } | null;
}

export async function phoneSite(sql: Sql, where: { id?: number; code?: string }): Promise<PhoneSite | null> {
  const { rows } = await sql.query<PhoneSite>(
    `SELECT id, code, time_zone, schedule, geofence FROM sites WHERE ($1::bigint IS NULL OR id = $1)
        AND ($2::text IS NULL OR code = $2)`,
    [where.id ?? null, where.code ?? null],
  );
  return rows[0] ?? null;
}

export async function setGeofence(sql: Sql, siteId: number, fence: PhoneSite['geofence']): Promise<void> {
  await sql.query('UPDATE sites SET geofence = $2 WHERE id = $1', [
    siteId,
    fence === null ? null : JSON.stringify(fence),
  ]);
}

/** Whether the person has a check-in on this local date (any site, any source). */
export async function hasCheckInOn(sql: Sql, personId: number, localDate: string): Promise<boolean> {
  const { rows } = await sql.query<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM attendance_events WHERE person_id = $1 AND local_date = $2 AND type = 'in') AS any`,
    [personId, localDate],
  );
  return rows[0].any;
}

export interface PhoneEvent {
  idempotencyKey: string;
  personId: number;
  personHubId: string;
  employeeNumber: string;
  siteId: number;
  type: 'in' | 'out';
  occurredAt: Date;
  localDate: string;
  decision: unknown;
}

/**
 * Store a phone's event once: a second insert with the same key stores nothing (the unique constraint
 * decides, under any concurrency) and returns the decision stored the first time.
 */
export async function insertPhoneEvent(
  sql: Sql,
  e: PhoneEvent,
): Promise<{ inserted: boolean; decision: unknown; employee_number: string }> {
  const { rows } = await sql.query<{ decision: unknown; employee_number: string }>(
    `INSERT INTO attendance_events (source, idempotency_key, person_id, person_hub_id, employee_number, site_id, type,
                                    occurred_at, local_date, clock_offset_ms, clock_suspect, decision)
     VALUES ('phone', $1, $2, $3, $4, $5, $6, $7, $8, NULL, false, $9)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING decision, employee_number`,
    [
      e.idempotencyKey,
      e.personId,
      e.personHubId,
      e.employeeNumber,
      e.siteId,
      e.type,
      e.occurredAt.toISOString(),
      e.localDate,
      JSON.stringify(e.decision),
    ],
  );
  if (rows[0]) return { inserted: true, ...rows[0] };
  const stored = await storedPhoneEvent(sql, e.idempotencyKey);
  return { inserted: false, decision: stored?.decision ?? null, employee_number: stored?.employee_number ?? '' };
}

export async function storedPhoneEvent(
  sql: Sql,
  idempotencyKey: string,
): Promise<{ decision: unknown; employee_number: string } | null> {
  const { rows } = await sql.query<{ decision: unknown; employee_number: string }>(
    'SELECT decision, employee_number FROM attendance_events WHERE idempotency_key = $1',
    [idempotencyKey],
  );
  return rows[0] ?? null;
}

export async function countPhoneEvents(sql: Sql, employeeNumber: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM attendance_events WHERE source = 'phone' AND employee_number = $1`,
    [employeeNumber],
  );
  return rows[0].n;
}

export async function insertChallenge(
  sql: Sql,
  c: { employeeNumber: string; direction: 'left' | 'right'; ttlMs: number },
): Promise<{ id: string; expires_at: Date; issued_at: Date }> {
  const { rows } = await sql.query<{ id: string; expires_at: Date; issued_at: Date }>(
    `INSERT INTO checkin_challenges (employee_number, direction, expires_at)
     VALUES ($1, $2, now() + $3 * interval '1 millisecond') RETURNING id, issued_at, expires_at`,
    [c.employeeNumber, c.direction, c.ttlMs],
  );
  return rows[0];
}

/**
 * Take a challenge for an answer: once only, before it expires by the database's clock, and only for
 * the person it was issued to. Null when any of that fails.
 */
export async function takeChallenge(
  sql: Sql,
  id: string,
  employeeNumber: string,
): Promise<{ direction: 'left' | 'right' } | null> {
  const { rows } = await sql.query<{ direction: 'left' | 'right' }>(
    `UPDATE checkin_challenges SET used_at = now()
      WHERE id = $1 AND employee_number = $2 AND used_at IS NULL AND expires_at > now() RETURNING direction`,
    [id, employeeNumber],
  );
  return rows[0] ?? null;
}
