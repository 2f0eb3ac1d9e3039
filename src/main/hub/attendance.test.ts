import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubFetch, kioskEvent, pairKiosk, startTestHub, TEST_ACTOR, type TestHub } from '../testing/postgres-hub';
import { createApiKey } from './access';
import { derivePersonDay, isoInZone, type SiteRules } from './attendance-day';
import { addPerson } from './people';
import { addSite, setSiteSchedule } from './sites';

const JKT: SiteRules = { code: 'JKT', time_zone: 'Asia/Jakarta', schedule: { cooldownSeconds: 60 } };
const OPEN: SiteRules = { code: 'OPEN', time_zone: 'Asia/Jakarta', schedule: null };
const at = (iso: string) => new Date(iso);

describe("a person's day (pure)", () => {
  it('first in and last out over every site, late by the schedule of the first check-in', () => {
    // Monday 7 Dec 2026; the default schedule is on time until 07:30 WIB (00:30 UTC).
    const d = derivePersonDay([
      { type: 'in', occurred_at: at('2026-12-07T00:45:00Z'), site: JKT },
      { type: 'in', occurred_at: at('2026-12-07T00:20:00Z'), site: OPEN },
      { type: 'out', occurred_at: at('2026-12-07T09:00:00Z'), site: JKT },
      { type: 'out', occurred_at: at('2026-12-07T10:00:00Z'), site: OPEN },
    ]);
    expect(d.first_in?.site.code).toBe('OPEN');
    expect(d.last_out?.occurred_at.toISOString()).toBe('2026-12-07T10:00:00.000Z');
    // The first check-in was at a site without a schedule: no lateness.
    expect(d.late).toBeNull();

    const late = derivePersonDay([{ type: 'in', occurred_at: at('2026-12-07T00:45:00Z'), site: JKT }]);
    expect(late).toMatchObject({ late: true, late_minutes: 15, early_minutes: 0 });
    // 30 seconds late counts a minute; out at 15:10:20 WIB is 19 minutes 40 seconds before 15:30, 20 minutes.
    const early = derivePersonDay([
      { type: 'in', occurred_at: at('2026-12-07T00:30:30Z'), site: JKT },
      { type: 'out', occurred_at: at('2026-12-07T08:10:20Z'), site: JKT },
    ]);
    expect(early).toMatchObject({ late: true, late_minutes: 1, early_minutes: 20 });
    // Out at a site without a schedule: never early.
    expect(derivePersonDay([{ type: 'out', occurred_at: at('2026-12-07T05:00:00Z'), site: OPEN }])).toMatchObject({
      early_minutes: 0,
    });
    const onTime = derivePersonDay([{ type: 'in', occurred_at: at('2026-12-07T00:30:00Z'), site: JKT }]);
    expect(onTime.late).toBe(false);
    const outOnly = derivePersonDay([{ type: 'out', occurred_at: at('2026-12-07T09:00:00Z'), site: JKT }]);
    expect(outOnly).toMatchObject({ first_in: null, late: null });
  });

  it('writes times with the zone offset', () => {
    expect(isoInZone(at('2026-12-07T00:42:00Z'), 'Asia/Jakarta')).toBe('2026-12-07T07:42:00+07:00');
    expect(isoInZone(at('2026-12-07T23:30:00Z'), 'Asia/Makassar')).toBe('2026-12-08T07:30:00+08:00');
    expect(isoInZone(at('2026-07-01T12:00:00Z'), 'America/St_Johns')).toBe('2026-07-01T09:30:00-02:30');
  });
});

describe('GET /api/v1/hub/attendance', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
    await addSite(t.hub.pool, { code: 'JKT', name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addSite(t.hub.pool, { code: 'BDG', name: 'Bandung', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await setSiteSchedule(t.hub.pool, 'JKT', {}, TEST_ACTOR);
    await addPerson(
      t.hub.pool,
      { employeeNumber: 'E1', fullName: 'Satu', homeSite: 'JKT', alsoSites: ['BDG'] },
      TEST_ACTOR,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('derives the day from events at two sites, for a key with the read scope only', async () => {
    const jkt = await pairKiosk(t, 'JKT');
    const bdg = await pairKiosk(t, 'BDG');
    const e = (seq: number, type: 'in' | 'out', iso: string) =>
      kioskEvent(seq, { employee_number: 'E1', type, occurred_at: iso });
    await hubFetch(t.url, 'POST', '/api/v1/sync/events', {
      token: jkt.credential,
      body: { events: [e(1, 'in', '2026-12-07T00:40:00.000Z'), e(2, 'out', '2026-12-07T05:00:00.000Z')] },
    });
    await hubFetch(t.url, 'POST', '/api/v1/sync/events', {
      token: bdg.credential,
      body: { events: [e(1, 'in', '2026-12-07T06:00:00.000Z'), e(2, 'out', '2026-12-07T10:15:00.000Z')] },
    });

    const noKey = await hubFetch(t.url, 'GET', '/api/v1/hub/attendance?date=2026-12-07');
    expect(noKey.status).toBe(401);
    const writer = await createApiKey(t.hub.pool, 'writer', ['write'], TEST_ACTOR);
    expect((await hubFetch(t.url, 'GET', '/api/v1/hub/attendance?date=2026-12-07', { token: writer.key })).status).toBe(
      403,
    );
    const reader = await createApiKey(t.hub.pool, 'reader', ['read'], TEST_ACTOR);
    const r = await hubFetch<{ events: unknown[]; days: unknown[] }>(
      t.url,
      'GET',
      '/api/v1/hub/attendance?date=2026-12-07&site=BDG',
      { token: reader.key },
    );
    expect(r.status).toBe(200);
    expect(r.body.events).toHaveLength(2);
    expect(r.body.days).toEqual([
      {
        employee_number: 'E1',
        full_name: 'Satu',
        first_in: { time: '2026-12-07T07:40:00+07:00', site: 'JKT' },
        last_out: { time: '2026-12-07T17:15:00+07:00', site: 'BDG' },
        late: true,
      },
    ]);
    // A device credential is not an API key.
    expect(
      (await hubFetch(t.url, 'GET', '/api/v1/hub/attendance?date=2026-12-07', { token: jkt.credential })).status,
    ).toBe(401);
    expect((await hubFetch(t.url, 'GET', '/api/v1/hub/attendance?date=07-12-2026', { token: reader.key })).status).toBe(
      400,
    );
  });
});
