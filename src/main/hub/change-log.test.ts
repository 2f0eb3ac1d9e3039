import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncPerson } from '../../shared/sync-protocol';
import { drain, getChanges, pairKiosk, startTestHub, TEST_ACTOR, type TestHub } from '../testing/postgres-hub';
import { addPerson } from './people';
import { addSite } from './sites';
import { recordChange } from './store/changes';
import { insertPerson } from './store/people';

const names = (items: unknown[]) =>
  items.flatMap((i) =>
    (i as { type: string }).type === 'person' ? [(i as { person: SyncPerson }).person.employee_number] : [],
  );

describe('the change log', () => {
  let t: TestHub;
  let siteId: number;
  beforeAll(async () => {
    // A poll interval far beyond the tests: wake-ups must come from NOTIFY or a reconnect.
    t = await startTestHub({ notifier: { pollMs: 600_000, reconnectMinMs: 300 } });
    siteId = (await addSite(t.hub.pool, { code: 'S', name: 'Site', timeZone: 'Asia/Jakarta' }, TEST_ACTOR)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a change that commits late is not skipped: log numbers are taken in commit order', async () => {
    const kiosk = await pairKiosk(t, 'S');
    const start = await drain(t.url, kiosk.credential);

    // Writer 1 logs a change and holds its transaction open.
    const slow = await t.hub.pool.connect();
    let fast: Promise<unknown> | null = null;
    let during: Awaited<ReturnType<typeof getChanges>> | null = null;
    try {
      await slow.query('BEGIN');
      const p1 = await insertPerson(slow, {
        employeeNumber: 'SLOW',
        fullName: 'Lambat',
        unit: null,
        homeSiteId: siteId,
      });
      await recordChange(slow, { kind: 'person', key: p1.id, personHubId: p1.hub_id, sites: [siteId] });

      // Writer 2 starts later; with a plain sequence it would commit first with the higher number.
      fast = addPerson(t.hub.pool, { employeeNumber: 'FAST', fullName: 'Cepat', homeSite: 'S' }, TEST_ACTOR);
      await new Promise((r) => setTimeout(r, 300));
      // The kiosk reads meanwhile and keeps the cursor it gets, as a kiosk does.
      during = await getChanges(t.url, kiosk.credential, { cursor: start.cursor });
      expect(during.body.items).toEqual([]);
      expect(during.body.cursor).toBe(start.cursor);
      await slow.query('COMMIT');
    } finally {
      // On a failed expectation above, let writer 2 finish rather than hang the pool's close.
      await slow.query('ROLLBACK').catch(() => {});
      slow.release();
      await fast;
    }
    const after = await drain(t.url, kiosk.credential, during!.body.cursor);
    expect(names(after.items)).toEqual(['SLOW', 'FAST']);
  });

  it('a waiting long-poll wakes within moments of a change', async () => {
    const kiosk = await pairKiosk(t, 'S');
    const start = await drain(t.url, kiosk.credential);
    const began = Date.now();
    const waiting = getChanges(t.url, kiosk.credential, { cursor: start.cursor, wait: 30 });
    await new Promise((r) => setTimeout(r, 200));
    await addPerson(t.hub.pool, { employeeNumber: 'WAKE', fullName: 'Bangun', homeSite: 'S' }, TEST_ACTOR);
    const r = await waiting;
    expect(names(r.body.items)).toEqual(['WAKE']);
    expect(Date.now() - began).toBeLessThan(2000);
  });

  it('an empty long-poll answers after `wait` with the same position', async () => {
    const kiosk = await pairKiosk(t, 'S');
    const start = await drain(t.url, kiosk.credential);
    const began = Date.now();
    const r = await getChanges(t.url, kiosk.credential, { cursor: start.cursor, wait: 1 });
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    expect(r.body).toMatchObject({ phase: 'log', items: [], more: false });
    expect((await drain(t.url, kiosk.credential, r.body.cursor)).items).toEqual([]);
  });

  it('a change still arrives when the listening connection was killed and the NOTIFY lost', async () => {
    const kiosk = await pairKiosk(t, 'S');
    const start = await drain(t.url, kiosk.credential);
    const waiting = getChanges(t.url, kiosk.credential, { cursor: start.cursor, wait: 30 });
    await new Promise((r) => setTimeout(r, 200));

    const dropped = once(t.hub.notifier.events, 'disconnected');
    const killed = await t.hub.pool.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE application_name = 'hadir-hub-listener' AND datname = current_database()`,
    );
    expect(killed.rows.map((r) => r.ok)).toEqual([true]);
    await dropped;
    expect(t.hub.notifier.connected).toBe(false);
    // Written while nobody listens: this notification goes nowhere.
    await addPerson(t.hub.pool, { employeeNumber: 'LOST', fullName: 'Hilang', homeSite: 'S' }, TEST_ACTOR);
    const r = await waiting;
    expect(names(r.body.items)).toEqual(['LOST']);
    expect(t.hub.notifier.connected).toBe(true);
  });
});
