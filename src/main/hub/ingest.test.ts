import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceEvent, PushResponse } from '../../shared/sync-protocol';
import { hubFetch, kioskEvent, pairKiosk, startTestHub, TEST_ACTOR, type TestHub } from '../testing/postgres-hub';
import { clockSuspect } from './ingest';
import { addPerson, deletePerson } from './people';
import { addSite } from './sites';

describe('attendance push (POST /api/v1/sync/events)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
    await addSite(t.hub.pool, { code: 'JKT', name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'E1', fullName: 'Satu', homeSite: 'JKT' }, TEST_ACTOR);
  });
  afterAll(async () => {
    await t?.close();
  });

  const push = (token: string, events: AttendanceEvent[]) =>
    hubFetch<PushResponse>(t.url, 'POST', '/api/v1/sync/events', { token, body: { events } });
  const stored = async (device: string) =>
    (
      await t.hub.pool.query(
        'SELECT seq, person_id, employee_number, clock_suspect, local_date FROM attendance_events WHERE device_id = $1 ORDER BY seq',
        [device],
      )
    ).rows;

  it('the same batch twice is stored once, with the same acknowledgement', async () => {
    const k = await pairKiosk(t, 'JKT');
    const batch = [1, 2, 3].map((s) => kioskEvent(s));
    const first = await push(k.credential, batch);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ acked_seq: 3, stored: 3 });
    const again = await push(k.credential, batch);
    expect(again.body).toMatchObject({ acked_seq: 3, stored: 0 });
    expect(await stored(k.device_id)).toHaveLength(3);
    const dev = await t.hub.pool.query('SELECT acked_seq FROM devices WHERE id = $1', [k.device_id]);
    expect(dev.rows[0].acked_seq).toBe(3);
  });

  it('out of order: 4-6 before 1-3 acknowledges 0, then 6', async () => {
    const k = await pairKiosk(t, 'JKT');
    const late = await push(
      k.credential,
      [4, 5, 6].map((s) => kioskEvent(s)),
    );
    expect(late.body).toMatchObject({ acked_seq: 0, stored: 3 });
    const early = await push(
      k.credential,
      [1, 2, 3].map((s) => kioskEvent(s)),
    );
    expect(early.body).toMatchObject({ acked_seq: 6, stored: 3 });
    // A gap holds the acknowledgement at the last unbroken seq.
    const gap = await push(
      k.credential,
      [8, 9].map((s) => kioskEvent(s)),
    );
    expect(gap.body.acked_seq).toBe(6);
  });

  it('two pushes of one device at once store everything once and agree on the end', async () => {
    const k = await pairKiosk(t, 'JKT');
    const all = Array.from({ length: 40 }, (_, i) => kioskEvent(i + 1));
    const answers = await Promise.all([push(k.credential, all.slice(0, 25)), push(k.credential, all.slice(15))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[0].body.stored + answers[1].body.stored).toBe(40);
    expect(Math.max(...answers.map((a) => a.body.acked_seq))).toBe(40);
    expect(await stored(k.device_id)).toHaveLength(40);
  });

  it('an unknown person is kept unlinked; a known hub id or number is linked', async () => {
    const k = await pairKiosk(t, 'JKT');
    const gone = await addPerson(t.hub.pool, { employeeNumber: 'GONE', fullName: 'x', homeSite: 'JKT' }, TEST_ACTOR);
    await deletePerson(t.hub.pool, 'GONE', TEST_ACTOR);
    const r = await push(k.credential, [
      kioskEvent(1, { employee_number: 'NOBODY' }),
      kioskEvent(2, { employee_number: 'E1' }),
      kioskEvent(3, { employee_number: 'GONE', person_hub_id: gone.hub_id }),
    ]);
    expect(r.body).toMatchObject({ acked_seq: 3, stored: 3 });
    const rows = await stored(k.device_id);
    expect(rows.map((x) => [x.employee_number, x.person_id === null])).toEqual([
      ['NOBODY', true],
      ['E1', false],
      ['GONE', true],
    ]);
  });

  it('a badly skewed clock is flagged, never dropped; the local date is the site zone', async () => {
    const k = await pairKiosk(t, 'JKT');
    const r = await push(k.credential, [
      kioskEvent(1, { clock_offset_ms: 10 * 60_000 }),
      kioskEvent(2, { occurred_at: new Date(Date.now() + 3600_000).toISOString() }),
      kioskEvent(3, { clock_offset_ms: -1500 }),
      // 18:30 UTC is already the next day in Jakarta (UTC+7).
      kioskEvent(4, { occurred_at: '2026-03-02T18:30:00.000Z', clock_offset_ms: null }),
    ]);
    expect(r.body).toMatchObject({ acked_seq: 4, stored: 4 });
    const rows = await stored(k.device_id);
    expect(rows.map((x) => x.clock_suspect)).toEqual([true, true, false, false]);
    expect(rows[3].local_date).toBe('2026-03-03');
    expect(clockSuspect(new Date(), 119_000, new Date())).toBe(false);
    expect(clockSuspect(new Date(), -121_000, new Date())).toBe(true);
  });

  it('refuses malformed batches with 400 and stores nothing of them', async () => {
    const k = await pairKiosk(t, 'JKT');
    const bad: unknown[] = [
      { events: [{ ...kioskEvent(1), seq: 0 }] },
      { events: [{ ...kioskEvent(1), type: 'lunch' }] },
      { events: [{ ...kioskEvent(1), occurred_at: 'yesterday-ish' }] },
      { events: [{ ...kioskEvent(1), person_hub_id: 'not-a-uuid' }] },
      { events: Array.from({ length: 1001 }, (_, i) => kioskEvent(i + 1)) },
      { nope: true },
    ];
    for (const body of bad) {
      const r = await hubFetch(t.url, 'POST', '/api/v1/sync/events', { token: k.credential, body });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    }
    expect(await stored(k.device_id)).toHaveLength(0);
  });

  it('status reports are stored and every answer carries server_time', async () => {
    const k = await pairKiosk(t, 'JKT');
    const r = await hubFetch<{ server_time: string }>(t.url, 'POST', '/api/v1/sync/status', {
      token: k.credential,
      body: { app_version: '0.2.0', pack_id: 'test-pack', liveness: true, outbox_depth: 7, camera: 'ok' },
    });
    expect(r.status).toBe(200);
    expect(Math.abs(Date.parse(r.body.server_time) - Date.now())).toBeLessThan(5000);
    const dev = await t.hub.pool.query('SELECT app_version, last_status, last_seen_at FROM devices WHERE id = $1', [
      k.device_id,
    ]);
    expect(dev.rows[0]).toMatchObject({ app_version: '0.2.0', last_status: { outbox_depth: 7, camera: 'ok' } });
    expect(dev.rows[0].last_seen_at).toBeInstanceOf(Date);
  });
});
