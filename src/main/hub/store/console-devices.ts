import type { Sql } from './db';

/** A kiosk is online when it was heard from within this many seconds (by the database's clock). */
export const ONLINE_WITHIN_S = 120;

export interface ConsoleDeviceRow {
  id: string;
  name: string;
  site_code: string;
  site_name: string;
  site_time_zone: string;
  online: boolean;
  last_seen_at: Date | null;
  revoked_at: Date | null;
  app_version: string;
  pack_id: string;
  clock_offset_ms: number | null;
  last_status: unknown | null;
}

/** The kiosks of these sites (null: all), revoked ones too, by site and pairing time. */
export async function consoleDevices(sql: Sql, siteIds: readonly number[] | null): Promise<ConsoleDeviceRow[]> {
  const { rows } = await sql.query<ConsoleDeviceRow>(
    `SELECT d.id, d.name, s.code AS site_code, s.name AS site_name, s.time_zone AS site_time_zone,
            coalesce(d.last_seen_at > now() - make_interval(secs => $2), false) AS online,
            d.last_seen_at, d.revoked_at, d.app_version, d.pack_id, d.clock_offset_ms, d.last_status
       FROM devices d JOIN sites s ON s.id = d.site_id
      WHERE $1::bigint[] IS NULL OR d.site_id = ANY($1::bigint[])
      ORDER BY s.code, d.created_at, d.id`,
    [siteIds === null ? null : [...siteIds], ONLINE_WITHIN_S],
  );
  return rows;
}

export async function deviceSiteCode(sql: Sql, id: string): Promise<string | null> {
  const { rows } = await sql.query<{ code: string }>(
    `SELECT s.code FROM devices d JOIN sites s ON s.id = d.site_id WHERE d.id::text = $1`,
    [id],
  );
  return rows[0]?.code ?? null;
}
