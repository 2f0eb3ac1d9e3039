/**
 * The organisation's day through the hub: each person's day from all their events at every site (first
 * in, last out, lateness by the schedule of the site of the first check-in, as attendance-day.ts
 * derives it), an operator's correction winning over the derived day, and who is absent: active people
 * of the site, existing by the end of the day, with no event on a workday of their home site and not
 * on leave (the kiosk's daily-summary rule, isExpectedWorkday, over the site's schedule as its kiosks
 * follow it, scheduleForSite).
 */
import type pg from 'pg';
import type { DailySummary } from '../../shared/attendance';
import { HadirError } from '../../shared/errors';
import { addDays, isValidDate, zonedToUtc } from '../../shared/local-time';
import { isExpectedWorkday, Schedule } from '../services/schedule';
import { scheduleForSite } from '../sync/site-schedule';
import {
  derivePersonDay,
  isoInZone,
  type PersonDay,
  ScheduleCache,
  type DayEvent,
  type SiteRules,
} from './attendance-day';
import * as views from './store/attendance-views';

export const DAY_STATUSES = ['present', 'late', 'absent', 'on_leave', 'off'] as const;
/** `off`: no event and none expected (a weekend, a holiday of the home site, someone inactive). */
export type DayStatus = (typeof DAY_STATUSES)[number];

export interface DayMoment {
  /** ISO 8601 in the zone of the site where it happened, with its offset. */
  time: string;
  site: string;
  /** The kiosk's name; null for a corrected time or an event without a kiosk. */
  device: string | null;
}

export interface OrgPersonDay {
  employee_number: string;
  /** null for an employee number the hub does not know (events kept unlinked). */
  full_name: string | null;
  unit: string | null;
  home_site: string | null;
  status: DayStatus;
  first_in: DayMoment | null;
  last_out: DayMoment | null;
  late: boolean | null;
  /** The kind of leave covering the day (cuti, sakit, izin, dinas), when there is one. */
  leave: string | null;
  /** Set when an operator or a key corrected this day: the times above are the corrected ones. */
  corrected: { reason: string; by: string; at: string } | null;
  /** A kiosk event of the day has a clock worth a human look. */
  clock_suspect: boolean;
}

/** The day's counts, as the kiosk's daily summary has them (DailySummary). */
export type OrgDaySummary = Omit<DailySummary, 'date' | 'holiday' | 'workday' | 'absent_people'>;

export interface OrgDayView {
  date: string;
  site: string | null;
  unit: string | null;
  /** With a site: whether that site works that day, and its holiday's name. */
  workday: boolean | null;
  holiday: string | null;
  summary: OrgDaySummary;
  days: OrgPersonDay[];
}

export interface DayFilter {
  site?: string;
  unit?: string;
  /**
   * Without `site`: only the days of these sites (an operator's): people whose home site is one of
   * them and anyone whose first check-in or last check-out was at one. Null or absent: every site.
   */
  sites?: readonly string[] | null;
}

type Ev = DayEvent & { row: views.ViewEventRow; siteRow: views.ViewSiteRow };

/** One person's day with what an export needs besides the view. */
export interface DayEntry {
  view: OrgPersonDay;
  personId: number | null;
  /** Active and existing by the end of the day: counted in the summary's `active`. */
  expected: boolean;
  /** Whether the home site works that day (not a holiday there). */
  workday: boolean;
  /** The zone the day's times are read in: the home site's (the first event's site for a stranger). */
  zone: string;
  firstIn: Ev | null;
  lastOut: Ev | null;
  correction: views.CorrectionRow | null;
}

const rulesOf = (s: views.ViewSiteRow): SiteRules => ({ code: s.code, time_zone: s.time_zone, schedule: s.schedule });

/** Workday schedules per site, as the site's kiosks follow them. */
class WorkdaySchedules {
  private readonly cache = new Map<number, Schedule>();
  of(site: views.ViewSiteRow): Schedule {
    let s = this.cache.get(site.id);
    if (!s) {
      s = new Schedule(
        scheduleForSite({
          code: site.code,
          name: site.code,
          time_zone: site.time_zone,
          schedule: site.schedule,
          holidays: [],
        }),
      );
      this.cache.set(site.id, s);
    }
    return s;
  }
}

/** Every person's day of `date` in the filter's scope (see the module comment). */
export async function dayEntries(
  pool: pg.Pool,
  date: string,
  filter: DayFilter = {},
): Promise<{
  entries: DayEntry[];
  site: views.ViewSiteRow | null;
  workday: boolean | null;
  holiday: string | null;
}> {
  if (!isValidDate(date)) throw new HadirError('BAD_REQUEST', `not a date (YYYY-MM-DD): "${date}"`);
  const sites = await views.viewSites(pool);
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const site = filter.site === undefined ? null : (sites.find((s) => s.code === filter.site) ?? null);
  if (filter.site !== undefined && !site) {
    throw new HadirError('NOT_FOUND', `no site "${filter.site}" (see \`hadir hub site list\`)`);
  }
  const unit = filter.unit ?? null;
  const [events, leave, holidays, corrections, homePeople] = await Promise.all([
    views.viewEventsOfDate(pool, date),
    views.leaveOnDate(pool, date),
    views.holidaysOnDate(pool, date),
    views.correctionsOnDate(pool, date),
    views.viewPeople(pool, site?.id ?? null, unit),
  ]);
  const people = new Map(homePeople.map((p) => [p.id, p]));
  // Someone from elsewhere who checked in at this site belongs to its day too.
  const visitors = [
    ...new Set(
      events.filter((e) => e.person_id !== null && !people.has(e.person_id) && (!site || e.site_id === site.id)),
    ).values(),
  ].map((e) => e.person_id!);
  if (visitors.length) {
    for (const p of await views.viewPeopleByIds(pool, [...new Set(visitors)])) {
      if (unit === null || p.unit === unit) people.set(p.id, p);
    }
  }
  const byKey = new Map<string, Ev[]>();
  for (const row of events) {
    const key = row.person_id !== null ? `p${row.person_id}` : `n${row.employee_number}`;
    const siteRow = siteById.get(row.site_id)!;
    const list = byKey.get(key) ?? [];
    list.push({ type: row.type, occurred_at: row.occurred_at, site: rulesOf(siteRow), row, siteRow });
    byKey.set(key, list);
  }
  const lateRules = new ScheduleCache();
  const workdays = new WorkdaySchedules();
  const moment = (e: Ev | null): DayMoment | null =>
    e ? { time: isoInZone(e.occurred_at, e.siteRow.time_zone), site: e.siteRow.code, device: e.row.device_name } : null;

  const entries: DayEntry[] = [];
  for (const p of people.values()) {
    const home = siteById.get(p.home_site_id)!;
    const existed = p.created_at < zonedToUtc(addDays(date, 1), '00:00', home.time_zone);
    const correction = corrections.get(p.id) ?? null;
    const own = byKey.get(`p${p.id}`) ?? [];
    if (own.length === 0 && !correction && (!p.active || !existed)) continue;
    const onLeave = leave.get(p.id) ?? null;
    const workday = isExpectedWorkday(workdays.of(home), date, holidays.get(home.id) ?? null);
    const d = judgeDay(own, correction, (type, at) => corrected(type, at, home), lateRules, onLeave, workday);
    const { late, status } = d;
    entries.push({
      personId: p.id,
      expected: p.active && existed,
      workday,
      zone: home.time_zone,
      firstIn: d.first_in,
      lastOut: d.last_out,
      correction,
      view: {
        employee_number: p.employee_number,
        full_name: p.full_name,
        unit: p.unit,
        home_site: home.code,
        status,
        first_in: moment(d.first_in),
        last_out: moment(d.last_out),
        late,
        leave: onLeave,
        corrected: correction
          ? {
              reason: correction.reason,
              by: `${correction.actor_type}:${correction.actor_id ?? ''}`,
              at: correction.corrected_at.toISOString(),
            }
          : null,
        clock_suspect: own.some((e) => e.row.clock_suspect),
      },
    });
  }
  // Employee numbers the hub does not know: kept, by the number the kiosk sent, when no unit is asked for.
  if (unit === null) {
    for (const [key, evs] of byKey) {
      if (!key.startsWith('n') || (site && !evs.some((e) => e.siteRow.id === site.id))) continue;
      const d = derivePersonDay(evs, lateRules);
      entries.push({
        personId: null,
        expected: false,
        workday: false,
        zone: evs[0].siteRow.time_zone,
        firstIn: d.first_in,
        lastOut: d.last_out,
        correction: null,
        view: {
          employee_number: evs[0].row.employee_number,
          full_name: null,
          unit: null,
          home_site: null,
          status: d.late ? 'late' : 'present',
          first_in: moment(d.first_in),
          last_out: moment(d.last_out),
          late: d.late,
          leave: null,
          corrected: null,
          clock_suspect: evs.some((e) => e.row.clock_suspect),
        },
      });
    }
  }
  const mine = !site && filter.sites ? new Set(filter.sites) : null;
  const scoped = mine
    ? entries.filter(
        (e) =>
          (e.view.home_site !== null && mine.has(e.view.home_site)) ||
          (e.view.first_in !== null && mine.has(e.view.first_in.site)) ||
          (e.view.last_out !== null && mine.has(e.view.last_out.site)),
      )
    : entries;
  scoped.sort(
    (a, b) =>
      (a.view.unit ?? '\uffff').localeCompare(b.view.unit ?? '\uffff') ||
      a.view.employee_number.localeCompare(b.view.employee_number),
  );
  return {
    entries: scoped,
    site,
    workday: site ? isExpectedWorkday(workdays.of(site), date, holidays.get(site.id) ?? null) : null,
    holiday: site ? (holidays.get(site.id) ?? null) : null,
  };
}

/** A known person's day as the views count it: {@link PersonDay} with the operator's word and a status. */
export interface JudgedDay<E extends DayEvent> extends PersonDay<E> {
  status: DayStatus;
}

/**
 * One known person's day as every view of the hub counts it (the day views here, the monthly recap):
 * a correction states the day, its times (as events at the home site, made by `atHome`) replacing the
 * kiosk events and its `late`, when set, winning over the schedule's (no late minutes when it says
 * not late); then the status. `leave`: the kind of leave covering the day; `workday`: the home site
 * works that day. Whether the person is expected at all (active, registered by then) is the caller's.
 */
export function judgeDay<E extends DayEvent>(
  own: readonly E[],
  correction: Pick<views.CorrectionRow, 'check_in_at' | 'check_out_at' | 'late'> | null,
  atHome: (type: 'in' | 'out', at: Date) => E,
  lateRules: ScheduleCache,
  leave: string | null,
  workday: boolean,
): JudgedDay<E> {
  const evs: readonly E[] = correction
    ? [
        ...(correction.check_in_at ? [atHome('in', correction.check_in_at)] : []),
        ...(correction.check_out_at ? [atHome('out', correction.check_out_at)] : []),
      ]
    : own;
  // A fresh object of our own: completed in place (a month's recap judges hundreds of thousands).
  const d = derivePersonDay(evs, lateRules) as JudgedDay<E>;
  const said = correction?.late;
  if (said !== null && said !== undefined) d.late = said;
  if (!d.late) {
    d.late_minutes = 0;
    d.late_seconds = 0;
  }
  d.status = d.first_in || d.last_out ? (d.late ? 'late' : 'present') : leave ? 'on_leave' : workday ? 'absent' : 'off';
  return d;
}

function corrected(type: 'in' | 'out', at: Date, home: views.ViewSiteRow): Ev {
  return {
    type,
    occurred_at: at,
    site: rulesOf(home),
    siteRow: home,
    row: {
      person_id: null,
      employee_number: '',
      site_id: home.id,
      device_name: null,
      type,
      occurred_at: at,
      clock_suspect: false,
      decision: null,
    },
  };
}

export function summarise(entries: readonly DayEntry[]): OrgDaySummary {
  const s: OrgDaySummary = {
    active: 0,
    present: 0,
    late: 0,
    absent: 0,
    on_leave: 0,
    not_checked_out: 0,
    no_check_in: 0,
  };
  for (const { view: d, expected } of entries) {
    if (expected) s.active++;
    if (d.status === 'present' || d.status === 'late') s.present++;
    if (d.status === 'late') s.late++;
    if (d.status === 'absent') s.absent++;
    if (expected && d.leave) s.on_leave++;
    if (d.first_in && !d.last_out) s.not_checked_out++;
    if (!d.first_in && d.last_out) s.no_check_in++;
  }
  return s;
}

/** The organisation's day (GET /api/v1/hub/days, `hadir hub days`), optionally only some statuses. */
export async function organisationDay(
  pool: pg.Pool,
  date: string,
  filter: DayFilter & { status?: readonly DayStatus[] } = {},
): Promise<OrgDayView> {
  const r = await dayEntries(pool, date, filter);
  const wanted = filter.status?.length ? new Set(filter.status) : null;
  return {
    date,
    site: r.site?.code ?? null,
    unit: filter.unit ?? null,
    workday: r.workday,
    holiday: r.holiday,
    summary: summarise(r.entries),
    days: r.entries.map((e) => e.view).filter((d) => !wanted || wanted.has(d.status)),
  };
}
