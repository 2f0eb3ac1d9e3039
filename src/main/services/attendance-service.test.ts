import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttendanceOutcome } from '../../shared/attendance';
import { zonedToUtc } from '../../shared/local-time';
import type { Actor, Person } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { AttendanceService } from './attendance-service';
import { TestClock } from './clock';
import { DEFAULT_SCHEDULE, type ScheduleSettings } from './schedule';

// 2025-01-06 is a Monday, 2025-01-10 a Friday, 2025-01-11 a Saturday.
const MON = '2025-01-06';
const TUE = '2025-01-07';
const FRI = '2025-01-10';
const SAT = '2025-01-11';
const OPERATOR: Actor = { type: 'operator', id: 'siti' };

const wib = (date: string, time: string) => zonedToUtc(date, time, 'Asia/Jakarta');

let env: ReturnType<typeof tempDb>;
let db: Db;
let clock: TestClock;
let people: PeopleRepo;
let ani: Person;
let budi: Person;

function service(schedule: Partial<ScheduleSettings> = {}): AttendanceService {
  return new AttendanceService({ db, clock, schedule: { ...DEFAULT_SCHEDULE, ...schedule } });
}

function scan(svc: AttendanceService, person: Person, at?: Date): AttendanceOutcome {
  if (at) clock.advanceTo(at);
  return svc.recordRecognition({ person, similarity: 0.62, liveness: 0.97, kioskId: 'lobby' });
}

const count = () => (db.prepare('SELECT count(*) AS n FROM attendance').get() as { n: number }).n;

beforeEach(() => {
  env = tempDb();
  db = env.db;
  clock = new TestClock(wib(MON, '05:00'));
  people = new PeopleRepo(db, () => clock.now());
  ani = people.create({ employeeNumber: '198501012010012001', fullName: 'Dr. Ani Lestari, S.Kom.', unit: 'Keuangan' });
  budi = people.create({ employeeNumber: '199002022015031002', fullName: 'Budi Santoso', unit: 'Umum' });
});

afterEach(() => env.cleanup());

describe('attendance rules', () => {
  it('the first scan in the check-in window checks in, on time until the limit, late after it', () => {
    const svc = service();
    const a = scan(svc, ani, wib(MON, '07:30:00'));
    expect(a).toMatchObject({ kind: 'checked_in', late: false });
    if (a.kind !== 'checked_in') throw new Error();
    expect(a.record).toMatchObject({
      person_id: ani.id,
      employee_number: ani.employee_number,
      local_date: MON,
      check_in_at: wib(MON, '07:30').toISOString(),
      check_out_at: null,
      kiosk_id: 'lobby',
      similarity: 0.62,
      liveness: 0.97,
      decided_by: 'face',
      clock_flag: null,
      late: false,
    });
    const b = scan(svc, budi, wib(MON, '07:30:01'));
    expect(b).toMatchObject({ kind: 'checked_in', late: true, record: { late: true } });
  });

  it('answers cooldown within 60 s and already_checked_in after it, recording nothing', () => {
    const svc = service();
    scan(svc, ani, wib(MON, '07:10'));
    expect(scan(svc, ani, wib(MON, '07:10:20'))).toMatchObject({ kind: 'cooldown', retry_after_s: 40 });
    const again = scan(svc, ani, wib(MON, '07:11:30'));
    expect(again).toMatchObject({ kind: 'already_checked_in', late: false });
    if (again.kind !== 'already_checked_in') throw new Error();
    expect(again.record.check_in_at).toBe(wib(MON, '07:10').toISOString());
    // already_checked_in starts the cooldown again: someone standing at the kiosk is not answered every frame.
    expect(scan(svc, ani, wib(MON, '07:11:50')).kind).toBe('cooldown');
    // Another person is not held up by Ani's cooldown.
    expect(scan(svc, budi, wib(MON, '07:11:51')).kind).toBe('checked_in');
    expect(count()).toBe(2);
  });

  it('the cooldown is timed on the monotonic clock: setting the wall clock forward does not end it', () => {
    const svc = service();
    scan(svc, ani, wib(MON, '07:10'));
    clock.jump(10 * 60_000);
    expect(scan(svc, ani).kind).toBe('cooldown');
  });

  it('check-out window scans set and then update the check-out time', () => {
    const svc = service();
    scan(svc, ani, wib(MON, '07:45'));
    const out1 = scan(svc, ani, wib(MON, '15:30'));
    expect(out1).toMatchObject({ kind: 'checked_out', late: true });
    const out2 = svc.recordRecognition({ person: ani.id, similarity: 0.7, liveness: null, kioskId: 'gate' });
    expect(out2.kind).toBe('cooldown');
    clock.advanceTo(wib(MON, '17:05'));
    const out3 = svc.recordRecognition({ person: ani.id, similarity: 0.7, liveness: null, kioskId: 'gate' });
    if (out3.kind !== 'checked_out') throw new Error(out3.kind);
    expect(out3.record).toMatchObject({
      check_in_at: wib(MON, '07:45').toISOString(),
      check_out_at: wib(MON, '17:05').toISOString(),
      kiosk_id: 'lobby',
      similarity: 0.62,
      check_out_kiosk_id: 'gate',
      check_out_similarity: 0.7,
      check_out_liveness: null,
      late: true,
    });
    expect(count()).toBe(1);
  });

  it('a first scan in the check-out window records the check-out without inventing a check-in', () => {
    const svc = service();
    const out = scan(svc, budi, wib(MON, '16:00'));
    expect(out).toMatchObject({ kind: 'checked_out', record: { check_in_at: null, late: false } });
    expect(svc.dailySummary(MON)).toMatchObject({ present: 1, no_check_in: 1 });
  });

  it('answers closed outside the windows and on closed weekdays, recording nothing', () => {
    const svc = service();
    for (const t of ['05:59:59', '10:00', '12:00', '15:29:59', '20:00', '23:59']) {
      expect(scan(svc, ani, wib(MON, t)).kind, t).toBe('closed');
    }
    expect(scan(svc, ani, wib(SAT, '08:00')).kind).toBe('closed');
    expect(count()).toBe(0);
  });

  it('follows the Friday schedule (check-out opens at 16:00)', () => {
    const svc = service();
    // Monday–Thursday check-out opens at 15:30.
    scan(svc, budi, wib(TUE, '07:00'));
    expect(scan(svc, budi, wib(TUE, '15:45')).kind).toBe('checked_out');
    scan(svc, ani, wib(FRI, '07:00'));
    expect(scan(svc, ani, wib(FRI, '15:45')).kind).toBe('closed');
    expect(scan(svc, ani, wib(FRI, '16:00')).kind).toBe('checked_out');
  });

  it('decides the day and the lateness in the site time zone (WIB, WITA, WIT)', () => {
    // 2025-01-06T22:30Z is Tuesday 05:30 WIB, 06:30 WITA, 07:30 WIT.
    const instant = new Date('2025-01-06T22:30:00Z');
    const results: Record<string, AttendanceOutcome> = {};
    for (const tz of ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const) {
      const e = tempDb();
      try {
        const p = new PeopleRepo(e.db, () => new Date('2025-01-01T00:00:00Z')).create({
          employeeNumber: '1',
          fullName: 'A',
        });
        const c = new TestClock(instant);
        const svc = new AttendanceService({ db: e.db, clock: c, schedule: { ...DEFAULT_SCHEDULE, timeZone: tz } });
        results[tz] = svc.recordRecognition({ person: p, similarity: 0.6, liveness: 0.9, kioskId: 'k' });
        if (tz === 'Asia/Jayapura') {
          // One second later is late in WIT.
          const q = new PeopleRepo(e.db).create({ employeeNumber: '2', fullName: 'B' });
          c.advance(1000);
          expect(svc.recordRecognition({ person: q, similarity: 0.6, liveness: 0.9, kioskId: 'k' })).toMatchObject({
            kind: 'checked_in',
            late: true,
          });
        }
      } finally {
        e.cleanup();
      }
    }
    expect(results['Asia/Jakarta'].kind).toBe('closed');
    expect(results['Asia/Makassar']).toMatchObject({ kind: 'checked_in', late: false, record: { local_date: TUE } });
    expect(results['Asia/Jayapura']).toMatchObject({ kind: 'checked_in', late: false, record: { local_date: TUE } });
  });

  it('starts a new day at local midnight, not at UTC midnight', () => {
    const late = { checkIn: ['00:00', '10:00'], onTimeUntil: '07:30', checkOut: ['15:30', '23:59'] } as const;
    const svc = service({
      week: { ...DEFAULT_SCHEDULE.week, mon: structuredClone(late) as never, tue: structuredClone(late) as never },
    });
    scan(svc, ani, wib(MON, '07:00'));
    expect(scan(svc, ani, wib(MON, '23:58')).kind).toBe('checked_out'); // 16:58Z
    const tue = scan(svc, ani, wib(TUE, '00:00:30')); // 17:00:30Z, still Monday in UTC
    expect(tue).toMatchObject({ kind: 'checked_in', record: { local_date: TUE, check_out_at: null } });
    expect(count()).toBe(2);
  });

  it('answers holiday on a holiday (nothing recorded) unless the site records holidays', () => {
    const svc = service();
    svc.setHoliday(MON, 'Tahun Baru Islam', OPERATOR);
    expect(scan(svc, ani, wib(MON, '07:00'))).toEqual({ kind: 'holiday', holiday: 'Tahun Baru Islam' });
    expect(count()).toBe(0);
    expect(
      service({ recordOnHolidays: true }).recordRecognition({
        person: ani,
        similarity: 0.6,
        liveness: 0.9,
        kioskId: 'k',
      }).kind,
    ).toBe('checked_in');
    const summary = svc.dailySummary(MON);
    expect(summary).toMatchObject({ holiday: 'Tahun Baru Islam', workday: false, absent: 0, present: 1 });
    expect(new AuditRepo(db).list({ action: 'holiday.set' })[0]).toMatchObject({
      actor_type: 'operator',
      actor_id: 'siti',
      target_id: MON,
    });
  });

  it('answers on_leave during registered leave (nothing recorded) unless the site records it', () => {
    const svc = service();
    svc.addLeave({ person: ani, from: MON, to: TUE, kind: 'cuti' }, OPERATOR);
    expect(scan(svc, ani, wib(MON, '07:00'))).toEqual({ kind: 'on_leave', leave_kind: 'cuti' });
    expect(scan(svc, budi).kind).toBe('checked_in');
    expect(count()).toBe(1);
    expect(
      service({ recordOnLeave: true }).recordRecognition({ person: ani, similarity: 0.6, liveness: 0.9, kioskId: 'k' })
        .kind,
    ).toBe('checked_in');
  });

  it('refuses a recognition of an inactive or unknown person', () => {
    const svc = service();
    people.setActive(budi.id, false);
    clock.advanceTo(wib(MON, '07:00'));
    expect(() => scan(svc, budi)).toThrow(/not active/);
    expect(() => svc.recordRecognition({ person: 9999, similarity: 0.6, liveness: 0.9, kioskId: 'k' })).toThrow(
      /no person/,
    );
  });
});

describe('the clock as evidence', () => {
  it('flags records touched by a backward jump, audits it, and stops flagging once acknowledged', () => {
    const svc = service();
    scan(svc, ani, wib(MON, '07:10'));
    clock.jump(-60 * 60_000); // someone sets the clock back an hour: 06:10
    const b = scan(svc, budi);
    if (b.kind !== 'checked_in') throw new Error(b.kind);
    expect(b.record.check_in_at).toBe(wib(MON, '06:10').toISOString());
    expect(b.record.clock_flag).toMatch(/^clock set back 3600 s at /);
    // Ani's check-in at 07:10 now lies in the clock's future: flagged too.
    expect(svc.repo.findDay(ani.id, MON)!.clock_flag).toMatch(/clock set back 3600 s/);
    const status = svc.clockStatus();
    expect(status).toMatchObject({ trusted: false, jumps: [{ kind: 'backward' }] });
    expect(new AuditRepo(db).list({ action: 'clock.jump' })).toHaveLength(1);

    svc.acknowledgeClock(OPERATOR);
    expect(svc.clockStatus().trusted).toBe(true);
    const c = people.create({ employeeNumber: '3', fullName: 'Citra' });
    expect(scan(svc, c)).toMatchObject({ kind: 'checked_in', record: { clock_flag: null } });
    expect(new AuditRepo(db).list({ action: 'clock.acknowledge' })[0]).toMatchObject({ actor_id: 'siti' });
  });

  it('flags a far forward jump but not ordinary drift or time passing', () => {
    const svc = service();
    clock.advanceTo(wib(MON, '07:00'));
    svc.clockStatus();
    clock.jump(60_000); // a minute: within the forward tolerance
    expect(scan(svc, ani).kind).toBe('checked_in');
    expect(svc.clockStatus().trusted).toBe(true);
    clock.jump(20 * 60_000);
    const b = scan(svc, budi);
    expect(b).toMatchObject({
      kind: 'checked_in',
      record: { clock_flag: expect.stringMatching(/^clock set forward 1200 s/) },
    });
    expect(svc.repo.findDay(ani.id, MON)!.clock_flag).toBeNull(); // earlier records are not in the future
  });

  it('notices at start-up a clock behind the latest stored record', () => {
    const svc = service();
    scan(svc, ani, wib(MON, '07:10'));
    const later = new TestClock(wib(MON, '06:00')); // a restarted kiosk whose clock is an hour behind
    const restarted = new AttendanceService({ db, clock: later, schedule: DEFAULT_SCHEDULE });
    expect(restarted.clockStatus()).toMatchObject({ trusted: false, jumps: [{ kind: 'backward' }] });
    expect(restarted.repo.findDay(ani.id, MON)!.clock_flag).toMatch(/clock set back/);
  });
});

describe('operator changes', () => {
  it('adds a record with a reason and audits it naming the operator', () => {
    const svc = service();
    clock.advanceTo(wib(TUE, '09:00'));
    expect(() => svc.addRecord({ person: ani, localDate: MON, checkInAt: '07:40' }, '  ', OPERATOR)).toThrow(/reason/);
    const r = svc.addRecord(
      { person: ani, localDate: MON, checkInAt: '07:40', checkOutAt: '16:10' },
      'kiosk offline',
      OPERATOR,
    );
    expect(r).toMatchObject({
      local_date: MON,
      check_in_at: wib(MON, '07:40').toISOString(),
      check_out_at: wib(MON, '16:10').toISOString(),
      late: true,
      decided_by: 'operator',
      note: 'kiosk offline',
    });
    const [entry] = new AuditRepo(db).list({ action: 'attendance.create' });
    expect(entry).toMatchObject({
      actor_type: 'operator',
      actor_id: 'siti',
      target_type: 'attendance',
      target_id: String(r.id),
    });
    expect(entry.details).toMatchObject({ reason: 'kiosk offline', person_id: ani.id, after: { late: true } });
    expect(() => svc.addRecord({ person: ani, localDate: MON, checkInAt: '08:00' }, 'again', OPERATOR)).toThrow(
      /already has a record/,
    );
    // A time that is not on the record's date (in the site's zone) is refused.
    expect(() =>
      svc.addRecord({ person: budi, localDate: MON, checkInAt: '2025-01-06T23:00:00Z' }, 'wrong day', OPERATOR),
    ).toThrow(/is on 2025-01-07/);
    expect(() =>
      svc.addRecord({ person: budi, localDate: MON, checkInAt: '16:00', checkOutAt: '08:00' }, 'x', OPERATOR),
    ).toThrow(/before check-in/);
  });

  it('corrects a record, recomputes lateness, and keeps the before and after in the audit log', () => {
    const svc = service();
    const a = scan(svc, ani, wib(MON, '07:50'));
    if (a.kind !== 'checked_in') throw new Error();
    expect(a.late).toBe(true);
    const api: Actor = { type: 'api_key', id: '7' };
    const fixed = svc.correctRecord(a.record.id, { checkInAt: '07:20' }, 'queue at the kiosk; CCTV checked', api);
    expect(fixed).toMatchObject({
      check_in_at: wib(MON, '07:20').toISOString(),
      late: false,
      note: 'queue at the kiosk; CCTV checked',
      decided_by: 'face',
    });
    const [entry] = new AuditRepo(db).list({ action: 'attendance.correct' });
    expect(entry).toMatchObject({ actor_type: 'api_key', actor_id: '7', target_id: String(a.record.id) });
    expect(entry.details).toMatchObject({
      reason: 'queue at the kiosk; CCTV checked',
      changes: {
        check_in_at: { before: wib(MON, '07:50').toISOString(), after: wib(MON, '07:20').toISOString() },
        late: { before: true, after: false },
      },
    });
    expect(() => svc.correctRecord(a.record.id, { late: true }, '', OPERATOR)).toThrow(/reason/);
    expect(() => svc.correctRecord(424242, { late: true }, 'x', OPERATOR)).toThrow(/no attendance record/);

    svc.deleteRecord(a.record.id, 'wrong person identified', OPERATOR);
    expect(count()).toBe(0);
    expect(new AuditRepo(db).list({ action: 'attendance.delete' })[0].details).toMatchObject({
      reason: 'wrong person identified',
      before: { id: a.record.id, employee_number: ani.employee_number },
    });
  });

  it('writes a batch of manual records all or nothing', () => {
    const svc = service();
    expect(() =>
      svc.addRecords(
        [
          { person: ani, localDate: MON, checkInAt: '07:00' },
          { person: budi, localDate: MON, checkInAt: 'not a time' },
        ],
        'official trip',
        OPERATOR,
      ),
    ).toThrow(/not a time/);
    expect(count()).toBe(0);
    expect(new AuditRepo(db).list({ action: 'attendance.create' })).toHaveLength(0);
    expect(
      svc.addRecords(
        [
          { person: ani, localDate: MON, checkInAt: '07:00' },
          { person: budi, localDate: MON, checkInAt: '07:00' },
        ],
        'official trip',
        OPERATOR,
      ),
    ).toHaveLength(2);
  });

  it('stores and validates the schedule setting, audited', () => {
    const svc = new AttendanceService({ db, clock });
    expect(svc.schedule().settings).toEqual(DEFAULT_SCHEDULE);
    svc.setSchedule({ timeZone: 'Asia/Makassar', cooldownSeconds: 30 }, OPERATOR);
    expect(svc.schedule().settings).toMatchObject({
      timeZone: 'Asia/Makassar',
      cooldownSeconds: 30,
      week: DEFAULT_SCHEDULE.week,
    });
    // A later change keeps what it does not name, weekday by weekday.
    const sat = { checkIn: ['07:00', '09:00'], onTimeUntil: '07:30', checkOut: ['12:00', '14:00'] };
    svc.setSchedule({ week: { sat } as never }, OPERATOR);
    expect(svc.schedule().settings).toMatchObject({ timeZone: 'Asia/Makassar', cooldownSeconds: 30, week: { sat } });
    expect(svc.schedule().settings.week.mon).toEqual(DEFAULT_SCHEDULE.week.mon);
    expect(() => svc.setSchedule({ timeZone: 'Europe/London' as never }, OPERATOR)).toThrow(/time zone/);
    expect(() =>
      svc.setSchedule(
        {
          week: {
            ...DEFAULT_SCHEDULE.week,
            mon: { checkIn: ['08:00', '07:00'], onTimeUntil: '07:30', checkOut: ['15:00', '16:00'] },
          },
        },
        OPERATOR,
      ),
    ).toThrow(/mon: the check-in window/);
    expect(new AuditRepo(db).list({ action: 'settings.schedule' })).toHaveLength(2);
  });
});

describe('daily summary', () => {
  it('counts present, late, absent, on leave and not checked out', () => {
    const svc = service();
    const citra = people.create({ employeeNumber: '3', fullName: 'Citra', unit: 'Keuangan' });
    const dewi = people.create({ employeeNumber: '4', fullName: 'Dewi', unit: 'Keuangan' });
    const eko = people.create({ employeeNumber: '5', fullName: 'Eko', unit: 'Umum' });
    people.setActive(eko.id, false);
    svc.addLeave({ person: citra, from: MON, to: MON, kind: 'sakit' }, OPERATOR);
    scan(svc, ani, wib(MON, '07:00'));
    scan(svc, budi, wib(MON, '08:00'));
    scan(svc, ani, wib(MON, '16:00'));
    clock.advanceTo(wib(TUE, '09:00'));
    people.create({ employeeNumber: '6', fullName: 'Fajar', unit: 'Umum' }); // joined after Monday

    expect(svc.dailySummary(MON)).toEqual({
      date: MON,
      holiday: null,
      workday: true,
      active: 4,
      present: 2,
      late: 1,
      absent: 1,
      on_leave: 1,
      not_checked_out: 1,
      no_check_in: 0,
      absent_people: [{ person_id: dewi.id, employee_number: '4', full_name: 'Dewi', unit: 'Keuangan' }],
    });
    expect(svc.dailySummary(MON, 'Umum')).toMatchObject({ active: 1, present: 1, late: 1, absent: 0, on_leave: 0 });
    expect(svc.dailySummary(SAT)).toMatchObject({ workday: false, absent: 0 });
  });
});
