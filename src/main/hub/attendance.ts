import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { isValidDate } from '../../shared/local-time';
import { derivePersonDay, isoInZone, ScheduleCache, type DayEvent } from './attendance-day';
import { requireSite } from './sites';
import { eventsOfDate, type StoredEventRow } from './store/events';

export interface AttendanceEventView {
  employee_number: string;
  full_name: string | null;
  site: string;
  device: string;
  device_name: string;
  seq: number;
  type: 'in' | 'out';
  /** ISO 8601 in the site's zone, with its offset. */
  time: string;
  clock_suspect: boolean;
}

export interface AttendanceDayView {
  employee_number: string;
  full_name: string | null;
  first_in: { time: string; site: string } | null;
  last_out: { time: string; site: string } | null;
  late: boolean | null;
}

type Ev = DayEvent & { row: StoredEventRow };

/**
 * A local date's events (at one site, or all) and each person's day derived from all their events of
 * that date at every site. People the hub does not know are grouped by the employee number the kiosk sent.
 */
export async function attendanceOfDate(
  pool: pg.Pool,
  date: string,
  siteCode?: string,
): Promise<{ date: string; events: AttendanceEventView[]; days: AttendanceDayView[] }> {
  if (!isValidDate(date)) throw new HadirError('BAD_REQUEST', `not a date (YYYY-MM-DD): "${date}"`);
  const site = siteCode ? await requireSite(pool, siteCode) : null;
  const all = await eventsOfDate(pool, date, null);
  const events = site ? all.filter((e) => e.site === site.code) : all;
  const byPerson = new Map<string, Ev[]>();
  for (const row of all) {
    const key = row.person_id !== null ? `p${row.person_id}` : `n${row.employee_number}`;
    const list = byPerson.get(key) ?? [];
    list.push({
      type: row.type,
      occurred_at: row.occurred_at,
      site: { code: row.site, time_zone: row.time_zone, schedule: row.schedule },
      row,
    });
    byPerson.set(key, list);
  }
  const schedules = new ScheduleCache();
  const days: AttendanceDayView[] = [];
  for (const list of byPerson.values()) {
    if (site && !list.some((e) => e.row.site === site.code)) continue;
    const d = derivePersonDay(list, schedules);
    const at = (e: Ev | null) => (e ? { time: isoInZone(e.occurred_at, e.row.time_zone), site: e.row.site } : null);
    days.push({
      employee_number: list[0].row.employee_number,
      full_name: list[0].row.full_name,
      first_in: at(d.first_in),
      last_out: at(d.last_out),
      late: d.late,
    });
  }
  days.sort((a, b) => a.employee_number.localeCompare(b.employee_number));
  return {
    date,
    events: events.map((e) => ({
      employee_number: e.employee_number,
      full_name: e.full_name,
      site: e.site,
      device: e.device_id,
      device_name: e.device_name,
      seq: e.seq,
      type: e.type,
      time: isoInZone(e.occurred_at, e.time_zone),
      clock_suspect: e.clock_suspect,
    })),
    days,
  };
}
