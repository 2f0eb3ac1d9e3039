import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HubDay, HubDaysResponse } from '../../shared/sync-protocol';
import { hubFetch, kioskEvent, pairKiosk, startTestHub, TEST_ACTOR, type TestHub } from '../testing/postgres-hub';
import { correctDay } from './corrections';
import { organisationDay } from './org-days';
import { addPerson } from './people';
import { addSite, setSiteSchedule } from './sites';

const hasPostgres = inject('pgAdminUrl') !== '';
// Monday and Tuesday; the default schedule is on time until 07:30 WIB (00:30 UTC), check-out from 15:30.
const MON = '2026-12-07';
const TUE = '2026-12-08';

describe.skipIf(!hasPostgres)("GET /api/v1/sync/days (the hub's days, for a device)", () => {
  let t: TestHub;
  let jkt: string;
  let bdg: string;
  let sby: string;
  const days = (token: string, from: string, to: string) =>
    hubFetch<HubDaysResponse>(t.url, 'GET', `/api/v1/sync/days?from=${from}&to=${to}`, { token });
  const push = (token: string, events: ReturnType<typeof kioskEvent>[]) =>
    hubFetch(t.url, 'POST', '/api/v1/sync/events', { token, body: { events } });
  const dayOf = (list: HubDay[], number: string, date: string) =>
    list.find((d) => d.employee_number === number && d.date === date);

  beforeAll(async () => {
    t = await startTestHub();
    for (const [code, name] of [
      ['JKT', 'Jakarta'],
      ['BDG', 'Bandung'],
      ['SBY', 'Surabaya'],
    ]) {
      await addSite(t.hub.pool, { code, name, timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
      await setSiteSchedule(t.hub.pool, code, {}, TEST_ACTOR);
    }
    // E1 works at Jakarta and may check in at Bandung; E3 at Jakarta only; B1 at Bandung; S1 at Surabaya.
    await addPerson(t.hub.pool, { employeeNumber: 'E1', fullName: 'Satu', homeSite: 'JKT', alsoSites: ['BDG'] }, TEST_ACTOR); // prettier-ignore
    await addPerson(t.hub.pool, { employeeNumber: 'E3', fullName: 'Tiga', homeSite: 'JKT' }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'B1', fullName: 'Bandung', homeSite: 'BDG' }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'S1', fullName: 'Surabaya', homeSite: 'SBY' }, TEST_ACTOR);
    jkt = (await pairKiosk(t, 'JKT')).credential;
    bdg = (await pairKiosk(t, 'BDG')).credential;
    sby = (await pairKiosk(t, 'SBY')).credential;
    const e = (seq: number, employee_number: string, type: 'in' | 'out', occurred_at: string) =>
      kioskEvent(seq, { employee_number, type, occurred_at });
    // E1: in at Bandung at 07:20 (on time), in at Jakarta at 07:45 (late there), out at Bandung at 15:00.
    await push(bdg, [
      e(1, 'E1', 'in', `${MON}T00:20:00.000Z`),
      e(2, 'E1', 'out', `${MON}T08:00:00.000Z`),
      e(3, 'B1', 'in', `${MON}T00:25:00.000Z`),
    ]);
    // E3: in at 07:40, 10 minutes late, out at 16:10; corrected at the hub below.
    await push(jkt, [
      e(1, 'E1', 'in', `${MON}T00:45:00.000Z`),
      e(2, 'E3', 'in', `${MON}T00:40:00.000Z`),
      e(3, 'E3', 'out', `${MON}T09:10:00.000Z`),
    ]);
    await push(sby, [e(1, 'S1', 'in', `${MON}T00:10:00.000Z`)]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("derives each visible person's day from every site's events, as the organisation's views do", async () => {
    const r = await days(jkt, MON, TUE);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ from: MON, to: TUE, site: 'JKT' });
    const e1 = dayOf(r.body.days, 'E1', MON)!;
    // First in at Bandung (on time), although Jakarta's own check-in was late; early by Bandung's check-out.
    expect(e1).toMatchObject({
      first_in: { time: `${MON}T07:20:00+07:00`, site: 'BDG' },
      last_out: { time: `${MON}T15:00:00+07:00`, site: 'BDG' },
      late: false,
      late_seconds: 0,
      early: true,
      early_seconds: 30 * 60,
      corrected: false,
      correction_reason: null,
      status: 'present',
    });
    const e3 = dayOf(r.body.days, 'E3', MON)!;
    expect(e3).toMatchObject({ late: true, late_seconds: 10 * 60, early: false, status: 'late', corrected: false });
    // The same verdict as the console's day view (one derivation for both).
    const org = await organisationDay(t.hub.pool, MON, { site: 'JKT' });
    for (const d of [e1, e3]) {
      const v = org.days.find((x) => x.employee_number === d.employee_number)!;
      expect({ in: v.first_in?.time, out: v.last_out?.time, late: v.late, status: v.status }).toEqual({
        in: d.first_in?.time,
        out: d.last_out?.time,
        late: d.late,
        status: d.status,
      });
    }
    // Only dates with an event or a correction: nothing on Tuesday yet.
    expect(r.body.days.filter((d) => d.date === TUE)).toEqual([]);
    expect(e1.hub_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an operator's correction wins, and a corrected day without events is sent too", async () => {
    await correctDay(
      t.hub.pool,
      { employeeNumber: 'E3', date: MON, checkIn: '07:25', reason: 'Terlambat karena tugas kantor' },
      TEST_ACTOR,
    );
    await correctDay(
      t.hub.pool,
      { employeeNumber: 'E3', date: TUE, checkIn: '07:10', checkOut: '16:00', reason: 'Dinas luar' },
      TEST_ACTOR,
    );
    const r = await days(jkt, MON, TUE);
    expect(dayOf(r.body.days, 'E3', MON)).toMatchObject({
      first_in: { time: `${MON}T07:25:00+07:00`, site: 'JKT' },
      // The correction gave no check-out: the day's current one stays.
      last_out: { time: `${MON}T16:10:00+07:00`, site: 'JKT' },
      late: false,
      late_seconds: 0,
      corrected: true,
      correction_reason: 'Terlambat karena tugas kantor',
      status: 'present',
    });
    expect(dayOf(r.body.days, 'E3', TUE)).toMatchObject({
      first_in: { time: `${TUE}T07:10:00+07:00`, site: 'JKT' },
      corrected: true,
      correction_reason: 'Dinas luar',
    });
  });

  it("sends a site only its own people's days (home site and granted sites)", async () => {
    const fromJkt = (await days(jkt, MON, TUE)).body.days.map((d) => d.employee_number);
    expect([...new Set(fromJkt)].sort()).toEqual(['E1', 'E3']);
    // Bandung sees its own person and E1, who may check in there; never E3 or Surabaya's.
    const fromBdg = (await days(bdg, MON, MON)).body.days.map((d) => d.employee_number);
    expect(fromBdg.sort()).toEqual(['B1', 'E1']);
    const fromSby = await days(sby, MON, MON);
    expect(fromSby.body.days.map((d) => d.employee_number)).toEqual(['S1']);
    expect(JSON.stringify(fromSby.body)).not.toContain('E1');
  });

  it('refuses a bad range with 400 BAD_REQUEST, and a stranger with 401', async () => {
    for (const [from, to] of [
      [TUE, MON], // backwards
      ['2026-12-01', '2027-01-01'], // 32 days
      ['2026-02-30', '2026-03-01'], // not a date
      ['yesterday', MON],
    ]) {
      const r = await days(jkt, from, to);
      expect(r.status, `${from}..${to}`).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
    const missing = await hubFetch(t.url, 'GET', `/api/v1/sync/days?from=${MON}`, { token: jkt });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    // 31 days is the most one request covers.
    expect((await days(jkt, '2026-12-01', '2026-12-31')).status).toBe(200);
    const stranger = await hubFetch(t.url, 'GET', `/api/v1/sync/days?from=${MON}&to=${MON}`, { token: 'nope' });
    expect(stranger.status).toBe(401);
    expect(stranger.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });
});
