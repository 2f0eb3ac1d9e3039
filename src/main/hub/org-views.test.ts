import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceEvent } from '../../shared/sync-protocol';
import {
  drain,
  hubFetch,
  kioskEvent,
  pairKiosk,
  startTestHub,
  TEST_ACTOR,
  type TestHub,
} from '../testing/postgres-hub';
import { createApiKey } from './access';
import { correctDay } from './corrections';
import { enterLeave } from './leave';
import { organisationDay, type OrgDayView } from './org-days';
import { exportOrganisationAttendance } from './org-export';
import { addPerson } from './people';
import { addHoliday, addSite, setSiteSchedule } from './sites';

// Monday 2 March 2026. JKT (WIB) keeps the default schedule (on time until 07:30); MKS (WITA) has none.
const DATE = '2026-03-02';
const CLI = { type: 'cli' as const, id: 'test' };

describe('organisation views (days, late/absent, corrections, leave, export)', () => {
  let t: TestHub;
  let readKey: string;
  let writeKey: string;
  let jkt: { credential: string };
  let mks: { credential: string };

  const push = (token: string, events: AttendanceEvent[]) =>
    hubFetch(t.url, 'POST', '/api/v1/sync/events', { token, body: { events } });
  const byNumber = (v: OrgDayView) => Object.fromEntries(v.days.map((d) => [d.employee_number, d]));

  beforeAll(async () => {
    t = await startTestHub();
    const pool = t.hub.pool;
    jkt = await pairKiosk(t, 'JKT');
    await addSite(pool, { code: 'MKS', name: 'Makassar', timeZone: 'Asia/Makassar' }, TEST_ACTOR);
    mks = await pairKiosk(t, 'MKS');
    await setSiteSchedule(pool, 'JKT', {}, TEST_ACTOR);
    const people: [string, string, string | null][] = [
      ['A', 'JKT', 'Keuangan'],
      ['B', 'JKT', 'Umum'],
      ['C', 'JKT', 'Keuangan'],
      ['D', 'MKS', null],
      ['E', 'JKT', 'Umum'],
    ];
    for (const [n, site, unit] of people) {
      await addPerson(pool, { employeeNumber: n, fullName: `Pegawai ${n}`, homeSite: site, unit }, TEST_ACTOR);
    }
    // Everyone existed long before the day; E has left the organisation.
    await pool.query("UPDATE people SET created_at = '2020-01-01'");
    await pool.query("UPDATE people SET active = false WHERE employee_number = 'E'");
    await enterLeave(pool, { employeeNumber: 'C', from: DATE, to: '2026-03-04', kind: 'cuti', reason: 'annual' }, CLI);
    // A: in at JKT 07:10 WIB, out at MKS 17:00 WITA. B: in at 08:00 WIB (late). A stranger at JKT.
    expect(
      (
        await push(jkt.credential, [
          kioskEvent(1, { employee_number: 'A', occurred_at: '2026-03-02T00:10:00Z' }),
          kioskEvent(2, { employee_number: 'B', occurred_at: '2026-03-02T01:00:00Z' }),
          kioskEvent(3, { employee_number: 'NOBODY', occurred_at: '2026-03-02T00:05:00Z' }),
        ])
      ).status,
    ).toBe(200);
    await push(mks.credential, [
      kioskEvent(1, { employee_number: 'A', type: 'out', occurred_at: '2026-03-02T09:00:00Z' }),
    ]);
    readKey = (await createApiKey(pool, 'hr-read', ['read'], TEST_ACTOR)).key;
    writeKey = (await createApiKey(pool, 'hr-write', ['write'], TEST_ACTOR)).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a person's day from all their events at all sites, with the statuses of the whole organisation", async () => {
    const v = await organisationDay(t.hub.pool, DATE);
    const d = byNumber(v);
    expect(Object.keys(d).sort()).toEqual(['A', 'B', 'C', 'D', 'NOBODY']);
    expect(d.A).toMatchObject({
      status: 'present',
      late: false,
      first_in: { time: '2026-03-02T07:10:00+07:00', site: 'JKT' },
      last_out: { time: '2026-03-02T17:00:00+08:00', site: 'MKS' },
    });
    expect(d.B).toMatchObject({ status: 'late', late: true });
    expect(d.C).toMatchObject({ status: 'on_leave', leave: 'cuti' });
    // D's site has no schedule: check-ins all day, Monday to Friday still workdays (as its kiosks see it).
    expect(d.D).toMatchObject({ status: 'absent', first_in: null });
    expect(d.NOBODY).toMatchObject({ full_name: null, status: 'present' });
    expect(v.summary).toEqual({
      active: 4,
      present: 3,
      late: 1,
      absent: 1,
      on_leave: 1,
      not_checked_out: 2,
      no_check_in: 0,
    });
  });

  it('per site and unit; late and absent lists', async () => {
    const j = await organisationDay(t.hub.pool, DATE, { site: 'JKT' });
    expect(j.days.map((d) => d.employee_number)).toEqual(['C', 'A', 'B', 'NOBODY'].sort(unitOrder(j)));
    expect(j.workday).toBe(true);
    // A visitor who checked in or out at MKS belongs to its day beside its own people.
    const m = await organisationDay(t.hub.pool, DATE, { site: 'MKS' });
    expect(m.days.map((d) => [d.employee_number, d.status])).toEqual([
      ['A', 'present'],
      ['D', 'absent'],
    ]);
    const unit = await organisationDay(t.hub.pool, DATE, { unit: 'Keuangan' });
    expect(unit.days.map((d) => d.employee_number)).toEqual(['A', 'C']);
    const late = await organisationDay(t.hub.pool, DATE, { status: ['late'] });
    expect(late.days.map((d) => d.employee_number)).toEqual(['B']);
    const absent = await organisationDay(t.hub.pool, DATE, { status: ['absent'] });
    expect(absent.days.map((d) => d.employee_number)).toEqual(['D']);
    // A holiday at MKS: nobody there is absent.
    await addHoliday(t.hub.pool, 'MKS', '2026-03-03', 'Libur', TEST_ACTOR);
    const holiday = await organisationDay(t.hub.pool, '2026-03-03', { site: 'MKS' });
    expect(holiday).toMatchObject({ workday: false, holiday: 'Libur', summary: { absent: 0 } });
    expect(holiday.days.map((d) => d.status)).toEqual(['off']);
    await expect(organisationDay(t.hub.pool, DATE, { site: 'NOPE' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a correction wins over the derived day, needs a reason, and is audited', async () => {
    await expect(
      correctDay(t.hub.pool, { employeeNumber: 'B', date: DATE, checkIn: '07:00', reason: ' ' }, CLI),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const c = await correctDay(
      t.hub.pool,
      { employeeNumber: 'B', date: DATE, checkIn: '07:00', reason: 'kiosk queue; seen by the guard' },
      CLI,
    );
    expect(c).toMatchObject({ check_in: '2026-03-02T07:00:00+07:00', check_out: null, late: null });
    const d = byNumber(await organisationDay(t.hub.pool, DATE));
    expect(d.B).toMatchObject({
      status: 'present',
      late: false,
      corrected: { reason: 'kiosk queue; seen by the guard' },
    });
    // An absent day corrected (a field trip): the home site's zone reads the times.
    await correctDay(
      t.hub.pool,
      { employeeNumber: 'D', date: DATE, checkIn: '08:00', checkOut: '16:00', reason: 'field visit' },
      CLI,
    );
    const after = byNumber(await organisationDay(t.hub.pool, DATE));
    expect(after.D).toMatchObject({
      status: 'present',
      first_in: { time: '2026-03-02T08:00:00+08:00', site: 'MKS', device: null },
    });
    await expect(
      correctDay(t.hub.pool, { employeeNumber: 'D', date: DATE, checkIn: '17:00', reason: 'x' }, CLI),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const audit = await t.hub.pool.query(
      "SELECT actor_type, target_id, details FROM audit_log WHERE action = 'attendance.correct' ORDER BY id",
    );
    expect(audit.rows.map((r) => r.target_id)).toEqual(['B', 'D']);
    expect(audit.rows[0].details).toMatchObject({
      before: { check_in: '2026-03-02T08:00:00+07:00', corrected: false },
      after: { check_in: '2026-03-02T07:00:00+07:00' },
      reason: 'kiosk queue; seen by the guard',
    });
  });

  it('leave is checked and reaches the kiosks of the person’s site', async () => {
    await expect(
      enterLeave(
        t.hub.pool,
        { employeeNumber: 'D', from: '2030-01-02', to: '2030-01-01', kind: 'cuti', reason: 'x' },
        CLI,
      ),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      enterLeave(
        t.hub.pool,
        { employeeNumber: 'D', from: '2030-01-01', to: '2030-01-01', kind: 'libur', reason: 'x' },
        CLI,
      ),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const before = await drain(t.url, mks.credential);
    await enterLeave(
      t.hub.pool,
      { employeeNumber: 'D', from: '2030-01-01', to: '2030-01-03', kind: 'sakit', reason: 'doctor’s note' },
      CLI,
    );
    const after = await drain(t.url, mks.credential, before.cursor);
    const person = after.items.find((i) => i.type === 'person' && i.person.employee_number === 'D');
    expect(person).toMatchObject({
      person: { leave: [{ from_date: '2030-01-01', to_date: '2030-01-03', kind: 'sakit' }] },
    });
    // JKT's kiosks do not hold D: nothing for them.
    const jktBefore = await drain(t.url, jkt.credential);
    expect(jktBefore.items.filter((i) => i.type === 'person' && i.person.employee_number === 'D')).toEqual([]);
  });

  it('the kiosk exporter writes the organisation’s records, one zone per row when sites differ', async () => {
    const all = await exportOrganisationAttendance(t.hub.pool, { from: DATE, to: DATE, format: 'csv' }, CLI);
    const lines = all.data
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('Check-in (local)');
    expect(lines).toHaveLength(1 + 4); // A, B, D (corrected), NOBODY
    const a = lines.find((l) => l.includes(',A,'))!;
    // Each row in its person's home zone: A left MKS at 17:00 WITA, 16:00 in Jakarta.
    expect(a).toContain(',07:10:00,16:00:00,no,JKT/Loket Lt.1,0.8,0.99,MKS/Loket Lt.1,face,');
    expect(lines.find((l) => l.includes(',B,'))).toContain('kiosk queue; seen by the guard');
    const site = await exportOrganisationAttendance(
      t.hub.pool,
      { from: DATE, to: DATE, site: 'JKT', format: 'csv' },
      CLI,
    );
    expect(site.data.toString('utf8')).toContain('Check-in (WIB)');
    const audit = await t.hub.pool.query("SELECT count(*)::int AS n FROM audit_log WHERE action = 'attendance.export'");
    expect(audit.rows[0].n).toBe(2);
  });

  it('HTTP: read views with a read key, decide with a write key', async () => {
    const days = await hubFetch<OrgDayView>(t.url, 'GET', `/api/v1/hub/days?date=${DATE}&site=JKT&status=late,absent`, {
      token: readKey,
    });
    expect(days.status).toBe(200);
    expect(days.body.days.map((d) => d.employee_number)).toEqual([]);
    const all = await hubFetch<OrgDayView>(t.url, 'GET', `/api/v1/hub/days?date=${DATE}`, { token: readKey });
    expect(all.body.summary.present).toBe(4);
    expect((await hubFetch(t.url, 'GET', `/api/v1/hub/days?date=${DATE}`)).status).toBe(401);
    expect(
      (await hubFetch(t.url, 'GET', `/api/v1/hub/days?date=${DATE}&status=asleep`, { token: readKey })).status,
    ).toBe(400);
    const body = { employee_number: 'A', date: DATE, check_out: '16:30', reason: 'left by the side gate' };
    expect((await hubFetch(t.url, 'POST', '/api/v1/hub/corrections', { token: readKey, body })).status).toBe(403);
    const ok = await hubFetch<{ correction: { check_out: string } }>(t.url, 'POST', '/api/v1/hub/corrections', {
      token: writeKey,
      body,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.correction.check_out).toBe('2026-03-02T16:30:00+07:00');
    const audit = await t.hub.pool.query(
      "SELECT actor_type FROM audit_log WHERE action = 'attendance.correct' AND target_id = 'A'",
    );
    expect(audit.rows).toEqual([{ actor_type: 'api_key' }]);
    const leave = await hubFetch(t.url, 'POST', '/api/v1/hub/leave', {
      token: writeKey,
      body: { employee_number: 'B', from: '2030-02-01', to: '2030-02-01', kind: 'dinas', reason: 'training' },
    });
    expect(leave.status).toBe(200);
    const res = await fetch(`${t.url}/api/v1/hub/export?from=${DATE}&to=${DATE}&format=xlsx`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/hadir-2026-03-02_2026-03-02\.xlsx/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.getWorksheet('Attendance')!.rowCount).toBe(5);
    const summary = wb.getWorksheet('Summary')!.getRow(2).values as unknown[];
    expect(summary.slice(1, 8)).toEqual([DATE, null, 'yes', 4, 4, 0, 0].map((v) => v ?? undefined));
  });
});

/** The views sort by unit (people without one last), then employee number. */
function unitOrder(v: OrgDayView) {
  const unitOf = new Map(v.days.map((d) => [d.employee_number, d.unit ?? '\uffff']));
  return (a: string, b: string) => unitOf.get(a)!.localeCompare(unitOf.get(b)!) || a.localeCompare(b);
}
