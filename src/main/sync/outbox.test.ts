import { afterEach, describe, expect, it } from 'vitest';
import { AttendanceService } from '../services/attendance-service';
import type { Clock } from '../services/clock';
import { readHubStatus, OUTBOX_SOFT_LIMIT_SETTING } from '../services/hub-status';
import { parseScheduleSettings } from '../services/schedule';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { HubOutboxRepo } from '../store/hub-outbox-repo';
import { PeopleRepo } from '../store/people-repo';
import { SettingsRepo } from '../store/settings-repo';
import { tempDb } from '../testing/temp-db';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A clock the test moves: wall time and the monotonic clock the cooldown uses together. */
function manualClock(start: string): Clock & { advance(ms: number): void } {
  let t = Date.parse(start);
  let mono = 1_000_000;
  return {
    now: () => new Date(t),
    monotonicMs: () => mono,
    advance(ms: number) {
      t += ms;
      mono += ms;
    },
  } as Clock & { advance(ms: number): void };
}

function join(db: Db): void {
  new HubLinkRepo(db).create({
    hub_url: 'http://hub.test',
    hub_id: 'hub-1',
    device_id: 'dev-1',
    site: { code: 'S', name: 'Site', time_zone: 'Asia/Jakarta', schedule: null, holidays: [] },
    pack_id: 'p',
    joined_at: '2026-01-05T00:00:00.000Z',
    clock_offset_ms: null,
  });
}

function setup() {
  const t = tempDb('hadir-outbox-');
  cleanups.push(t.cleanup);
  const clock = manualClock('2026-01-05T03:00:00.000Z'); // Monday 10:00 WIB: outside the default windows
  const person = new PeopleRepo(t.db).create({ employeeNumber: '1985', fullName: 'Siti' });
  return { db: t.db, clock, person };
}

describe('the outbox, through the attendance service', () => {
  it('a joined kiosk with an all-day site: check-in then, after the cooldown, check-out, each with its event', () => {
    const { db, clock, person } = setup();
    join(db);
    // What the replica writes for a hub site without a schedule.
    new SettingsRepo(db).set(
      'attendance.schedule',
      parseScheduleSettings({ timeZone: 'Asia/Jakarta', allDay: true, cooldownSeconds: 60 }),
    );
    const attendance = new AttendanceService({ db, clock });
    const scan = () => attendance.recordRecognition({ person, similarity: 0.7, liveness: 0.99, kioskId: 'k1' });
    expect(scan()).toMatchObject({ kind: 'checked_in', late: false });
    clock.advance(30_000);
    expect(scan().kind).toBe('cooldown');
    clock.advance(31_000);
    expect(scan().kind).toBe('checked_out');
    clock.advance(61_000);
    expect(scan().kind).toBe('checked_out'); // the latest check-out wins, and is an event too
    const events = new HubOutboxRepo(db).oldest(10);
    expect(events.map((e) => [e.seq, e.type, e.employee_number])).toEqual([
      [1, 'in', '1985'],
      [2, 'out', '1985'],
      [3, 'out', '1985'],
    ]);
    expect(events[0]).toMatchObject({ occurred_at: '2026-01-05T03:00:00.000Z', decision: { decided_by: 'face' } });
  });

  it('an operator record and a correction are events too; a standalone kiosk writes none', () => {
    const { db, clock, person } = setup();
    const attendance = new AttendanceService({ db, clock });
    const cli = { type: 'cli' as const, id: 't' };
    attendance.addRecord({ person, localDate: '2026-01-02', checkInAt: '07:10' }, 'forgot', cli);
    expect(new HubOutboxRepo(db).depth()).toBe(0);
    expect(readHubStatus(db)).toBeNull();
    join(db);
    const r = attendance.addRecord({ person, localDate: '2026-01-03', checkInAt: '07:10' }, 'forgot', cli);
    attendance.correctRecord(r.id, { checkOutAt: '16:00' }, 'left late', cli);
    expect(new HubOutboxRepo(db).oldest(10).map((e) => [e.seq, e.type, e.decision.decided_by])).toEqual([
      [1, 'in', 'operator'],
      [2, 'out', 'operator'],
    ]);
  });

  it('a failed write leaves neither the record nor its event, and no gap in the sequence', () => {
    const { db, clock, person } = setup();
    join(db);
    const attendance = new AttendanceService({ db, clock });
    const cli = { type: 'cli' as const, id: 't' };
    // Two records, the second already exists: the whole batch is refused.
    attendance.addRecord({ person, localDate: '2026-01-02', checkInAt: '07:10' }, 'x', cli);
    expect(() =>
      attendance.addRecords(
        [
          { person, localDate: '2026-01-03', checkInAt: '07:10' },
          { person, localDate: '2026-01-02', checkInAt: '07:20' },
        ],
        'x',
        cli,
      ),
    ).toThrow(/already has a record/);
    attendance.addRecord({ person, localDate: '2026-01-04', checkInAt: '07:10' }, 'x', cli);
    const outbox = new HubOutboxRepo(db);
    expect(outbox.oldest(10).map((e) => e.seq)).toEqual([1, 2]);
    expect(outbox.lastSeq()).toBe(2);
  });

  it('status: depth, and outbox_full over the soft limit while nothing is dropped', () => {
    const { db, clock, person } = setup();
    join(db);
    new SettingsRepo(db).set(OUTBOX_SOFT_LIMIT_SETTING, 2);
    const attendance = new AttendanceService({ db, clock });
    const cli = { type: 'cli' as const, id: 't' };
    for (const d of ['2026-01-01', '2026-01-02']) {
      attendance.addRecord({ person, localDate: d, checkInAt: '07:10' }, 'x', cli);
    }
    expect(readHubStatus(db)).toMatchObject({ state: 'syncing', outbox_depth: 2, outbox_full: false });
    attendance.addRecord({ person, localDate: '2026-01-03', checkInAt: '07:10' }, 'x', cli);
    expect(readHubStatus(db)).toMatchObject({ outbox_depth: 3, outbox_full: true });
    const outbox = new HubOutboxRepo(db);
    outbox.acknowledge(2);
    expect(readHubStatus(db)).toMatchObject({ outbox_depth: 1, outbox_full: false });
  });

  it('joining again renumbers pending events from 1 for the new device', () => {
    const { db, clock, person } = setup();
    join(db);
    const attendance = new AttendanceService({ db, clock });
    const cli = { type: 'cli' as const, id: 't' };
    for (const d of ['2026-01-01', '2026-01-02', '2026-01-03']) {
      attendance.addRecord({ person, localDate: d, checkInAt: '07:10' }, 'x', cli);
    }
    const outbox = new HubOutboxRepo(db);
    outbox.acknowledge(1);
    join(db);
    expect(outbox.oldest(10).map((e) => [e.seq, e.occurred_at.slice(0, 10)])).toEqual([
      [1, '2026-01-02'],
      [2, '2026-01-03'],
    ]);
    attendance.addRecord({ person, localDate: '2026-01-04', checkInAt: '07:10' }, 'x', cli);
    expect(outbox.oldest(10).map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});
