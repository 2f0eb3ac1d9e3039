import { HadirError } from '../../shared/errors';
import {
  INDONESIAN_TIME_ZONES,
  type IndonesianTimeZone,
  type LocalParts,
  type Weekday,
  isValidTimeOfDay,
  localParts,
  parseTimeOfDay,
  weekdayOf,
} from '../../shared/local-time';

/**
 * The office's week: when the kiosk takes check-ins and check-outs, and when someone is late. Times are
 * local ("HH:MM") in the site's time zone; windows include their start and exclude their end
 * (06:00–10:00 takes 06:00:00 up to 09:59:59). A window never crosses midnight (no night shifts).
 */
export interface DayWindows {
  checkIn: [from: string, to: string];
  /** A check-in later than this minute (07:30 → from 07:30:01) is recorded and flagged late. */
  onTimeUntil: string;
  checkOut: [from: string, to: string];
}

export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

export interface ScheduleSettings {
  timeZone: IndonesianTimeZone;
  /** Windows per weekday; null: the office is closed that day. */
  week: Record<WeekdayKey, DayWindows | null>;
  /** A person recognised again within this many seconds gets 'cooldown' and nothing is recorded. */
  cooldownSeconds: number;
  /** Take attendance on a public holiday as on any day (default false: the kiosk answers 'holiday'). */
  recordOnHolidays: boolean;
  /** Record someone who scans on a day of registered leave (default false: the kiosk answers 'on_leave'). */
  recordOnLeave: boolean;
  /**
   * No windows: the kiosk takes attendance at any hour, nobody is late, and a person's first
   * recognition of the day is their check-in and any later one (after the cooldown) their check-out.
   * The week still says which days are workdays (for the daily summary). A hub site without a
   * schedule is expressed this way. Absent: false.
   */
  allDay?: boolean;
}

/*
 * Defaults follow the five-day week of Indonesia's civil service (Keppres 68/1995, still the basis of
 * most agencies' rules): 07:30–16:00 Monday to Thursday and 07:30–16:30 on Friday, whose longer midday
 * break (Friday prayers) pushes the end later, not earlier. Check-in opens at 06:00 and closes at 10:00;
 * check-out opens half an hour before the end of the working day, so a scan on the way to lunch is not
 * taken as going home, and closes at 20:00. Every value is a setting; a site whose Friday ends early
 * sets an earlier Friday check-out window.
 */
const MON_THU: DayWindows = { checkIn: ['06:00', '10:00'], onTimeUntil: '07:30', checkOut: ['15:30', '20:00'] };
const FRIDAY: DayWindows = { checkIn: ['06:00', '10:00'], onTimeUntil: '07:30', checkOut: ['16:00', '20:00'] };

export const DEFAULT_SCHEDULE: ScheduleSettings = {
  timeZone: 'Asia/Jakarta',
  week: { sun: null, mon: MON_THU, tue: MON_THU, wed: MON_THU, thu: MON_THU, fri: FRIDAY, sat: null },
  cooldownSeconds: 60,
  recordOnHolidays: false,
  recordOnLeave: false,
};

export type Phase = 'check-in' | 'check-out' | 'closed';

export class Schedule {
  readonly settings: ScheduleSettings;
  /** Per weekday, the on-time limit and the check-out window's start in seconds (null: closed). */
  private readonly limits: ({ onTime: number; checkOutFrom: number } | null)[];

  constructor(settings: ScheduleSettings = DEFAULT_SCHEDULE) {
    this.settings = validateSchedule(settings);
    this.limits = WEEKDAY_KEYS.map((k) => {
      const w = this.settings.week[k];
      return w
        ? { onTime: parseTimeOfDay(w.onTimeUntil) * 60, checkOutFrom: parseTimeOfDay(w.checkOut[0]) * 60 }
        : null;
    });
  }

  get timeZone(): IndonesianTimeZone {
    return this.settings.timeZone;
  }

  /** The local date, time and weekday of an instant at this site. */
  local(now: Date): LocalParts {
    return localParts(now, this.settings.timeZone);
  }

  windowsFor(weekday: Weekday): DayWindows | null {
    return this.settings.week[WEEKDAY_KEYS[weekday]];
  }

  /**
   * Which window `now` falls in, by the weekday's windows alone (holidays and leave are the attendance
   * service's). An all-day schedule is never closed: it answers 'check-in', and {@link phaseFor} tells
   * a check-in from a check-out by the person's day.
   */
  classify(now: Date): Phase {
    if (this.settings.allDay === true) return 'check-in';
    const l = this.local(now);
    const w = this.windowsFor(l.weekday);
    if (!w) return 'closed';
    const s = l.seconds;
    if (inWindow(s, w.checkIn)) return 'check-in';
    if (inWindow(s, w.checkOut)) return 'check-out';
    return 'closed';
  }

  /**
   * What a recognition at `now` records for someone who has (or has not) checked in that day: by the
   * windows alone, or, all day, a check-in first and a check-out after it.
   */
  phaseFor(now: Date, checkedIn: boolean): Phase {
    if (this.settings.allDay === true) return checkedIn ? 'check-out' : 'check-in';
    return this.classify(now);
  }

  /**
   * Whether a check-in at `at` is after the on-time limit of that day (false on a day without windows,
   * and always false all day).
   */
  isLate(at: Date): boolean {
    return this.lateSeconds(at) > 0;
  }

  /**
   * How many seconds a check-in at `at` is after the on-time limit of that day: the measure behind
   * {@link isLate} (0 when on time, on a day without windows, and always all day).
   */
  lateSeconds(at: Date): number {
    if (this.settings.allDay === true) return 0;
    const l = this.local(at);
    const w = this.limits[l.weekday];
    if (!w) return 0;
    return Math.max(0, l.seconds - w.onTime);
  }

  /**
   * How many seconds a check-out at `at` is before that day's check-out window opens (the end of the
   * working day as the office sets it): an early departure when above 0. 0 on a day without windows,
   * and always all day.
   */
  earlySeconds(at: Date): number {
    if (this.settings.allDay === true) return 0;
    const l = this.local(at);
    const w = this.limits[l.weekday];
    if (!w) return 0;
    return Math.max(0, w.checkOutFrom - l.seconds);
  }

  /** Whether the office works on this weekday at all. */
  isWorkday(weekday: Weekday): boolean {
    return this.windowsFor(weekday) !== null;
  }
}

/**
 * Whether attendance is expected on a date: a weekday with windows that is not a public holiday. The
 * one rule behind "absent" on the kiosk's daily summary and in the hub's organisation views.
 */
export function isExpectedWorkday(schedule: Schedule, date: string, holiday: string | null): boolean {
  return holiday === null && schedule.isWorkday(weekdayOf(date));
}

function inWindow(seconds: number, [from, to]: [string, string]): boolean {
  return seconds >= parseTimeOfDay(from) * 60 && seconds < parseTimeOfDay(to) * 60;
}

/**
 * Settings as stored (JSON, possibly partial or from an older version) merged over the defaults and
 * checked; throws BAD_REQUEST naming the field that is wrong.
 */
export function parseScheduleSettings(value: unknown): ScheduleSettings {
  const v = (value && typeof value === 'object' ? value : {}) as Partial<ScheduleSettings>;
  const week = { ...DEFAULT_SCHEDULE.week, ...(v.week ?? {}) };
  return validateSchedule({ ...DEFAULT_SCHEDULE, ...v, week });
}

export function validateSchedule(s: ScheduleSettings): ScheduleSettings {
  const bad = (msg: string, reason?: string, day?: string): never => {
    throw new HadirError('BAD_REQUEST', `schedule: ${msg}`, {
      ...(reason ? { reason } : {}),
      ...(day ? { params: { day } } : {}),
    });
  };
  if (!(INDONESIAN_TIME_ZONES as readonly string[]).includes(s.timeZone)) {
    bad(`time zone must be one of ${INDONESIAN_TIME_ZONES.join(', ')} (got "${String(s.timeZone)}")`);
  }
  if (!Number.isFinite(s.cooldownSeconds) || s.cooldownSeconds < 0 || s.cooldownSeconds > 3600) {
    bad(`cooldownSeconds must be between 0 and 3600 (got ${String(s.cooldownSeconds)})`);
  }
  if (typeof s.recordOnHolidays !== 'boolean') bad('recordOnHolidays must be true or false');
  if (typeof s.recordOnLeave !== 'boolean') bad('recordOnLeave must be true or false');
  if (s.allDay !== undefined && typeof s.allDay !== 'boolean') bad('allDay must be true or false');
  for (const key of WEEKDAY_KEYS) {
    const w = s.week[key];
    if (w === null) continue;
    if (!w || typeof w !== 'object') bad(`${key}: give windows or null`);
    const times = [w.checkIn?.[0], w.checkIn?.[1], w.onTimeUntil, w.checkOut?.[0], w.checkOut?.[1]];
    if (!times.every((t) => typeof t === 'string' && isValidTimeOfDay(t))) bad(`${key}: every time must be HH:MM`);
    const [ciFrom, ciTo, onTime, coFrom, coTo] = times.map((t) => parseTimeOfDay(t as string));
    if (!(ciFrom < ciTo)) bad(`${key}: the check-in window must end after it starts`, 'schedule_checkin_order', key);
    if (!(coFrom < coTo)) bad(`${key}: the check-out window must end after it starts`, 'schedule_checkout_order', key);
    if (!(ciTo <= coFrom)) {
      bad(`${key}: the check-out window must start after the check-in window ends`, 'schedule_windows_overlap', key);
    }
    if (!(onTime >= ciFrom))
      bad(`${key}: onTimeUntil must not be before check-in opens`, 'schedule_on_time_early', key);
  }
  return s;
}
