/**
 * The organisation's days over a range of dates in one pass (the console's attendance page): each
 * day exactly as org-days.ts dayEntries has it for that date (who is in the day, first in and last
 * out at any site, an operator's correction winning, lateness by the first check-in's site, leave,
 * holidays, people unknown to the hub), but from a handful of queries in one snapshot, whatever the
 * length of the range, the way the monthly recap (recap.ts) reads a month: the range's events come
 * aggregated to one row per person and local date (first in and last out with their sites), then the
 * days are judged in memory. Only what a page needs is judged in full and formatted; the rest is
 * counted from what decides membership and status.
 */
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { addDays, datesBetween, zonedToUtc } from '../../shared/local-time';
import { isExpectedWorkday, Schedule } from '../services/schedule';
import { scheduleForSite } from '../sync/site-schedule';
import { derivePersonDay, type DayEvent, isoInZone, ScheduleCache, type SiteRules } from './attendance-day';
import { type DayStatus, judgeDay, type OrgPersonDay } from './org-days';
import * as views from './store/attendance-views';
import { inTransaction, type Sql } from './store/db';

/** [epoch milliseconds, site id] of an event (numbers read fast). */
export type EventAt = [number, number];

/** A person's (or an unknown employee number's) events of one local date: the first in and the last out. */
export interface EventDayRow {
  person_id: number | null;
  local_date: string;
  first_in: EventAt | null;
  last_out: EventAt | null;
}

/** A leave entry as the range views read it (ordered by person, then its first date). */
export interface LeaveSpan {
  person_id: number;
  from_date: string;
  to_date: string;
  kind: string;
}

/**
 * SQL aggregates of a group of attendance_events `e`: its first check-in and last check-out, each with
 * its site (the least and the greatest [time, site]: no ordered aggregate, so it runs in parallel).
 */
export const FIRST_IN_LAST_OUT = `
  min(ARRAY[extract(epoch FROM e.occurred_at) * 1000, e.site_id]::float8[]) FILTER (WHERE e.type = 'in') AS first_in,
  max(ARRAY[extract(epoch FROM e.occurred_at) * 1000, e.site_id]::float8[]) FILTER (WHERE e.type = 'out') AS last_out`;

/**
 * The people a range read covers: an SQL condition on people `p` whose parameters come after the range's
 * two dates ($3, $4, … in `params`). The monthly recap and a kiosk's days read the same facts this way.
 */
export interface PeopleScope {
  condition: string;
  params: readonly unknown[];
}

/** Each scoped person's first in and last out per local date of from..to. */
export async function eventDaysIn(
  tx: Sql,
  from: string,
  to: string,
  scope: PeopleScope,
): Promise<(EventDayRow & { person_id: number })[]> {
  const { rows } = await tx.query<EventDayRow & { person_id: number }>(
    `SELECT e.person_id, e.local_date, ${FIRST_IN_LAST_OUT}
       FROM attendance_events e JOIN people p ON p.id = e.person_id
      WHERE e.local_date BETWEEN $1::date AND $2::date AND ${scope.condition}
      GROUP BY e.person_id, e.local_date`,
    [from, to, ...scope.params],
  );
  return rows;
}

/** The scoped people's corrections of from..to. */
export async function correctionsIn(
  tx: Sql,
  from: string,
  to: string,
  scope: PeopleScope,
): Promise<views.CorrectionRow[]> {
  const { rows } = await tx.query<views.CorrectionRow>(
    `SELECT c.person_id, c.local_date, c.check_in_at, c.check_out_at, c.late, c.reason, c.actor_type,
            c.actor_id, c.corrected_at
       FROM attendance_corrections c JOIN people p ON p.id = c.person_id
      WHERE c.local_date BETWEEN $1::date AND $2::date AND ${scope.condition}`,
    [from, to, ...scope.params],
  );
  return rows;
}

/** The scoped people's leave touching from..to, by person and first date. */
export async function leaveIn(tx: Sql, from: string, to: string, scope: PeopleScope): Promise<LeaveSpan[]> {
  const { rows } = await tx.query<LeaveSpan>(
    `SELECT l.person_id, l.from_date, l.to_date, l.kind FROM leave l JOIN people p ON p.id = l.person_id
      WHERE l.to_date >= $1::date AND l.from_date <= $2::date AND ${scope.condition}
      ORDER BY l.person_id, l.from_date`,
    [from, to, ...scope.params],
  );
  return rows;
}

/** A day's first in and last out as events (what derivePersonDay picks from all of the day's events). */
export function eventsOfDay(d: Pick<EventDayRow, 'first_in' | 'last_out'>, rules: Map<number, SiteRules>): DayEvent[] {
  const evs: DayEvent[] = [];
  if (d.first_in) evs.push({ type: 'in', occurred_at: new Date(d.first_in[0]), site: rules.get(d.first_in[1])! });
  if (d.last_out) evs.push({ type: 'out', occurred_at: new Date(d.last_out[0]), site: rules.get(d.last_out[1])! });
  return evs;
}

export const siteRules = (s: views.ViewSiteRow): SiteRules => ({
  code: s.code,
  time_zone: s.time_zone,
  schedule: s.schedule,
});

/**
 * Whether each site works each of `dates` (its week, as its kiosks follow it, and its holidays),
 * computed per site on first use.
 */
export function siteWorkdays(
  dates: readonly string[],
  holidays: readonly { site_id: number; date: string; name: string }[],
): (site: views.ViewSiteRow) => boolean[] {
  const holidayOf = new Map(holidays.map((h) => [`${h.site_id}|${h.date}`, h.name]));
  const workdayOf = new Map<number, boolean[]>();
  return (site) => {
    let w = workdayOf.get(site.id);
    if (!w) {
      const schedule = new Schedule(
        scheduleForSite({
          code: site.code,
          name: site.code,
          time_zone: site.time_zone,
          schedule: site.schedule,
          holidays: [],
        }),
      );
      w = dates.map((d) => isExpectedWorkday(schedule, d, holidayOf.get(`${site.id}|${d}`) ?? null));
      workdayOf.set(site.id, w);
    }
    return w;
  };
}

/** The leave covering `date` among a person's spans: the one that starts first, as the day views pick it. */
export function leaveOn(spans: readonly LeaveSpan[] | undefined, date: string): string | null {
  if (!spans) return null;
  for (const l of spans) if (l.from_date <= date && date <= l.to_date) return l.kind;
  return null;
}

// --- The range's days --------------------------------------------------------------------------------

export interface RangeFilter {
  site?: string;
  unit?: string;
  /** Without `site`: an operator's sites (see org-days.ts DayFilter.sites); null or absent: every site. */
  sites?: readonly string[] | null;
  status?: readonly DayStatus[];
}

/** One person's day as a page of the range shows it. */
export interface RangeDay {
  date: string;
  view: Omit<OrgPersonDay, 'clock_suspect' | 'first_in' | 'last_out'> & {
    first_in: { time: string; site: string } | null;
    last_out: { time: string; site: string } | null;
  };
}

interface Row extends EventDayRow {
  /** The employee number of events the hub could not link to anyone (person_id null). */
  number: string | null;
  /** With a site: whether any of the day's events was there. */
  at_site: boolean;
}

interface Candidate {
  /** null: an employee number the hub does not know. */
  person: views.ViewPersonRow | null;
  number: string;
  unit: string | null;
  home: views.ViewSiteRow | null;
  /** With a site: someone of another home site, in a day only when they had an event there. */
  visitor: boolean;
  days: (Row | undefined)[];
  corrections: (views.CorrectionRow | undefined)[];
  leave: LeaveSpan[] | undefined;
}

interface Loaded {
  sites: views.ViewSiteRow[];
  people: views.ViewPersonRow[];
  visitors: views.ViewPersonRow[];
  days: Row[];
  leave: LeaveSpan[];
  corrections: views.CorrectionRow[];
  holidays: { site_id: number; date: string; name: string }[];
  site: views.ViewSiteRow | null;
}

async function load(tx: Sql, from: string, to: string, filter: RangeFilter): Promise<Loaded> {
  const sites = await views.viewSites(tx);
  const site = filter.site === undefined ? null : (sites.find((s) => s.code === filter.site) ?? null);
  if (filter.site !== undefined && !site) {
    throw new HadirError('NOT_FOUND', `no site "${filter.site}" (see \`hadir hub site list\`)`);
  }
  const unit = filter.unit ?? null;
  const siteId = site?.id ?? null;
  // A range of 10,000 people is ~300,000 person-days: aggregated in memory, not spilled to disk.
  await tx.query("SET LOCAL work_mem = '64MB'");
  const people = await views.viewPeople(tx, siteId, unit);
  // Per person (or unknown employee number) and date; with a unit, only that unit's people; with a
  // site, only days of its people and days with an event there.
  const days = (
    await tx.query<Row>(
      `SELECT e.person_id, CASE WHEN e.person_id IS NULL THEN e.employee_number END AS number, e.local_date,
              ${FIRST_IN_LAST_OUT},
              coalesce(bool_or(e.site_id = $3::bigint), false) AS at_site
         FROM attendance_events e
        WHERE e.local_date BETWEEN $1::date AND $2::date
          AND ($4::text IS NULL OR e.person_id IN (SELECT id FROM people WHERE unit = $4))
        GROUP BY e.person_id, 2, e.local_date
       HAVING $3::bigint IS NULL OR bool_or(e.site_id = $3::bigint)
              OR e.person_id IN (SELECT id FROM people WHERE home_site_id = $3::bigint)`,
      [from, to, siteId, unit],
    )
  ).rows;
  const leave = (
    await tx.query<LeaveSpan>(
      `SELECT person_id, from_date, to_date, kind FROM leave
        WHERE to_date >= $1::date AND from_date <= $2::date ORDER BY person_id, from_date`,
      [from, to],
    )
  ).rows;
  const corrections = (
    await tx.query<views.CorrectionRow>(
      `SELECT person_id, local_date, check_in_at, check_out_at, late, reason, actor_type, actor_id, corrected_at
         FROM attendance_corrections WHERE local_date BETWEEN $1::date AND $2::date`,
      [from, to],
    )
  ).rows;
  const holidays = (
    await tx.query<{ site_id: number; date: string; name: string }>(
      'SELECT site_id, date, name FROM holidays WHERE date BETWEEN $1::date AND $2::date',
      [from, to],
    )
  ).rows;
  // Someone from elsewhere who checked in at the site belongs to its days too.
  let visitors: views.ViewPersonRow[] = [];
  if (site) {
    const known = new Set(people.map((p) => p.id));
    const ids = new Set<number>();
    for (const d of days) if (d.person_id !== null && d.at_site && !known.has(d.person_id)) ids.add(d.person_id);
    if (ids.size)
      visitors = (await views.viewPeopleByIds(tx, [...ids])).filter((p) => unit === null || p.unit === unit);
  }
  return { sites, people, visitors, days, leave, corrections, holidays, site };
}

/**
 * The days of [from, to] in the filter's scope, by date, then unit (people without one last) and
 * employee number, as org-days.ts organisationDay has each date (status filter included): `total`
 * days, of which those from the `offset`th, at most `limit`.
 */
export async function rangeDays(
  pool: pg.Pool,
  from: string,
  to: string,
  filter: RangeFilter,
  slice: { offset: number; limit: number },
): Promise<{ days: RangeDay[]; total: number }> {
  const m = await inTransaction(pool, (tx) => load(tx, from, to, filter), {
    isolation: 'repeatable read',
    readOnly: true,
  });
  const dates = datesBetween(from, to);
  const index = new Map(dates.map((d, i) => [d, i]));
  const siteById = new Map(m.sites.map((s) => [s.id, s]));
  const rules = new Map(m.sites.map((s) => [s.id, siteRules(s)]));
  const workdays = siteWorkdays(dates, m.holidays);

  const candidates: Candidate[] = [];
  const byPerson = new Map<number, Candidate>();
  const add = (p: views.ViewPersonRow, visitor: boolean) => {
    const c: Candidate = {
      person: p,
      number: p.employee_number,
      unit: p.unit,
      home: siteById.get(p.home_site_id)!,
      visitor,
      days: [],
      corrections: [],
      leave: undefined,
    };
    candidates.push(c);
    byPerson.set(p.id, c);
  };
  for (const p of m.people) add(p, false);
  for (const p of m.visitors) add(p, true);
  const strangers = new Map<string, Candidate>();
  for (const d of m.days) {
    let c: Candidate | undefined;
    if (d.person_id !== null) c = byPerson.get(d.person_id);
    else if (filter.unit === undefined) {
      c = strangers.get(d.number!);
      if (!c) {
        c = { person: null, number: d.number!, unit: null, home: null, visitor: false, days: [], corrections: [], leave: undefined }; // prettier-ignore
        strangers.set(d.number!, c);
      }
    }
    if (c) c.days[index.get(d.local_date)!] = d;
  }
  candidates.push(...strangers.values());
  for (const cr of m.corrections) {
    const c = byPerson.get(cr.person_id);
    if (c) c.corrections[index.get(cr.local_date)!] = cr;
  }
  for (const l of m.leave) {
    const c = byPerson.get(l.person_id);
    if (!c) continue;
    if (c.leave) c.leave.push(l);
    else c.leave = [l];
  }
  // The same order every day: people are the same, so sort them once (stable, as each day sorts).
  candidates.sort((a, b) => (a.unit ?? '\uffff').localeCompare(b.unit ?? '\uffff') || a.number.localeCompare(b.number));

  // Registered by the end of each date in each home site's zone.
  const endOf = new Map<number, number[]>();
  const endsOf = (s: views.ViewSiteRow) => {
    let e = endOf.get(s.id);
    if (!e) {
      e = dates.map((d) => zonedToUtc(addDays(d, 1), '00:00', s.time_zone).getTime());
      endOf.set(s.id, e);
    }
    return e;
  };

  const wanted = filter.status?.length ? new Set(filter.status) : null;
  // Present and late are told apart (by the schedule) only when the filter keeps one and not the other.
  const needLate = wanted !== null && wanted.has('present') !== wanted.has('late');
  const mine = !m.site && filter.sites ? new Set(filter.sites) : null;
  const lateRules = new ScheduleCache();
  const none: DayEvent[] = [];
  const out: RangeDay[] = [];
  const end = slice.offset + slice.limit;
  let total = 0;

  for (let i = 0; i < dates.length; i++) {
    const date = dates[i];
    for (const c of candidates) {
      const day = c.days[i];
      const p = c.person;
      let correction: views.CorrectionRow | null = null;
      let firstSite: string | null;
      let lastSite: string | null;
      let status: DayStatus | null; // null: came, present or late by the schedule
      let leave: string | null = null;
      let workday = false;
      if (p === null) {
        if (!day || (m.site && !day.at_site)) continue;
        firstSite = day.first_in ? siteById.get(day.first_in[1])!.code : null;
        lastSite = day.last_out ? siteById.get(day.last_out[1])!.code : null;
        status = null;
      } else {
        if (c.visitor && !day?.at_site) continue;
        correction = c.corrections[i] ?? null;
        const home = c.home!;
        const existed = p.created_at.getTime() < endsOf(home)[i];
        if (!day && !correction && (!p.active || !existed)) continue;
        if (correction) {
          firstSite = correction.check_in_at ? home.code : null;
          lastSite = correction.check_out_at ? home.code : null;
        } else {
          firstSite = day?.first_in ? siteById.get(day.first_in[1])!.code : null;
          lastSite = day?.last_out ? siteById.get(day.last_out[1])!.code : null;
        }
        leave = leaveOn(c.leave, date);
        workday = workdays(home)[i];
        status = firstSite || lastSite ? null : leave ? 'on_leave' : workday ? 'absent' : 'off';
      }
      if (
        mine &&
        !(c.home && mine.has(c.home.code)) &&
        !(firstSite && mine.has(firstSite)) &&
        !(lastSite && mine.has(lastSite))
      ) {
        continue;
      }
      if (wanted) {
        if (status === null && needLate) {
          status = judge(c, day, correction, leave, workday).status;
        } else if (status === null) {
          // Present or late: both kept, or neither.
          if (!wanted.has('present')) continue;
        }
        if (status !== null && !wanted.has(status)) continue;
      }
      if (total >= slice.offset && total < end) out.push(rangeDay(c, date, day, correction, leave, workday));
      total++;
    }
  }
  return { days: out, total };

  function judge(
    c: Candidate,
    day: Row | undefined,
    correction: views.CorrectionRow | null,
    leave: string | null,
    workday: boolean,
  ) {
    const evs = day ? eventsOfDay(day, rules) : none;
    if (!c.person) {
      const d = derivePersonDay(evs, lateRules);
      return { ...d, status: (d.late ? 'late' : 'present') as DayStatus };
    }
    const homeRules = rules.get(c.home!.id)!;
    return judgeDay(
      evs,
      correction,
      (type, at) => ({ type, occurred_at: at, site: homeRules }),
      lateRules,
      leave,
      workday,
    );
  }

  function rangeDay(
    c: Candidate,
    date: string,
    day: Row | undefined,
    correction: views.CorrectionRow | null,
    leave: string | null,
    workday: boolean,
  ): RangeDay {
    const d = judge(c, day, correction, leave, workday);
    const moment = (e: DayEvent | null) =>
      e ? { time: isoInZone(e.occurred_at, e.site.time_zone), site: e.site.code } : null;
    return {
      date,
      view: {
        employee_number: c.number,
        full_name: c.person?.full_name ?? null,
        unit: c.unit,
        home_site: c.home?.code ?? null,
        status: d.status,
        first_in: moment(d.first_in),
        last_out: moment(d.last_out),
        late: d.late,
        leave,
        corrected: correction
          ? {
              reason: correction.reason,
              by: `${correction.actor_type}:${correction.actor_id ?? ''}`,
              at: correction.corrected_at.toISOString(),
            }
          : null,
      },
    };
  }
}
