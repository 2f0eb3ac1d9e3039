import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollmentUploadRequest, EnrollmentUploadResponse, SyncPerson } from '../../shared/sync-protocol';
import { drain, hubFetch, pairKiosk, startTestHub, TEST_ACTOR, TEST_PACK, type TestHub } from '../testing/postgres-hub';
import { getPack } from '../engine/manifest';
import { acceptEnrollmentUpload, DUPLICATE_IN_ORGANISATION, PERSON_OF_ANOTHER_SITE } from './enrollment-uploads';
import { reasonOf } from './http';
import { staticSettings } from './face-api';
import { HubGallery } from './gallery';
import { addPerson, updatePerson } from './people';
import { personByEmployeeNumber, templatesOf } from './store/people';

const DIM = 16;

/** A unit vector whose bytes are recognisable in a raw dump. */
function embedding(seed: number): Float32Array {
  const e = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) e[i] = Math.sin(seed * 5.1 + i * 1.3) + 0.001 * seed;
  const n = Math.hypot(...e);
  return e.map((x) => x / n);
}
const b64 = (e: Float32Array) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64');

function upload(employeeNumber: string, localIds: number[], over: Partial<EnrollmentUploadRequest> = {}) {
  return {
    upload_id: randomUUID(),
    pack_id: TEST_PACK,
    person: { employee_number: employeeNumber, full_name: `Pegawai ${employeeNumber}`, unit: 'Keuangan' },
    consent: { method: 'signed form', given_at: '2026-03-02T01:00:00.000Z' },
    templates: localIds.map((id) => ({
      local_id: id,
      dim: DIM,
      embedding: b64(embedding(id)),
      quality: { blur: 120 },
      source: 'camera' as const,
      created_at: '2026-03-02T01:00:00.000Z',
    })),
    ...over,
  } satisfies EnrollmentUploadRequest;
}

describe('enrollment upload (POST /api/v1/sync/enrollments)', () => {
  let t: TestHub;
  let kiosk: { device_id: string; credential: string };
  beforeAll(async () => {
    t = await startTestHub();
    kiosk = await pairKiosk(t, 'JKT');
    await pairKiosk(t, 'BDG'); // the other site exists
    await addPerson(t.hub.pool, { employeeNumber: 'BDG-1', fullName: 'Orang Bandung', homeSite: 'BDG' }, TEST_ACTOR);
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (body: unknown, token = kiosk.credential) =>
    hubFetch<EnrollmentUploadResponse & { error?: { code: string; reason?: string; message: string } }>(
      t.url,
      'POST',
      '/api/v1/sync/enrollments',
      { token, body },
    );
  const count = async (q: string, params: unknown[]) => (await t.hub.pool.query(q, params)).rows[0].n as number;

  it('a new employee number: the person with home site = the device site, consent, sealed templates, change and audit', async () => {
    const body = upload('NEW-1', [11, 12, 13]);
    const r = await send(body);
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(true);
    expect(r.body.templates.map((m) => m.local_id)).toEqual([11, 12, 13]);

    const p = (await personByEmployeeNumber(t.hub.pool, 'NEW-1'))!;
    expect(p.hub_id).toBe(r.body.hub_id);
    const home = await t.hub.pool.query('SELECT code FROM sites WHERE id = $1', [p.home_site_id]);
    expect(home.rows[0].code).toBe('JKT');
    expect(p).toMatchObject({ full_name: 'Pegawai NEW-1', unit: 'Keuangan' });

    // Sealed at rest: the stored bytes are not the embedding, and open to exactly it.
    const raw = await t.hub.pool.query('SELECT hub_id, key_id, embedding FROM face_templates WHERE person_id = $1', [
      p.id,
    ]);
    expect(raw.rows).toHaveLength(3);
    for (const row of raw.rows as { key_id: number | null; embedding: Buffer }[]) {
      expect(row.key_id).not.toBeNull();
      for (const id of [11, 12, 13]) expect(row.embedding.includes(Buffer.from(embedding(id).buffer))).toBe(false);
    }
    const opened = await templatesOf(t.hub.pool, [p.id], TEST_PACK);
    expect(opened.map((o) => o.hub_id).sort()).toEqual(r.body.templates.map((m) => m.hub_id).sort());
    const byHub = new Map(r.body.templates.map((m) => [m.hub_id, m.local_id]));
    for (const o of opened) expect(o.embedding.equals(Buffer.from(embedding(byHub.get(o.hub_id)!).buffer))).toBe(true);

    expect(
      await count('SELECT count(*)::int AS n FROM consents WHERE person_id = $1 AND method = $2', [
        p.id,
        'signed form',
      ]),
    ).toBe(1);
    const audit = await t.hub.pool.query(
      "SELECT actor_type, actor_id, action, details FROM audit_log WHERE target_id = 'NEW-1' ORDER BY id",
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ actor_type: 'kiosk', actor_id: kiosk.device_id, action: 'person.enroll' });
    expect(audit.rows[0].details).toMatchObject({ site: 'JKT', upload_id: body.upload_id });

    // Another kiosk of the site receives them with their templates.
    const other = await pairKiosk(t, 'JKT');
    const seen = (await drain(t.url, other.credential)).items.flatMap((i) =>
      i.type === 'person' && i.person.employee_number === 'NEW-1' ? [i.person] : [],
    ) as SyncPerson[];
    expect(seen.at(-1)!.hub_id).toBe(r.body.hub_id);
    expect(
      seen
        .at(-1)!
        .templates.map((x) => x.hub_id)
        .sort(),
    ).toEqual(opened.map((o) => o.hub_id).sort());
  });

  it('the same upload again (its answer was lost) gets the same answer and writes nothing', async () => {
    const body = upload('NEW-2', [21, 22]);
    const first = await send(body);
    expect(first.status).toBe(200);
    const before = await count('SELECT count(*)::int AS n FROM face_templates', []);
    const audits = await count('SELECT count(*)::int AS n FROM audit_log', []);
    // Sent again, and twice at once (a retry racing its original).
    const again = await Promise.all([send(body), send(body), send(body)]);
    for (const a of again) {
      expect(a.status).toBe(200);
      expect({ ...a.body, server_time: '' }).toEqual({ ...first.body, server_time: '' });
    }
    expect(await count('SELECT count(*)::int AS n FROM people WHERE employee_number = $1', ['NEW-2'])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM face_templates', [])).toBe(before);
    expect(await count('SELECT count(*)::int AS n FROM audit_log', [])).toBe(audits);
  });

  it("templates for someone the site may see are added to them; the person's fields stay the hub's", async () => {
    const created = await send(upload('NEW-3', [31]));
    const more = await send(
      upload('NEW-3', [32, 33], { person: { employee_number: 'NEW-3', full_name: 'X', unit: null } }),
    );
    expect(more.status).toBe(200);
    expect(more.body).toMatchObject({ hub_id: created.body.hub_id, created: false });
    const p = (await personByEmployeeNumber(t.hub.pool, 'NEW-3'))!;
    expect(p.full_name).toBe('Pegawai NEW-3');
    expect(await templatesOf(t.hub.pool, [p.id], TEST_PACK)).toHaveLength(3);
  });

  it('someone of another site is refused 409 with the reason, and nothing is written; granted the site, accepted', async () => {
    const templates = await count('SELECT count(*)::int AS n FROM face_templates', []);
    const body = upload('BDG-1', [41]);
    const r = await send(body);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'CONFLICT', reason: PERSON_OF_ANOTHER_SITE });
    expect(r.body.error!.message).toMatch(/another site/);
    expect(r.body.error!.message).not.toMatch(/BDG|Bandung/);
    expect(await count('SELECT count(*)::int AS n FROM face_templates', [])).toBe(templates);
    expect(await count('SELECT count(*)::int AS n FROM enrollment_uploads', [])).toBeGreaterThan(0);
    expect(
      await count('SELECT count(*)::int AS n FROM enrollment_uploads WHERE upload_id = $1', [body.upload_id]),
    ).toBe(0);
    await updatePerson(t.hub.pool, 'BDG-1', { alsoSites: ['JKT'] }, TEST_ACTOR);
    const again = await send(body);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
  });

  it('refuses what it cannot take: a new person without consent, a wrong embedding, no credential', async () => {
    const noConsent = await send(upload('NEW-4', [51], { consent: null }));
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.error!.message).toMatch(/consent/);
    const short = upload('NEW-4', [52]);
    short.templates[0].dim = DIM + 1;
    expect((await send(short)).status).toBe(400);
    expect((await send({ ...upload('NEW-4', [53]), upload_id: 'not-a-uuid' })).status).toBe(400);
    expect((await send(upload('NEW-4', [54]), 'wrong')).status).toBe(401);
    expect(await personByEmployeeNumber(t.hub.pool, 'NEW-4')).toBeNull();
  });

  it('two devices enrolling the same new number at once: one person, both uploads taken', async () => {
    const a = kiosk;
    const b = await pairKiosk(t, 'JKT');
    const [ra, rb] = await Promise.all([
      send(upload('NEW-5', [61]), a.credential),
      send(upload('NEW-5', [62]), b.credential),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(ra.body.hub_id).toBe(rb.body.hub_id);
    expect([ra.body.created, rb.body.created].sort()).toEqual([false, true]);
    const p = (await personByEmployeeNumber(t.hub.pool, 'NEW-5'))!;
    expect(await templatesOf(t.hub.pool, [p.id], TEST_PACK)).toHaveLength(2);
  });
});

describe('enrollment upload checked against the whole organisation (a hub serving the face API)', () => {
  let t: TestHub;
  let gallery: HubGallery;
  let jkt: { credential: string; device_id: string };
  let bdg: { credential: string; device_id: string };
  const pack = getPack(undefined);
  const dim = pack.recognizer.embeddingSize;

  /** A unit vector of the pack's size. */
  const face = (seed: number) => {
    const e = new Float32Array(dim);
    for (let i = 0; i < dim; i++) e[i] = Math.sin(seed * 7.3 + i * 0.91) + Math.cos(seed * i * 0.37);
    const n = Math.hypot(...e);
    return e.map((x) => x / n);
  };
  const body = (employeeNumber: string, seeds: number[]): EnrollmentUploadRequest => ({
    upload_id: randomUUID(),
    pack_id: pack.id,
    person: { employee_number: employeeNumber, full_name: `Pegawai ${employeeNumber}`, unit: null },
    consent: { method: 'signed form', given_at: '2026-03-02T01:00:00.000Z' },
    templates: seeds.map((s, i) => ({
      local_id: i + 1,
      dim,
      embedding: b64(face(s)),
      quality: null,
      source: 'camera' as const,
      created_at: '2026-03-02T01:00:00.000Z',
    })),
  });

  beforeAll(async () => {
    t = await startTestHub();
    jkt = await pairKiosk(t, 'JKT', pack.id);
    bdg = await pairKiosk(t, 'BDG', pack.id);
    gallery = new HubGallery(t.hub.pool, t.hub.notifier, pack, staticSettings({}));
    gallery.start();
    await gallery.ready;
  });
  afterAll(async () => {
    await gallery?.close();
    await t?.close();
  });

  it('refuses a face that already identifies as a person of another site, and takes a new face', async () => {
    const first = await acceptEnrollmentUpload(t.hub.pool, jkt.device_id, body('ORG-1', [1, 2]), gallery);
    expect(first.created).toBe(true);
    // Kept for the console's people list.
    const kept = await t.hub.pool.query("SELECT duplicate_check FROM people WHERE employee_number = 'ORG-1'");
    expect(kept.rows).toEqual([{ duplicate_check: 'passed' }]);

    // The same face under another number, enrolled at another office: the kiosk there could not know.
    const again = body('ORG-2', [1]);
    const refused = await acceptEnrollmentUpload(t.hub.pool, bdg.device_id, again, gallery).catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect(reasonOf.get(refused as Error)).toBe(DUPLICATE_IN_ORGANISATION);
    expect(await personByEmployeeNumber(t.hub.pool, 'ORG-2')).toBeNull();
    const other = await acceptEnrollmentUpload(t.hub.pool, bdg.device_id, body('ORG-3', [40]), gallery);
    expect(other.created).toBe(true);

    // More faces of the same person (their own number) are not a duplicate of themselves; a retried
    // upload that was taken returns its answer.
    const more = body('ORG-1', [2]);
    const added = await acceptEnrollmentUpload(t.hub.pool, jkt.device_id, more, gallery);
    expect(added.created).toBe(false);
    expect(await acceptEnrollmentUpload(t.hub.pool, jkt.device_id, more, gallery)).toEqual(added);
  });
});
