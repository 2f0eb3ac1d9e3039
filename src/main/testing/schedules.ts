import type { ScheduleConfig } from '../../shared/contract';

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
    timeZone: 'Asia/Jakarta',
    week: { sun: day, mon: day, tue: day, wed: day, thu: day, fri: day, sat: day },
    cooldownSeconds,
    recordOnHolidays: true,
    recordOnLeave: true,
  };
}
