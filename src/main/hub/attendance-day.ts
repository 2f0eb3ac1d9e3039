/**
 * A person's working day from their raw check-in and check-out events at any number of sites: the
 * first `in` and the last `out`, with lateness judged by the schedule of the site where they first
 * checked in. Pure, so every view of the hub (CLI, HTTP, exports later) derives days the same way.
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
}

/** Schedules built once per site and schedule value (building one validates it). */
export class ScheduleCache {
  private readonly cache = new Map<string, Schedule | null>();

  of(site: SiteRules): Schedule | null {
    if (site.schedule === null || site.schedule === undefined) return null;
    const key = `${site.code}\u0000${JSON.stringify(site.schedule)}`;
    let s = this.cache.get(key);
    if (s === undefined) {
      s = new Schedule(parseScheduleSettings({ ...(site.schedule as object), timeZone: site.time_zone }));
      this.cache.set(key, s);
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
  return {
    first_in: firstIn,
    last_out: lastOut,
    late: firstIn && schedule ? schedule.isLate(firstIn.occurred_at) : null,
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
