/**
 * A joined kiosk learns the hub's verdict on its people's days: a real hub (PostgreSQL, HTTP on
 * loopback), a real kiosk SQLite file, the kiosk's attendance service and its sync service.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, localParts, weekdayOf, zonedToUtc } from '../src/shared/local-time';
import { correctDay } from '../src/main/hub/corrections';
import { addPerson, deletePerson } from '../src/main/hub/people';
import { createPairingCode } from '../src/main/hub/pairing';
import { addSite, setSiteSchedule } from '../src/main/hub/sites';
import { AttendanceService } from '../src/main/services/attendance-service';
import { attendancePage } from '../src/main/services/attendance-views';
import { DEFAULT_SCHEDULE } from '../src/main/services/schedule';
import { HubDaysRepo } from '../src/main/store/hub-days-repo';
import { SettingsRepo } from '../src/main/store/settings-repo';
import { startTestHub, TEST_ACTOR, TEST_PACK, type TestHub } from '../src/main/testing/postgres-hub';
import { tempDb } from '../src/main/testing/temp-db';
import { Backoff } from '../src/main/sync/backoff';
import { readCredential } from '../src/main/sync/credential-file';
import { HubClient } from '../src/main/sync/hub-client';
import { refreshHubDays } from '../src/main/sync/hub-days';
import { joinHub } from '../src/main/sync/join';
import { SyncService } from '../src/main/sync/sync-service';

const hasPostgres = inject('pgAdminUrl') !== '';
const ZONE = 'Asia/Jakarta';

/** The latest weekday before today in Jakarta (within the 7 days a kiosk keeps): the default schedule's workday. */
function recentWorkday(): string {
  const today = localParts(new Date(), ZONE).date;
  for (let back = 1; ; back++) {
    const d = addDays(today, -back);
    if (weekdayOf(d) !== 0 && weekdayOf(d) !== 6) return d;
  }
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasPostgres)("a joined kiosk shows the hub's record of a day", () => {
  let t: TestHub;
  const kiosk = tempDb('hadir-hub-days-');
  const day = recentWorkday();
  /** 07:20 WIB that day: on time by the default schedule (until 07:30). */
  const checkInAt = zonedToUtc(day, '07:20', ZONE);
  const services: SyncService[] = [];
  let attendance: AttendanceService;

  const syncService = () => {
    const s = new SyncService({
      db: kiosk.db,
      credential: readCredential(kiosk.dir)!,
      packId: TEST_PACK,
      backoff: () => new Backoff({ initialMs: 50, maxMs: 300 }),
      outboxPollMs: 50,
      hubDaysDebounceMs: 100,
      hubDaysEveryMs: 60_000,
    });
    services.push(s);
    return s;
  };
  const dayView = () => attendancePage(attendance, { from: day, to: day });
  const e1Record = () => dayView().records.find((r) => r.employee_number === 'E1')!;

  beforeAll(async () => {
    t = await startTestHub();
    await addSite(t.hub.pool, { code: 'JKT', name: 'Jakarta', timeZone: ZONE }, TEST_ACTOR);
    await setSiteSchedule(t.hub.pool, 'JKT', {}, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'E1', fullName: 'Satu', homeSite: 'JKT' }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'E2', fullName: 'Dua', homeSite: 'JKT' }, TEST_ACTOR);
    new SettingsRepo(kiosk.db).set('activePack', TEST_PACK);
    const { code } = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    const joined = await joinHub({
      db: kiosk.db,
      dataDir: kiosk.dir,
      hubUrl: t.url,
      code,
      packId: TEST_PACK,
      name: 'Loket',
    });
    if (!joined.ok) throw new Error(joined.message);
    expect(await syncService().pullUntilCaughtUp()).toBeNull();
    // The kiosk's clock at 07:20 that day (no jump flagged however long the test runs).
    attendance = new AttendanceService({
      db: kiosk.db,
      clock: { now: () => checkInAt, monotonicMs: () => performance.now() },
      clockLimits: { backwardToleranceMs: 1e12, forwardToleranceMs: 1e12 },
    });
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    kiosk.cleanup();
    await t?.close();
  });

  it('on time at the kiosk, late at the hub after a correction: the kiosk ends up showing the hub’s verdict', async () => {
    for (const who of ['E1', 'E2']) {
      const id = kiosk.db.prepare('SELECT id FROM people WHERE employee_number = ?').pluck().get(who) as number;
      const r = attendance.recordRecognition({ person: id, similarity: 0.9, liveness: 0.99, kioskId: 'loket-1' });
      expect(r).toMatchObject({ kind: 'checked_in', late: false });
    }
    // Before the hub said anything: the kiosk's own record, marked as such.
    expect(e1Record()).toMatchObject({ late: false, source: 'kiosk', check_in_at: checkInAt.toISOString() });

    // The running service pushes the check-ins and then asks for the hub's days (debounced after the push).
    const running = syncService();
    running.start();
    const hubDays = new HubDaysRepo(kiosk.db);
    await waitFor(
      "the hub's record of E1's day",
      () => hubDays.get('E1', day)?.first_in_at === checkInAt.toISOString(),
    );
    await running.stop();
    expect(e1Record()).toMatchObject({ source: 'hub', late: false, corrected: false, check_in_site: 'JKT' });

    // At the hub an operator corrects the day: E1 really came at 07:50, 20 minutes late.
    await correctDay(
      t.hub.pool,
      { employeeNumber: 'E1', date: day, checkIn: '07:50', reason: 'Datang 07.50 menurut buku tamu' },
      TEST_ACTOR,
    );
    const out = await syncService().refreshHubDays();
    expect(out).toMatchObject({ kind: 'fetched', to: localParts(new Date(), ZONE).date });
    const page = dayView();
    expect(page.records.find((r) => r.employee_number === 'E1')).toMatchObject({
      check_in_at: zonedToUtc(day, '07:50', ZONE).toISOString(),
      late: true,
      source: 'hub',
      corrected: true,
      correction_reason: 'Datang 07.50 menurut buku tamu',
    });
    // The day's counts follow the shown records; the kiosk's own record is untouched.
    expect(page.summary).toMatchObject({ present: 2, late: 1 });
    expect(page.records.find((r) => r.employee_number === 'E2')).toMatchObject({ source: 'hub', late: false });
    expect(attendance.page({ from: day, to: day, only_late: true }, null, 10).records.map((r) => r.employee_number)).toEqual(['E1']); // prettier-ignore
    expect(kiosk.db.prepare("SELECT late FROM attendance WHERE employee_number = 'E1'").pluck().get()).toBe(0);
    expect(hubDays.get('E1', day)).toMatchObject({ late: true, late_seconds: 20 * 60, status: 'late' });
    // The operator's arrivals chart counts E1 at the hub's 07:50, not at the kiosk's own time.
    const arrivals = attendance.stats(day, day).arrivals.bins.filter((b) => b.count > 0);
    expect(arrivals).toContainEqual({ start: '07:45', count: 1 });
    expect(arrivals.reduce((n, b) => n + b.count, 0)).toBe(2);
  });

  it('replaces the range whole, and an unreachable hub changes nothing', async () => {
    const hubDays = new HubDaysRepo(kiosk.db);
    // A day the hub no longer has (say, of someone no longer the site's) leaves at the next answer.
    const other = addDays(day, -1);
    kiosk.db
      .prepare(
        `INSERT INTO hub_days (employee_number, date, person_hub_id, status, fetched_at) VALUES ('GONE', ?, 'x', 'present', ?)`,
      )
      .run(other, new Date().toISOString());
    expect((await syncService().refreshHubDays()).kind).toBe('fetched');
    expect(hubDays.get('GONE', other)).toBeNull();
    const before = hubDays.count();
    expect(before).toBe(2);

    const away = new HubClient({ hubUrl: 'http://127.0.0.1:9', credential: 'x' });
    const offline = await refreshHubDays(kiosk.db, away, new Date());
    away.close();
    expect(offline).toMatchObject({ kind: 'failed', failure: { kind: 'unreachable' } });
    expect(hubDays.count()).toBe(before);
    expect(e1Record()).toMatchObject({ source: 'hub', late: true });
  });

  it("a person deleted at the hub loses the hub's record of their days on the kiosk", async () => {
    await deletePerson(t.hub.pool, 'E1', TEST_ACTOR);
    expect(await syncService().pullUntilCaughtUp()).toBeNull();
    // Read from the file itself, through a connection of its own.
    const file = new Database(kiosk.file, { readonly: true });
    try {
      const rows = file.prepare('SELECT employee_number FROM hub_days ORDER BY employee_number').pluck().all();
      expect(rows).toEqual(['E2']);
    } finally {
      file.close();
    }
    // Their attendance stays (unlinked) and shows as the kiosk recorded it.
    expect(e1Record()).toMatchObject({ person_id: null, late: false, source: 'kiosk' });
  });

  it('a standalone kiosk lists its records exactly as before (no source, no hub fields)', () => {
    const alone = tempDb('hadir-standalone-');
    try {
      const svc = new AttendanceService({ db: alone.db, schedule: DEFAULT_SCHEDULE, clock: { now: () => checkInAt, monotonicMs: () => performance.now() } }); // prettier-ignore
      const id = Number(
        alone.db
          .prepare(
            "INSERT INTO people (employee_number, full_name, active, created_at, updated_at) VALUES ('L1', 'Lokal', 1, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')",
          )
          .run().lastInsertRowid,
      );
      svc.recordRecognition({ person: id, similarity: 0.9, liveness: 0.99, kioskId: 'k' });
      const [record] = attendancePage(svc, { from: day, to: day }).records;
      expect(record).toMatchObject({ employee_number: 'L1', late: false });
      expect(Object.keys(record)).not.toContain('source');
      expect(Object.keys(record).sort()).toEqual(Object.keys(svc.repo.get(record.id)!).sort());
    } finally {
      alone.cleanup();
    }
  });
});
