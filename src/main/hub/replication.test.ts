import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncItem, SyncPerson } from '../../shared/sync-protocol';
import {
  drain,
  getChanges,
  pairKiosk,
  startTestHub,
  TEST_ACTOR,
  TEST_PACK,
  type TestHub,
} from '../testing/postgres-hub';
import { addLeave, addPerson, addTemplates, deletePerson, updatePerson } from './people';
import { addSite, setSiteSchedule } from './sites';
import { inTransaction } from './store/db';
import { embeddingFromBytes, insertPeople } from './store/people';

const people = (items: SyncItem[]) =>
  items.filter((i) => i.type === 'person').map((i) => (i as { person: SyncPerson }).person);
const deletes = (items: SyncItem[]) =>
  items.filter((i) => i.type === 'person_delete').map((i) => (i as { hub_id: string }).hub_id);

describe('gallery replication (GET /api/v1/sync/changes)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
    for (const code of ['A', 'B', 'BIG']) {
      await addSite(t.hub.pool, { code, name: `Office ${code}`, timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams a large site in pages with progress, then follows the log', async () => {
    const big = (await t.hub.pool.query("SELECT id FROM sites WHERE code = 'BIG'")).rows[0].id as number;
    await inTransaction(t.hub.pool, (tx) =>
      insertPeople(
        tx,
        Array.from({ length: 1200 }, (_, i) => ({
          employeeNumber: `BIG${String(i).padStart(5, '0')}`,
          fullName: `Pegawai ${i}`,
          unit: null,
          homeSiteId: big,
        })),
      ),
    );
    const kiosk = await pairKiosk(t, 'BIG');
    const first = await getChanges(t.url, kiosk.credential, { limit: 500 });
    expect(first.status).toBe(200);
    expect(first.body.phase).toBe('snapshot');
    expect(first.body.items[0]).toMatchObject({ type: 'site', site: { code: 'BIG' } });
    expect(people(first.body.items)).toHaveLength(500);
    expect(first.body.progress).toEqual({ done: 500, total: 1200 });
    expect(first.body.more).toBe(true);

    const second = await getChanges(t.url, kiosk.credential, { cursor: first.body.cursor, limit: 500 });
    expect(second.body.progress).toEqual({ done: 1000, total: 1200 });
    const third = await getChanges(t.url, kiosk.credential, { cursor: second.body.cursor, limit: 500 });
    expect(third.body.phase).toBe('snapshot');
    expect(third.body.progress).toEqual({ done: 1200, total: 1200 });
    expect(third.body.more).toBe(false);
    const all = [first, second, third].flatMap((p) => people(p.body.items).map((x) => x.employee_number));
    expect(new Set(all).size).toBe(1200);

    // Then the log: empty until something changes at this site.
    const log = await getChanges(t.url, kiosk.credential, { cursor: third.body.cursor });
    expect(log.body).toMatchObject({ phase: 'log', items: [], more: false });
    await addPerson(t.hub.pool, { employeeNumber: 'BIG-NEW', fullName: 'Baru', homeSite: 'BIG' }, TEST_ACTOR);
    const next = await getChanges(t.url, kiosk.credential, { cursor: log.body.cursor });
    expect(people(next.body.items).map((p) => p.employee_number)).toEqual(['BIG-NEW']);
  });

  it('a change made during the snapshot reaches the kiosk through the log', async () => {
    await addPerson(t.hub.pool, { employeeNumber: 'A-1', fullName: 'Satu', homeSite: 'A' }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'A-2', fullName: 'Dua', homeSite: 'A' }, TEST_ACTOR);
    const kiosk = await pairKiosk(t, 'A');
    const first = await getChanges(t.url, kiosk.credential, { limit: 1 });
    expect(first.body.progress).toEqual({ done: 1, total: 2 });
    await updatePerson(t.hub.pool, 'A-1', { fullName: 'Satu Diubah' }, TEST_ACTOR);
    const rest = await drain(t.url, kiosk.credential, first.body.cursor);
    const a1 = people(rest.items).filter((p) => p.employee_number === 'A-1');
    expect(a1.at(-1)?.full_name).toBe('Satu Diubah');
    await deletePerson(t.hub.pool, 'A-1', TEST_ACTOR);
    await deletePerson(t.hub.pool, 'A-2', TEST_ACTOR);
  });

  it("a kiosk of site A never receives site B's people; a move sends a delete to A and the person to B", async () => {
    const a = await pairKiosk(t, 'A');
    const b = await pairKiosk(t, 'B');
    const pa = await drain(t.url, a.credential);
    const pb = await drain(t.url, b.credential);

    const moved = await addPerson(t.hub.pool, { employeeNumber: 'M-1', fullName: 'Pindah', homeSite: 'A' }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'B-1', fullName: 'Orang B', homeSite: 'B' }, TEST_ACTOR);
    const a1 = await drain(t.url, a.credential, pa.cursor);
    expect(people(a1.items).map((p) => p.employee_number)).toEqual(['M-1']);
    const b1 = await drain(t.url, b.credential, pb.cursor);
    expect(people(b1.items).map((p) => p.employee_number)).toEqual(['B-1']);

    await updatePerson(t.hub.pool, 'M-1', { homeSite: 'B' }, TEST_ACTOR);
    const a2 = await drain(t.url, a.credential, a1.cursor);
    expect(a2.items).toEqual([{ type: 'person_delete', hub_id: moved.hub_id }]);
    const b2 = await drain(t.url, b.credential, b1.cursor);
    expect(people(b2.items).map((p) => p.hub_id)).toEqual([moved.hub_id]);

    // Granting site A as an extra site brings them back to A's kiosk; nothing of B-1 ever reaches A.
    await updatePerson(t.hub.pool, 'M-1', { alsoSites: ['A'] }, TEST_ACTOR);
    const a3 = await drain(t.url, a.credential, a2.cursor);
    expect(people(a3.items).map((p) => p.employee_number)).toEqual(['M-1']);
    const everything = [...pa.items, ...a1.items, ...a2.items, ...a3.items];
    expect(JSON.stringify(everything)).not.toContain('B-1');

    // A fresh snapshot of A holds exactly what A may see.
    const again = await drain(t.url, a.credential);
    expect(people(again.items).map((p) => p.employee_number)).toEqual(['M-1']);

    // Asking for another site by name is 403.
    const other = await getChanges(t.url, a.credential, { site: 'B' });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(JSON.stringify(other.body)).not.toContain('B-1');
    expect((await getChanges(t.url, a.credential, { site: 'A' })).status).toBe(200);
  });

  it('deleting someone sends person_delete to every kiosk that held them', async () => {
    const a = await pairKiosk(t, 'A');
    const b = await pairKiosk(t, 'B');
    const p = await addPerson(
      t.hub.pool,
      { employeeNumber: 'D-1', fullName: 'Hapus', homeSite: 'A', alsoSites: ['B'] },
      TEST_ACTOR,
    );
    const pa = await drain(t.url, a.credential);
    const pb = await drain(t.url, b.credential);
    expect(people(pa.items).map((x) => x.hub_id)).toContain(p.hub_id);
    expect(people(pb.items).map((x) => x.hub_id)).toContain(p.hub_id);
    await deletePerson(t.hub.pool, 'D-1', TEST_ACTOR);
    expect(deletes((await drain(t.url, a.credential, pa.cursor)).items)).toEqual([p.hub_id]);
    expect(deletes((await drain(t.url, b.credential, pb.cursor)).items)).toEqual([p.hub_id]);
    const left = await t.hub.pool.query('SELECT count(*) AS n FROM people WHERE hub_id = $1', [p.hub_id]);
    expect(left.rows[0].n).toBe(0);
  });

  it("a person carries the templates of the kiosk's pack only (Float32 LE) and leave from today on", async () => {
    const kiosk = await pairKiosk(t, 'B');
    const start = await drain(t.url, kiosk.credential);
    await addPerson(t.hub.pool, { employeeNumber: 'T-1', fullName: 'Templat', homeSite: 'B' }, TEST_ACTOR);
    const v = new Float32Array([0.6, 0.8, 0, 0]);
    await addTemplates(
      t.hub.pool,
      'T-1',
      [
        { packId: TEST_PACK, embedding: v, source: 'test' },
        { packId: 'other-pack', embedding: new Float32Array([1, 0]), source: 'test' },
      ],
      TEST_ACTOR,
    );
    await addLeave(t.hub.pool, 'T-1', { fromDate: '2000-01-01', toDate: '2000-01-02', kind: 'cuti' }, TEST_ACTOR);
    await addLeave(t.hub.pool, 'T-1', { fromDate: '2000-01-01', toDate: '2999-01-02', kind: 'sakit' }, TEST_ACTOR);
    const got = people((await drain(t.url, kiosk.credential, start.cursor)).items);
    // Several changes of one person in a page come as one state.
    expect(got).toHaveLength(1);
    expect(got[0].templates).toHaveLength(1);
    expect(got[0].templates[0]).toMatchObject({ pack_id: TEST_PACK, dim: 4 });
    expect(Array.from(embeddingFromBytes(Buffer.from(got[0].templates[0].embedding, 'base64')))).toEqual(Array.from(v));
    expect(got[0].leave).toEqual([{ from_date: '2000-01-01', to_date: '2999-01-02', kind: 'sakit' }]);
    const stored = await t.hub.pool.query('SELECT pg_typeof(embedding)::text AS t FROM face_templates LIMIT 1');
    expect(stored.rows[0].t).toBe('bytea');
  });

  it("a schedule change reaches the site's kiosks as a site item", async () => {
    const kiosk = await pairKiosk(t, 'B');
    const start = await drain(t.url, kiosk.credential);
    await setSiteSchedule(t.hub.pool, 'B', { cooldownSeconds: 30 }, TEST_ACTOR);
    const items = (await drain(t.url, kiosk.credential, start.cursor)).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'site', site: { code: 'B', schedule: { cooldownSeconds: 30 } } });
    const a = await pairKiosk(t, 'A');
    const aStart = await drain(t.url, a.credential);
    await setSiteSchedule(t.hub.pool, 'B', null, TEST_ACTOR);
    expect((await drain(t.url, a.credential, aStart.cursor)).items).toEqual([]);
  });

  it('a tampered, malformed or foreign cursor is 400, and nothing leaks', async () => {
    const a = await pairKiosk(t, 'A');
    const b = await pairKiosk(t, 'B');
    const ca = (await getChanges(t.url, a.credential, { limit: 1 })).body.cursor;
    const [payload, sig] = ca.split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...decoded, after_person_id: 0, log_seq: 0 })).toString('base64url');
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    for (const cursor of [`${forged}.${sig}`, `${payload}.${flipped}`, 'garbage', `${payload}.`, 'a.b.c']) {
      const r = await getChanges(t.url, a.credential, { cursor });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
      expect(r.body).not.toHaveProperty('items');
    }
    // A's genuine cursor in B's hands.
    const stolen = await getChanges(t.url, b.credential, { cursor: ca });
    expect(stolen.status).toBe(400);
    expect(stolen.body).toMatchObject({
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/another device/) },
    });
  });

  it('bad wait and limit values are 400', async () => {
    const a = await pairKiosk(t, 'A');
    for (const q of [{ limit: 0 }, { limit: 501 }, { wait: 31 }, { wait: -1 }]) {
      expect((await getChanges(t.url, a.credential, q)).status).toBe(400);
    }
  });
});
