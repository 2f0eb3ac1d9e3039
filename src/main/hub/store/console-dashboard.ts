import type pg from 'pg';
import { inTransaction, type Sql } from './db';

/** A site's lateness cut-off on a date: a first check-in at or after `cutoff` there is late. */
export interface LateCutoff {
  siteId: number;
  date: string;
  cutoff: Date;
}

export interface TrendDayRow {
  date: string;
  /** People with an event that day (their first check-in, or a check-out only), days with a correction left out. */
  present: number;
  late: number;
}

/**
 * Per local date of [from, to]: how many people (whose home site is one of `homeSiteIds`, null: all)
 * had a day from kiosk events, and how many of those first checked in late. One statement, one hash
 * aggregation (no sort of the month's events): per person and day, the earliest check-in (as
 * derivePersonDay picks it, at any site) and the earliest check-in at or after its own site's cut-off
 * for that date; the day is late when they are the same event. Days with a correction are left to the
 * caller (the correction states them).
 */
export async function trendFromEvents(
  pool: pg.Pool,
  from: string,
  to: string,
  homeSiteIds: readonly number[] | null,
  cutoffs: readonly LateCutoff[],
): Promise<TrendDayRow[]> {
  return inTransaction(
    pool,
    async (tx) => {
      // A month of 10,000 people is ~200,000 person-days: aggregated in memory, not spilled to disk.
      await tx.query("SET LOCAL work_mem = '64MB'");
      const { rows } = await tx.query<TrendDayRow>(
        `SELECT d.local_date AS date, count(*)::int AS present,
                count(*) FILTER (WHERE d.first_in = d.first_late_in)::int AS late
           FROM (SELECT e.person_id, e.local_date,
                        min(e.occurred_at) FILTER (WHERE e.type = 'in') AS first_in,
                        min(e.occurred_at) FILTER (WHERE e.type = 'in' AND e.occurred_at >= k.cutoff) AS first_late_in
                   FROM attendance_events e
                   LEFT JOIN unnest($4::bigint[], $5::date[], $6::timestamptz[]) AS k(site_id, date, cutoff)
                     ON k.site_id = e.site_id AND k.date = e.local_date
                  WHERE e.local_date BETWEEN $1::date AND $2::date AND e.person_id IS NOT NULL
                    AND ($3::bigint[] IS NULL
                         OR EXISTS (SELECT 1 FROM people p WHERE p.id = e.person_id AND p.home_site_id = ANY($3::bigint[])))
                    AND NOT EXISTS (SELECT 1 FROM attendance_corrections c
                                     WHERE c.person_id = e.person_id AND c.local_date = e.local_date)
                  GROUP BY e.person_id, e.local_date) d
          GROUP BY d.local_date ORDER BY d.local_date`,
        [
          from,
          to,
          homeSiteIds === null ? null : [...homeSiteIds],
          cutoffs.map((c) => c.siteId),
          cutoffs.map((c) => c.date),
          cutoffs.map((c) => c.cutoff.toISOString()),
        ],
      );
      return rows;
    },
    { readOnly: true },
  );
}

export interface TrendCorrectionRow {
  local_date: string;
  home_site_id: number;
  check_in_at: Date | null;
  check_out_at: Date | null;
  late: boolean | null;
}

export async function correctionsBetween(
  sql: Sql,
  from: string,
  to: string,
  homeSiteIds: readonly number[] | null,
): Promise<TrendCorrectionRow[]> {
  const { rows } = await sql.query<TrendCorrectionRow>(
    `SELECT c.local_date, p.home_site_id, c.check_in_at, c.check_out_at, c.late
       FROM attendance_corrections c JOIN people p ON p.id = c.person_id
      WHERE c.local_date BETWEEN $1::date AND $2::date
        AND ($3::bigint[] IS NULL OR p.home_site_id = ANY($3::bigint[]))`,
    [from, to, homeSiteIds === null ? null : [...homeSiteIds]],
  );
  return rows;
}

export interface ConsoleSiteRow {
  id: number;
  code: string;
  name: string;
  time_zone: string;
  schedule: unknown | null;
}

/** Every site, in the order they were made (the first is the hub's "home" for a default date). */
export async function consoleSites(sql: Sql): Promise<ConsoleSiteRow[]> {
  const { rows } = await sql.query<ConsoleSiteRow>('SELECT id, code, name, time_zone, schedule FROM sites ORDER BY id');
  return rows;
}
