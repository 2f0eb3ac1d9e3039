/**
 * The hub's days as a kiosk learns them (`GET /api/v1/sync/days`): for everyone the device's site may
 * see (home site and granted sites, as replication sends them), each date of a range with an event at
 * any site or a correction, judged exactly as the organisation's views judge it (org-days.ts judgeDay
 * over the day's first in and last out, org-range.ts eventsOfDay). Read like org-range.ts reads a
 * range: a handful of queries in one snapshot, the events aggregated to one row per person and date.
 */
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { datesBetween, isValidDate } from '../../shared/local-time';
import { HUB_DAYS_MAX_RANGE, type HubDay } from '../../shared/sync-protocol';
import { isoInZone, ScheduleCache } from './attendance-day';
import { judgeDay } from './org-days';
import { visibleToSite } from './store/people';
import {
  correctionsIn,
  eventDaysIn,
  type EventDayRow,
  eventsOfDay,
  leaveIn,
  type LeaveSpan,
  leaveOn,
  siteRules,
  siteWorkdays,
} from './org-range';
import * as views from './store/attendance-views';
import { inTransaction } from './store/db';

/** 400 unless `from`..`to` are dates, in order, at most {@link HUB_DAYS_MAX_RANGE} of them. */
export function checkDaysRange(from: unknown, to: unknown): { from: string; to: string } {
  if (typeof from !== 'string' || !isValidDate(from)) {
    throw new HadirError('BAD_REQUEST', `from: not a date (YYYY-MM-DD): "${String(from ?? '')}"`);
  }
  if (typeof to !== 'string' || !isValidDate(to)) {
    throw new HadirError('BAD_REQUEST', `to: not a date (YYYY-MM-DD): "${String(to ?? '')}"`);
  }
  if (from > to) throw new HadirError('BAD_REQUEST', `from ${from} is after to ${to}`);
  if (datesBetween(from, to).length > HUB_DAYS_MAX_RANGE) {
    throw new HadirError('BAD_REQUEST', `a range covers at most ${HUB_DAYS_MAX_RANGE} days`);
  }
  return { from, to };
}

type Person = views.ViewPersonRow & { hub_id: string };

/** The days of [from, to] of the people `siteId` may see, by date, then employee number. */
export async function siteVisibleDays(pool: pg.Pool, siteId: number, from: string, to: string): Promise<HubDay[]> {
  checkDaysRange(from, to);
  const m = await inTransaction(
    pool,
    async (tx) => {
      const sites = await views.viewSites(tx);
      // What replication calls visible: the home site's people and those granted the site.
      const scope = { condition: visibleToSite('$3'), params: [siteId] };
      const people = (
        await tx.query<Person>(
          `SELECT p.id, p.hub_id, p.employee_number, p.full_name, p.unit, p.active, p.created_at, p.home_site_id
             FROM people p WHERE ${visibleToSite('$1')}`,
          [siteId],
        )
      ).rows;
      const days = await eventDaysIn(tx, from, to, scope);
      const corrections = await correctionsIn(tx, from, to, scope);
      const leave = await leaveIn(tx, from, to, scope);
      const holidays = (
        await tx.query<{ site_id: number; date: string; name: string }>(
          'SELECT site_id, date, name FROM holidays WHERE date BETWEEN $1::date AND $2::date',
          [from, to],
        )
      ).rows;
      return { sites, people, days, corrections, leave, holidays };
    },
    { isolation: 'repeatable read', readOnly: true },
  );

  const dates = datesBetween(from, to);
  const index = new Map(dates.map((d, i) => [d, i]));
  const siteById = new Map(m.sites.map((s) => [s.id, s]));
  const rules = new Map(m.sites.map((s) => [s.id, siteRules(s)]));
  const workdays = siteWorkdays(dates, m.holidays);
  const dayOf = new Map<number, (EventDayRow | undefined)[]>();
  for (const d of m.days) {
    const list = dayOf.get(d.person_id) ?? [];
    list[index.get(d.local_date)!] = d;
    dayOf.set(d.person_id, list);
  }
  const correctionOf = new Map<number, (views.CorrectionRow | undefined)[]>();
  for (const c of m.corrections) {
    const list = correctionOf.get(c.person_id) ?? [];
    list[index.get(c.local_date)!] = c;
    correctionOf.set(c.person_id, list);
  }
  const leaveOf = new Map<number, LeaveSpan[]>();
  for (const l of m.leave) leaveOf.set(l.person_id, [...(leaveOf.get(l.person_id) ?? []), l]);
  const people = [...m.people].sort((a, b) => a.employee_number.localeCompare(b.employee_number));

  const lateRules = new ScheduleCache();
  const out: HubDay[] = [];
  for (let i = 0; i < dates.length; i++) {
    for (const p of people) {
      const day = dayOf.get(p.id)?.[i];
      const correction = correctionOf.get(p.id)?.[i] ?? null;
      if (!day && !correction) continue;
      const home = siteById.get(p.home_site_id)!;
      const homeRules = rules.get(home.id)!;
      const d = judgeDay(
        day ? eventsOfDay(day, rules) : [],
        correction,
        (type, at) => ({ type, occurred_at: at, site: homeRules }),
        lateRules,
        leaveOn(leaveOf.get(p.id), dates[i]),
        workdays(home)[i],
      );
      const moment = (e: typeof d.first_in) =>
        e ? { time: isoInZone(e.occurred_at, e.site.time_zone), site: e.site.code } : null;
      out.push({
        employee_number: p.employee_number,
        hub_id: p.hub_id,
        date: dates[i],
        first_in: moment(d.first_in),
        last_out: moment(d.last_out),
        late: d.late,
        late_seconds: d.late_seconds,
        early: d.early_seconds > 0,
        early_seconds: d.early_seconds,
        corrected: correction !== null,
        correction_reason: correction?.reason ?? null,
        status: d.status,
      });
    }
  }
  return out;
}
