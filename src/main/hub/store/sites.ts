import type { Sql } from './db';

export interface SiteRow {
  id: number;
  code: string;
  name: string;
  time_zone: string;
  schedule: unknown | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, code, name, time_zone, schedule, created_at, updated_at';

export async function insertSite(sql: Sql, s: { code: string; name: string; timeZone: string }): Promise<SiteRow> {
  const { rows } = await sql.query<SiteRow>(
    `INSERT INTO sites (code, name, time_zone) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [s.code, s.name, s.timeZone],
  );
  return rows[0];
}

export async function siteByCode(sql: Sql, code: string): Promise<SiteRow | null> {
  const { rows } = await sql.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE code = $1`, [code]);
  return rows[0] ?? null;
}

export async function siteById(sql: Sql, id: number): Promise<SiteRow | null> {
  const { rows } = await sql.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function sitesByCodes(sql: Sql, codes: readonly string[]): Promise<SiteRow[]> {
  const { rows } = await sql.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE code = ANY($1::text[])`, [codes]);
  return rows;
}

export async function listSites(sql: Sql): Promise<(SiteRow & { people: number; devices: number })[]> {
  const { rows } = await sql.query<SiteRow & { people: number; devices: number }>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `s.${c}`)
      .join(', ')},
            (SELECT count(*) FROM people p WHERE p.home_site_id = s.id) AS people,
            (SELECT count(*) FROM devices d WHERE d.site_id = s.id AND d.revoked_at IS NULL) AS devices
       FROM sites s ORDER BY s.code`,
  );
  return rows;
}

export async function updateSchedule(sql: Sql, id: number, schedule: unknown | null): Promise<void> {
  await sql.query('UPDATE sites SET schedule = $2, updated_at = now() WHERE id = $1', [
    id,
    schedule === null ? null : JSON.stringify(schedule),
  ]);
}

export async function upsertHoliday(sql: Sql, siteId: number, date: string, name: string): Promise<void> {
  await sql.query(
    `INSERT INTO holidays (site_id, date, name) VALUES ($1, $2, $3)
     ON CONFLICT (site_id, date) DO UPDATE SET name = excluded.name`,
    [siteId, date, name],
  );
}

export async function holidaysOf(sql: Sql, siteId: number): Promise<{ date: string; name: string }[]> {
  const { rows } = await sql.query<{ date: string; name: string }>(
    'SELECT date, name FROM holidays WHERE site_id = $1 ORDER BY date',
    [siteId],
  );
  return rows;
}
