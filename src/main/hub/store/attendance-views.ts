import type { Sql } from './db';

/** A site as the organisation views judge days by it. */
export interface ViewSiteRow {
  id: number;
  code: string;
  time_zone: string;
  schedule: unknown | null;
}

/** Someone the views expect (or saw): the person and their home site. */
export interface ViewPersonRow {
  id: number;
  employee_number: string;
  full_name: string;
  unit: string | null;
  active: boolean;
  created_at: Date;
  home_site_id: number;
}

export interface ViewEventRow {
  person_id: number | null;
  employee_number: string;
  site_id: number;
  /** null for an event without a kiosk (a phone check-in). */
  device_name: string | null;
  type: 'in' | 'out';
  occurred_at: Date;
  clock_suspect: boolean;
  decision: { decided_by?: string; similarity?: number | null; liveness?: number | null } | null;
}

export interface CorrectionRow {
  person_id: number;
  local_date: string;
  check_in_at: Date | null;
  check_out_at: Date | null;
  late: boolean | null;
  reason: string;
  actor_type: string;
  actor_id: string | null;
  corrected_at: Date;
}

export async function viewSites(sql: Sql): Promise<ViewSiteRow[]> {
  const { rows } = await sql.query<ViewSiteRow>('SELECT id, code, time_zone, schedule FROM sites ORDER BY code');
  return rows;
}

/** People whose home site is `siteId` (all when null), of `unit` when given; inactive ones too. */
export async function viewPeople(sql: Sql, siteId: number | null, unit: string | null): Promise<ViewPersonRow[]> {
  const { rows } = await sql.query<ViewPersonRow>(
    `SELECT id, employee_number, full_name, unit, active, created_at, home_site_id FROM people
      WHERE ($1::bigint IS NULL OR home_site_id = $1) AND ($2::text IS NULL OR unit = $2)`,
    [siteId, unit],
  );
  return rows;
}

export async function viewPeopleByIds(sql: Sql, ids: readonly number[]): Promise<ViewPersonRow[]> {
  const { rows } = await sql.query<ViewPersonRow>(
    `SELECT id, employee_number, full_name, unit, active, created_at, home_site_id FROM people
      WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  return rows;
}

/** Every event of a local date, at every site: a person's day is made of all of them. */
export async function viewEventsOfDate(sql: Sql, date: string): Promise<ViewEventRow[]> {
  const { rows } = await sql.query<ViewEventRow>(
    `SELECT e.person_id, e.employee_number, e.site_id, d.name AS device_name, e.type, e.occurred_at,
            e.clock_suspect, e.decision
       FROM attendance_events e LEFT JOIN devices d ON d.id = e.device_id
      WHERE e.local_date = $1::date
      ORDER BY e.occurred_at`,
    [date],
  );
  return rows;
}

/** Leave covering `date`: person id → kind. */
export async function leaveOnDate(sql: Sql, date: string): Promise<Map<number, string>> {
  const { rows } = await sql.query<{ person_id: number; kind: string }>(
    `SELECT DISTINCT ON (person_id) person_id, kind FROM leave
      WHERE $1::date BETWEEN from_date AND to_date ORDER BY person_id, from_date`,
    [date],
  );
  return new Map(rows.map((r) => [r.person_id, r.kind]));
}

/** Holidays of `date`: site id → name. */
export async function holidaysOnDate(sql: Sql, date: string): Promise<Map<number, string>> {
  const { rows } = await sql.query<{ site_id: number; name: string }>(
    'SELECT site_id, name FROM holidays WHERE date = $1::date',
    [date],
  );
  return new Map(rows.map((r) => [r.site_id, r.name]));
}

export async function correctionsOnDate(sql: Sql, date: string): Promise<Map<number, CorrectionRow>> {
  const { rows } = await sql.query<CorrectionRow>(
    `SELECT person_id, local_date, check_in_at, check_out_at, late, reason, actor_type, actor_id, corrected_at
       FROM attendance_corrections WHERE local_date = $1::date`,
    [date],
  );
  return new Map(rows.map((r) => [r.person_id, r]));
}

export async function correctionOf(sql: Sql, personId: number, date: string): Promise<CorrectionRow | null> {
  const { rows } = await sql.query<CorrectionRow>(
    `SELECT person_id, local_date, check_in_at, check_out_at, late, reason, actor_type, actor_id, corrected_at
       FROM attendance_corrections WHERE person_id = $1 AND local_date = $2::date FOR UPDATE`,
    [personId, date],
  );
  return rows[0] ?? null;
}

/** The person's corrected day (replacing an earlier correction of that day). */
export async function upsertCorrection(sql: Sql, c: Omit<CorrectionRow, 'corrected_at'>): Promise<CorrectionRow> {
  const { rows } = await sql.query<CorrectionRow>(
    `INSERT INTO attendance_corrections (person_id, local_date, check_in_at, check_out_at, late, reason, actor_type, actor_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (person_id, local_date) DO UPDATE SET
       check_in_at = excluded.check_in_at, check_out_at = excluded.check_out_at, late = excluded.late,
       reason = excluded.reason, actor_type = excluded.actor_type, actor_id = excluded.actor_id, corrected_at = now()
     RETURNING person_id, local_date, check_in_at, check_out_at, late, reason, actor_type, actor_id, corrected_at`,
    [
      c.person_id,
      c.local_date,
      c.check_in_at?.toISOString() ?? null,
      c.check_out_at?.toISOString() ?? null,
      c.late,
      c.reason,
      c.actor_type,
      c.actor_id,
    ],
  );
  return rows[0];
}
