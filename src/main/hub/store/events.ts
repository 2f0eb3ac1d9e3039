import type { Sql } from './db';

export interface EventRow {
  seq: number;
  personId: number | null;
  personHubId: string | null;
  employeeNumber: string;
  type: 'in' | 'out';
  occurredAt: Date;
  localDate: string;
  clockOffsetMs: number | null;
  clockSuspect: boolean;
  decision: unknown;
}

/**
 * Store a device's events in one statement; an event already stored (same device and seq) is left as
 * it is: the primary key, not a lookup, decides. Returns how many were new.
 */
export async function insertEvents(tx: Sql, deviceId: string, siteId: number, events: readonly EventRow[]) {
  if (events.length === 0) return 0;
  const res = await tx.query(
    `INSERT INTO attendance_events (device_id, site_id, seq, person_id, person_hub_id, employee_number, type,
                                    occurred_at, local_date, clock_offset_ms, clock_suspect, decision)
     SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::uuid[], $6::text[], $7::text[],
                                  $8::timestamptz[], $9::date[], $10::bigint[], $11::boolean[], $12::jsonb[])
     ON CONFLICT (device_id, seq) DO NOTHING`,
    [
      deviceId,
      siteId,
      events.map((e) => e.seq),
      events.map((e) => e.personId),
      events.map((e) => e.personHubId),
      events.map((e) => e.employeeNumber),
      events.map((e) => e.type),
      events.map((e) => e.occurredAt.toISOString()),
      events.map((e) => e.localDate),
      events.map((e) => e.clockOffsetMs),
      events.map((e) => e.clockSuspect),
      events.map((e) => JSON.stringify(e.decision)),
    ],
  );
  return res.rowCount ?? 0;
}

/**
 * The highest seq up to which every event of the device is stored, given that all up to `from` are:
 * the end of the unbroken run that starts at from + 1 (from itself when from + 1 is missing).
 */
export async function contiguousSeq(tx: Sql, deviceId: string, from: number): Promise<number> {
  const { rows } = await tx.query<{ acked: number }>(
    `SELECT CASE
              WHEN NOT EXISTS (SELECT 1 FROM attendance_events WHERE device_id = $1 AND seq = $2 + 1) THEN $2
              ELSE (SELECT min(e.seq) FROM attendance_events e
                     WHERE e.device_id = $1 AND e.seq > $2
                       AND NOT EXISTS (SELECT 1 FROM attendance_events n WHERE n.device_id = $1 AND n.seq = e.seq + 1))
            END AS acked`,
    [deviceId, from],
  );
  return rows[0].acked;
}

/** People's ids by hub id and by employee number, for resolving a batch. */
export async function resolvePeople(
  sql: Sql,
  hubIds: readonly string[],
  employeeNumbers: readonly string[],
): Promise<{ id: number; hub_id: string; employee_number: string }[]> {
  const { rows } = await sql.query<{ id: number; hub_id: string; employee_number: string }>(
    `SELECT id, hub_id, employee_number FROM people
      WHERE hub_id = ANY($1::uuid[]) OR employee_number = ANY($2::text[])`,
    [hubIds, employeeNumbers],
  );
  return rows;
}

export interface StoredEventRow {
  device_id: string;
  device_name: string;
  seq: number;
  person_id: number | null;
  employee_number: string;
  full_name: string | null;
  site: string;
  time_zone: string;
  schedule: unknown | null;
  type: 'in' | 'out';
  occurred_at: Date;
  local_date: string;
  clock_suspect: boolean;
  clock_offset_ms: number | null;
  received_at: Date;
}

/** Events of a local date (at one site, or all), in time order. */
export async function eventsOfDate(sql: Sql, date: string, siteId: number | null): Promise<StoredEventRow[]> {
  const { rows } = await sql.query<StoredEventRow>(
    `SELECT e.device_id, d.name AS device_name, e.seq, e.person_id, e.employee_number, p.full_name,
            s.code AS site, s.time_zone, s.schedule, e.type, e.occurred_at, e.local_date, e.clock_suspect,
            e.clock_offset_ms, e.received_at
       FROM attendance_events e
       JOIN sites s ON s.id = e.site_id
       JOIN devices d ON d.id = e.device_id
       LEFT JOIN people p ON p.id = e.person_id
      WHERE e.local_date = $1::date AND ($2::bigint IS NULL OR e.site_id = $2)
      ORDER BY e.occurred_at, e.device_id, e.seq`,
    [date, siteId],
  );
  return rows;
}
