import type { ScheduleConfig } from '../../shared/contract';
import { type IndonesianTimeZone, localParts } from '../../shared/local-time';

/**
 * The Indonesian zone (WIB, WITA, WIT) whose local time is furthest from the schedule's day edges
 * right now: the open-all-day schedule below closes at 23:58, and a test run that straddled local
 * midnight would see a new day. Fixed for the whole test file.
 */
export const ALL_DAY_ZONE: IndonesianTimeZone = (() => {
  const now = new Date();
  const zones: IndonesianTimeZone[] = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'];
  const margin = (z: string) => {
    const m = localParts(now, z).minutes;
    return Math.min(m, 23 * 60 + 58 - m);
  };
  return zones.reduce((best, z) => (margin(z) > margin(best) ? z : best));
})();

/**
 * A schedule open for check-in almost all day, every day (holidays and leave recorded too), so tests
 * that check in "now" do not depend on the hour they run at.
 */
export function openAllDaySchedule(cooldownSeconds: number): ScheduleConfig {
  const day = {
    checkIn: ['00:00', '23:58'] as [string, string],
    onTimeUntil: '23:58',
    checkOut: ['23:58', '23:59'] as [string, string],
  };
  return {
    timeZone: ALL_DAY_ZONE,
    week: { sun: day, mon: day, tue: day, wed: day, thu: day, fri: day, sat: day },
    cooldownSeconds,
    recordOnHolidays: true,
    recordOnLeave: true,
  };
}
