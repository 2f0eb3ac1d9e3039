import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zonedToUtc } from '../../shared/local-time';
import type { Actor, Person } from '../../shared/people';
import type { Db } from '../store/db';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { AttendanceService } from './attendance-service';
import { arrivalsHistogram } from './attendance-stats';
import { TestClock } from './clock';
import { nextAttendanceAction } from './next-action';
import { DEFAULT_SCHEDULE, Schedule, type ScheduleSettings } from './schedule';

// 2025-01-06 is a Monday, 2025-01-10 a Friday, 2025-01-11 a Saturday.
const MON = '2025-01-06';
const TUE = '2025-01-07';
const FRI = '2025-01-10';
const SAT = '2025-01-11';
const OPERATOR: Actor = { type: 'operator', id: 'siti' };
const wib = (date: string, time: string) => zonedToUtc(date, time, 'Asia/Jakarta');
const wit = (date: string, time: string) => zonedToUtc(date, time, 'Asia/Jayapura');

let env: ReturnType<typeof tempDb>;
let db: Db;
let clock: TestClock;
let people: Person[];

function service(schedule: Partial<ScheduleSettings> = {}): AttendanceService {
  return new AttendanceService({ db, clock, schedule: { ...DEFAULT_SCHEDULE, ...schedule } });
}

function scan(svc: AttendanceService, person: Person, at: Date) {
  clock.advanceTo(at);
  return svc.recordRecognition({ person, similarity: 0.6, liveness: 0.95, kioskId: 'lobby' });
}

beforeEach(() => {
  env = tempDb();
  db = env.db;
  clock = new TestClock(wib('2025-01-01', '05:00'));
  const repo = new PeopleRepo(db, () => clock.now());
  people = [
    ['198501012010012001', 'Ani', 'Keuangan'],
    ['199002022015031002', 'Budi', 'Umum'],
    ['199103032016041003', 'Citra', 'Keuangan'],
    ['199204042017051004', 'Dewi', 'Umum'],
  ].map(([employeeNumber, fullName, unit]) => repo.create({ employeeNumber, fullName, unit }));
});

afterEach(() => env.cleanup());

describe('attendance statistics (rows in SQLite → numbers)', () => {
  it('counts each day of the range, on time vs late, with workdays and holidays, filling empty days', () => {
    const svc = service();
    const [ani, budi, citra, dewi] = people;
    svc.setHoliday(TUE, 'Libur uji', OPERATOR);
    // Monday: two on time (07:30:00 is still on time), one late, one only checking out (no check-in).
    scan(svc, ani, wib(MON, '07:05'));
    scan(svc, budi, wib(MON, '07:30:00'));
    scan(svc, citra, wib(MON, '07:30:01'));
    scan(svc, dewi, wib(MON, '16:10'));
    // Friday: one late, entered by an operator.
    svc.addRecord({ person: ani, localDate: FRI, checkInAt: '08:02' }, 'kiosk was down', OPERATOR);

    const stats = svc.stats(MON, SAT);
    expect(stats.days).toEqual([
      { date: MON, present: 4, on_time: 2, late: 1, workday: true, holiday: null },
      { date: TUE, present: 0, on_time: 0, late: 0, workday: false, holiday: 'Libur uji' },
      { date: '2025-01-08', present: 0, on_time: 0, late: 0, workday: true, holiday: null },
      { date: '2025-01-09', present: 0, on_time: 0, late: 0, workday: true, holiday: null },
      { date: FRI, present: 1, on_time: 0, late: 1, workday: true, holiday: null },
      { date: SAT, present: 0, on_time: 0, late: 0, workday: false, holiday: null },
    ]);
    // The unit filter applies to both parts.
    const keuangan = svc.stats(MON, MON, 'Keuangan');
    expect(keuangan.days[0]).toMatchObject({ present: 2, on_time: 1, late: 1 });
    expect(keuangan.arrivals.bins.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(keuangan.unit).toBe('Keuangan');
  });

  it('bins the last day’s check-ins per 15 minutes of local time over the check-in window', () => {
    const svc = service();
    const [ani, budi, citra, dewi] = people;
    scan(svc, ani, wib(MON, '06:00:00')); // first second of the first bin
    scan(svc, budi, wib(MON, '07:14:59')); // last second of 07:00
    scan(svc, citra, wib(MON, '07:15:00')); // first second of 07:15
    scan(svc, dewi, wib(MON, '09:59:59'));
    const { arrivals } = svc.stats('2025-01-01', MON);
    expect(arrivals).toMatchObject({ date: MON, bin_minutes: 15, on_time_until: '07:30' });
    // 06:00–10:00 is 16 bins, zeros included.
    expect(arrivals.bins).toHaveLength(16);
    expect(arrivals.bins[0]).toEqual({ start: '06:00', count: 1 });
    expect(arrivals.bins.find((b) => b.start === '07:00')).toEqual({ start: '07:00', count: 1 });
    expect(arrivals.bins.find((b) => b.start === '07:15')).toEqual({ start: '07:15', count: 1 });
    expect(arrivals.bins.at(-1)).toEqual({ start: '09:45', count: 1 });
    expect(arrivals.bins.reduce((n, b) => n + b.count, 0)).toBe(4);
  });

  it('widens the axis for a check-in outside the window and uses the site’s zone (WIT)', () => {
    const svc = service({ timeZone: 'Asia/Jayapura' });
    const [ani] = people;
    svc.addRecord({ person: ani, localDate: MON, checkInAt: '11:20' }, 'came from a meeting', OPERATOR);
    const { arrivals } = svc.stats(MON, MON);
    expect(arrivals.bins[0].start).toBe('06:00');
    expect(arrivals.bins.at(-1)).toEqual({ start: '11:15', count: 1 });
    // Stored as UTC: 11:20 WIT is 02:20Z; binned by the site's midnight, not UTC's.
    expect((db.prepare('SELECT check_in_at FROM attendance').get() as { check_in_at: string }).check_in_at).toBe(
      wit(MON, '11:20').toISOString(),
    );
  });

  it('gives no bins and no limit on a closed day without check-ins', () => {
    expect(service().stats(SAT, SAT).arrivals).toEqual({ date: SAT, bin_minutes: 15, bins: [], on_time_until: null });
  });

  it('refuses a backwards range and one longer than 366 days', () => {
    const svc = service();
    expect(() => svc.stats(TUE, MON)).toThrow(/after/);
    expect(() => svc.stats('2024-01-01', '2025-01-02')).toThrow(/366/);
    expect(() => svc.stats('2025-1-1', MON)).toThrow(/YYYY-MM-DD/);
    expect(svc.stats('2024-01-07', MON).days).toHaveLength(366);
  });
});

describe('arrivalsHistogram', () => {
  it('clamps stray bins into the day and sums them', () => {
    const h = arrivalsHistogram(MON, [{ bin: 200, count: 2 }], null);
    expect(h.bins).toEqual([{ start: '23:45', count: 2 }]);
    expect(h.on_time_until).toBeNull();
  });
});

describe('the next action after a cooldown', () => {
  const schedule = new Schedule(DEFAULT_SCHEDULE);
  const checkedIn = { check_in_at: wib(MON, '07:42').toISOString(), check_out_at: null };

  it('after a morning check-in: check-out from the window’s start', () => {
    expect(nextAttendanceAction(schedule, wib(MON, '07:42:30'), checkedIn, wib(MON, '07:43:10'))).toEqual({
      kind: 'check_out',
      from: '15:30',
    });
    // Friday's check-out opens later.
    expect(nextAttendanceAction(schedule, wib(FRI, '07:42:30'), checkedIn)).toEqual({
      kind: 'check_out',
      from: '16:00',
    });
  });

  it('inside the check-out window: from when the cooldown ends, rounded up to the minute', () => {
    expect(nextAttendanceAction(schedule, wib(MON, '15:29:40'), checkedIn, wib(MON, '15:30:25'))).toEqual({
      kind: 'check_out',
      from: '15:31',
    });
  });

  it('after a check-out, or once the window has closed: nothing more today', () => {
    const out = { ...checkedIn, check_out_at: wib(MON, '16:05').toISOString() };
    expect(nextAttendanceAction(schedule, wib(MON, '16:05:20'), out, wib(MON, '16:06'))).toEqual({ kind: 'none' });
    expect(nextAttendanceAction(schedule, wib(MON, '19:59:30'), checkedIn, wib(MON, '20:00:10'))).toEqual({
      kind: 'none',
    });
  });

  it('all day: check-out as soon as the cooldown ends', () => {
    const allDay = new Schedule({ ...DEFAULT_SCHEDULE, allDay: true });
    expect(nextAttendanceAction(allDay, wib(MON, '09:00:00'), checkedIn, wib(MON, '09:00:45'))).toEqual({
      kind: 'check_out',
      from: '09:01',
    });
  });

  it('the service sends the day’s record and the next action with the cooldown', () => {
    const svc = service();
    const [ani] = people;
    scan(svc, ani, wib(MON, '07:42:00'));
    const c = scan(svc, ani, wib(MON, '07:42:20'));
    expect(c).toMatchObject({
      kind: 'cooldown',
      retry_after_s: 40,
      record: { check_in_at: wib(MON, '07:42').toISOString(), check_out_at: null },
      next: { kind: 'check_out', from: '15:30' },
    });
    const again = scan(svc, ani, wib(MON, '08:00'));
    expect(again).toMatchObject({ kind: 'already_checked_in', next: { kind: 'check_out', from: '15:30' } });
    scan(svc, ani, wib(MON, '16:05:00'));
    expect(scan(svc, ani, wib(MON, '16:05:30'))).toMatchObject({
      kind: 'cooldown',
      record: { check_out_at: wib(MON, '16:05').toISOString() },
      next: { kind: 'none' },
    });
  });
});

describe('the kiosk event of a cooldown', () => {
  it('carries the day’s times and the next action, and nothing when the service had none', async () => {
    const { eventOf } = await import('./kiosk-service');
    const record = { check_in_at: '2025-01-06T00:42:00.000Z', check_out_at: null } as never;
    expect(
      eventOf({ kind: 'cooldown', retry_after_s: 40, record, next: { kind: 'check_out', from: '15:30' } }),
    ).toEqual({
      kind: 'cooldown',
      retryAfterSeconds: 40,
      checkInAt: '2025-01-06T00:42:00.000Z',
      nextAction: { kind: 'check_out', from: '15:30' },
    });
    expect(eventOf({ kind: 'cooldown', retry_after_s: 5 })).toEqual({ kind: 'cooldown', retryAfterSeconds: 5 });
  });
});
