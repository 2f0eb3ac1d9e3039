/**
 * A person's working day from their raw check-in and check-out events at any number of sites: the
 * first `in` and the last `out`, with lateness judged by the schedule of the site where they first
 * checked in, an early departure by the schedule of the site where they last checked out. Pure, so
 * every view of the hub (CLI, HTTP, exports, the monthly recap) derives days the same way.
 */
import { localParts, utcOffsetMinutes } from '../../shared/local-time';
import { parseScheduleSettings, Schedule } from '../services/schedule';

export interface SiteRules {
  code: string;
  time_zone: string;
  /** The kiosk's schedule format; null: no lateness. */
  schedule: unknown | null;
}

export interface DayEvent {
  type: 'in' | 'out';
  occurred_at: Date;
  site: SiteRules;
}

export interface PersonDay<E extends DayEvent = DayEvent> {
  first_in: E | null;
  last_out: E | null;
  /** Late by the first check-in's site schedule; null when there is no check-in or that site has no schedule. */
  late: boolean | null;
  /**
   * Minutes after that schedule's on-time limit (Schedule.lateSeconds), rounded up so a late day
   * counts at least one; 0 when not late.
   */
  late_minutes: number;
  /**
   * Minutes the last check-out was before its site's check-out window opened that day
   * (Schedule.earlySeconds), rounded up; 0 when it was not early or that site has no schedule.
   */
  early_minutes: number;
  /** The same two spans in whole seconds, unrounded (what a kiosk shows of the hub's day). */
  late_seconds: number;
  early_seconds: number;
}

/** Schedules built once per site and schedule value (building one validates it). */
export class ScheduleCache {
  private readonly cache = new Map<string, Schedule | null>();
  /** By the schedule value itself, per zone: a view asks hundreds of thousands of times for a few sites. */
  private readonly bySchedule = new WeakMap<object, Map<string, Schedule>>();

  of(site: SiteRules): Schedule | null {
    if (site.schedule === null || site.schedule === undefined) return null;
    const value = typeof site.schedule === 'object' ? site.schedule : null;
    const known = value ? this.bySchedule.get(value)?.get(site.time_zone) : undefined;
    if (known) return known;
    const key = `${site.code}\u0000${JSON.stringify(site.schedule)}`;
    let s = this.cache.get(key);
    if (!s) {
      s = new Schedule(parseScheduleSettings({ ...(site.schedule as object), timeZone: site.time_zone }));
      this.cache.set(key, s);
    }
    if (value) {
      const zones = this.bySchedule.get(value) ?? new Map<string, Schedule>();
      zones.set(site.time_zone, s);
      this.bySchedule.set(value, zones);
    }
    return s;
  }
}

export function derivePersonDay<E extends DayEvent>(
  events: readonly E[],
  schedules = new ScheduleCache(),
): PersonDay<E> {
  let firstIn: E | null = null;
  let lastOut: E | null = null;
  for (const e of events) {
    if (e.type === 'in' && (!firstIn || e.occurred_at < firstIn.occurred_at)) firstIn = e;
    if (e.type === 'out' && (!lastOut || e.occurred_at > lastOut.occurred_at)) lastOut = e;
  }
  const schedule = firstIn ? schedules.of(firstIn.site) : null;
  const lateSeconds = firstIn && schedule ? schedule.lateSeconds(firstIn.occurred_at) : 0;
  const outSchedule = lastOut ? schedules.of(lastOut.site) : null;
  const earlySeconds = lastOut && outSchedule ? outSchedule.earlySeconds(lastOut.occurred_at) : 0;
  return {
    first_in: firstIn,
    last_out: lastOut,
    late: firstIn && schedule ? lateSeconds > 0 : null,
    late_minutes: Math.ceil(lateSeconds / 60),
    early_minutes: Math.ceil(earlySeconds / 60),
    late_seconds: Math.ceil(lateSeconds),
    early_seconds: Math.ceil(earlySeconds),
  };
}

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-12-07T07:42:00+07:00. */
export function isoInZone(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  const off = utcOffsetMinutes(instant, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${p.date}T${p.time}${sign}${hh}:${mm}`;
}
