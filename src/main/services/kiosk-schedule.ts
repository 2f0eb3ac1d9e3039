import { localParts, weekdayOf } from '../../shared/local-time';
import type { KioskScheduleBody } from '../../shared/http-api';
import type { AttendanceService } from './attendance-service';
import type { SiteSettingsService } from './site-settings';

/**
 * Today's schedule and greeting settings as a door tablet sees them: no person, no record, nothing a
 * `kiosk` key should not hold.
 */
export function kioskSchedule(attendance: AttendanceService, settings: SiteSettingsService): KioskScheduleBody {
  const schedule = attendance.schedule();
  const s = schedule.settings;
  const date = localParts(new Date(attendance.clock.now()), s.timeZone).date;
  const holiday = attendance.holidays(date, date)[0]?.name ?? null;
  const weekday = weekdayOf(date);
  const windows = s.allDay === true ? null : schedule.windowsFor(weekday);
  const kiosk = settings.kiosk();
  return {
    time_zone: s.timeZone,
    date,
    holiday,
    workday: holiday === null && schedule.isWorkday(weekday),
    all_day: s.allDay === true,
    today: windows
      ? { check_in: windows.checkIn, on_time_until: windows.onTimeUntil, check_out: windows.checkOut }
      : null,
    cooldown_seconds: s.cooldownSeconds,
    language: settings.language(),
    greeting: { card_seconds: kiosk.cardSeconds, notice_seconds: kiosk.noticeSeconds, sound: kiosk.sound },
  };
}
