import { describe, expect, it } from 'vitest';
import {
  addDays,
  datesBetween,
  isValidDate,
  localParts,
  utcOffsetMinutes,
  weekdayOf,
  zonedToUtc,
} from '../../shared/local-time';
import { DEFAULT_SCHEDULE, Schedule, parseScheduleSettings } from './schedule';

describe('local time without a tz library', () => {
  it('gives the local date, time and weekday in WIB, WITA and WIT', () => {
    const t = new Date('2025-01-05T16:59:59Z'); // Sunday 23:59:59 WIB, Monday 00:59:59 WITA, 01:59:59 WIT
    expect(localParts(t, 'Asia/Jakarta')).toMatchObject({ date: '2025-01-05', time: '23:59:59', weekday: 0 });
    expect(localParts(t, 'Asia/Makassar')).toMatchObject({
      date: '2025-01-06',
      time: '00:59:59',
      weekday: 1,
      minutes: 59,
    });
    expect(localParts(t, 'Asia/Jayapura')).toMatchObject({ date: '2025-01-06', time: '01:59:59', seconds: 7199 });
    expect([
      utcOffsetMinutes(t, 'Asia/Jakarta'),
      utcOffsetMinutes(t, 'Asia/Makassar'),
      utcOffsetMinutes(t, 'Asia/Jayapura'),
    ]).toEqual([420, 480, 540]);
  });

  it('converts local wall time to UTC and does calendar arithmetic', () => {
    expect(zonedToUtc('2025-01-06', '07:30', 'Asia/Jakarta').toISOString()).toBe('2025-01-06T00:30:00.000Z');
    expect(zonedToUtc('2025-01-06', '00:00', 'Asia/Jayapura').toISOString()).toBe('2025-01-05T15:00:00.000Z');
    expect(zonedToUtc('2025-01-06', '16:00:30', 'Asia/Makassar').toISOString()).toBe('2025-01-06T08:00:30.000Z');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(weekdayOf('2025-01-10')).toBe(5);
    expect(datesBetween('2024-12-30', '2025-01-02')).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']);
    expect([isValidDate('2025-02-29'), isValidDate('2024-02-29'), isValidDate('2025-1-01')]).toEqual([
      false,
      true,
      false,
    ]);
  });
});

describe('schedule', () => {
  const s = new Schedule();
  const wib = (date: string, time: string) => zonedToUtc(date, time, 'Asia/Jakarta');

  it('classifies by the weekday windows, start inclusive and end exclusive', () => {
    expect(s.classify(wib('2025-01-06', '05:59:59'))).toBe('closed');
    expect(s.classify(wib('2025-01-06', '06:00'))).toBe('check-in');
    expect(s.classify(wib('2025-01-06', '09:59:59'))).toBe('check-in');
    expect(s.classify(wib('2025-01-06', '10:00'))).toBe('closed');
    expect(s.classify(wib('2025-01-06', '15:30'))).toBe('check-out');
    expect(s.classify(wib('2025-01-10', '15:30'))).toBe('closed'); // Friday opens check-out at 16:00
    expect(s.classify(wib('2025-01-10', '16:00'))).toBe('check-out');
    expect(s.classify(wib('2025-01-06', '20:00'))).toBe('closed');
    expect(s.classify(wib('2025-01-11', '08:00'))).toBe('closed'); // Saturday
    expect(s.classify(wib('2025-01-12', '08:00'))).toBe('closed'); // Sunday
    expect([s.isLate(wib('2025-01-06', '07:30:00')), s.isLate(wib('2025-01-06', '07:30:01'))]).toEqual([false, true]);
    // How late and how early, in seconds: after the on-time limit, before the check-out window opens
    // (15:30 Monday, 16:00 Friday); nothing on a closed day.
    expect([s.lateSeconds(wib('2025-01-06', '07:30:00')), s.lateSeconds(wib('2025-01-06', '07:42:30'))]).toEqual([
      0, 750,
    ]);
    expect([s.earlySeconds(wib('2025-01-06', '15:30:00')), s.earlySeconds(wib('2025-01-06', '15:00'))]).toEqual([
      0, 1800,
    ]);
    expect(s.earlySeconds(wib('2025-01-10', '15:30'))).toBe(1800);
    expect([s.lateSeconds(wib('2025-01-11', '09:00')), s.earlySeconds(wib('2025-01-11', '12:00'))]).toEqual([0, 0]);
  });

  it('all day: never closed, never late, the first recognition a check-in and later ones check-outs', () => {
    const s = new Schedule(parseScheduleSettings({ timeZone: 'Asia/Makassar', allDay: true }));
    const night = new Date('2025-01-05T18:30:00Z'); // Monday 02:30 WITA, outside any default window
    const sunday = new Date('2025-01-05T04:00:00Z'); // Sunday noon WITA: the office is closed by the week
    for (const t of [night, sunday]) {
      expect(s.classify(t)).toBe('check-in');
      expect(s.phaseFor(t, false)).toBe('check-in');
      expect(s.phaseFor(t, true)).toBe('check-out');
      expect(s.isLate(t)).toBe(false);
      expect([s.lateSeconds(t), s.earlySeconds(t)]).toEqual([0, 0]);
    }
    // The week still names the workdays (the daily summary counts absence on them only).
    expect([s.isWorkday(0), s.isWorkday(1)]).toEqual([false, true]);
    // Without the flag, the windows decide whatever the person's day holds.
    const windows = new Schedule(parseScheduleSettings({ timeZone: 'Asia/Makassar' }));
    expect([windows.phaseFor(night, false), windows.phaseFor(night, true)]).toEqual(['closed', 'closed']);
    expect(() => parseScheduleSettings({ allDay: 'yes' })).toThrow(/allDay/);
  });

  it('merges stored settings over the defaults and refuses bad ones', () => {
    expect(parseScheduleSettings(undefined)).toEqual(DEFAULT_SCHEDULE);
    const six = parseScheduleSettings({
      week: { sat: { checkIn: ['06:00', '09:00'], onTimeUntil: '07:30', checkOut: ['11:00', '14:00'] } },
    });
    expect(new Schedule(six).classify(wib('2025-01-11', '11:30'))).toBe('check-out');
    expect(six.week.mon).toEqual(DEFAULT_SCHEDULE.week.mon);
    expect(() => parseScheduleSettings({ cooldownSeconds: -1 })).toThrow(/cooldownSeconds/);
    expect(() =>
      parseScheduleSettings({
        week: { mon: { checkIn: ['06:00', '16:00'], onTimeUntil: '07:30', checkOut: ['15:00', '20:00'] } },
      }),
    ).toThrow(/check-out window must start after/);
    expect(() =>
      parseScheduleSettings({
        week: { tue: { checkIn: ['6', '9'], onTimeUntil: '07:30', checkOut: ['15:00', '20:00'] } },
      }),
    ).toThrow(/HH:MM/);
  });
});
