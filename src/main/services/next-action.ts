import type { AttendanceRecord, NextAttendanceAction } from '../../shared/attendance';
import { localParts, zonedToUtc } from '../../shared/local-time';
import type { Schedule } from './schedule';

/**
 * What a person the kiosk has just answered can do next today, so the kiosk can say "check-out opens at
 * 15:30" (or "see you tomorrow") rather than count down a cooldown. `readyAt` is when the cooldown ends:
 * nothing is possible before it. The day is `now`'s local day; windows are the schedule's (an all-day
 * schedule takes a check-out at any hour after the check-in).
 *
 * - Checked out already: `none` (a later scan would only move the check-out; the person is done).
 * - Checked in: `check_out` from the later of the check-out window's start and `readyAt`, or `none`
 *   once that window has closed.
 * - No record (it was deleted meanwhile): the first window still open, check-in before check-out.
 */
export function nextAttendanceAction(
  schedule: Schedule,
  now: Date,
  record: Pick<AttendanceRecord, 'check_in_at' | 'check_out_at'> | null | undefined,
  readyAt: Date = now,
): NextAttendanceAction {
  if (record?.check_out_at) return { kind: 'none' };
  const tz = schedule.timeZone;
  const { date, weekday } = localParts(now, tz);
  const ready = readyAt.getTime() > now.getTime() ? readyAt : now;
  if (schedule.settings.allDay === true) {
    const at = ceilToMinute(ready);
    if (localParts(at, tz).date !== date) return { kind: 'none' };
    return { kind: record?.check_in_at ? 'check_out' : 'check_in', from: hhmm(at, tz) };
  }
  const w = schedule.windowsFor(weekday);
  if (!w) return { kind: 'none' };
  const windows: { kind: 'check_in' | 'check_out'; range: [string, string] }[] = record?.check_in_at
    ? [{ kind: 'check_out', range: w.checkOut }]
    : [
        { kind: 'check_in', range: w.checkIn },
        { kind: 'check_out', range: w.checkOut },
      ];
  for (const { kind, range } of windows) {
    const start = zonedToUtc(date, range[0], tz);
    const end = zonedToUtc(date, range[1], tz);
    const at = ceilToMinute(new Date(Math.max(start.getTime(), ready.getTime())));
    if (at.getTime() < end.getTime()) return { kind, from: hhmm(at, tz) };
  }
  return { kind: 'none' };
}

function ceilToMinute(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / 60_000) * 60_000);
}

function hhmm(d: Date, timeZone: string): string {
  return localParts(d, timeZone).time.slice(0, 5);
}
