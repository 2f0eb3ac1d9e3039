import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainFaceIndex } from '../../shared/face';
import { createServer } from '../api/server';
import { photo, postForm, postJson, postParts } from '../testing/http-client';
import { TEST_ACTOR, testHubKeyring } from '../testing/postgres-hub';
import { type FreshDatabase, freshHubDatabase } from '../testing/postgres';
import { createApiKey } from './access';
import { staticSettings } from './face-api';
import { HubGallery } from './gallery';
import { ChangeNotifier } from './notifier';
import { addPerson, addTemplates, updatePerson } from './people';
import { type RunningHub, startHub } from './server';
import { addSite } from './sites';
import { countPhoneEvents, setGeofence } from './store/phone';
import { requireSite } from './sites';

/**
 * The hub's face API for real: `startHub` with the engine (real models), the organisation's gallery
 * loaded from and following a real PostgreSQL, real HTTP on loopback. Photos: labels.json identities
 * (Ariel Sharon, Colin Powell) and the liveness samples.
 */

const SHARON_SAMPLES = ['0c5e25d359f6.jpg', '08522604e8c9.jpg'];
const SHARON_SELFIE = '22e82d129abd.jpg';
const POWELL = ['87699d2006c0.jpg', '7ab746e935ee.jpg'];
const POWELL_SELFIE = '7d5c7ded953d.jpg';
const PRINTED = '4b11b5d7a8a8.jpg';
const NO_FACE = '3c386e553b62.jpg';

let db: FreshDatabase;
let hub: RunningHub;
let base: string;
let readKey: string;
let uploads: string;

async function embedding(name: string): Promise<Float32Array> {
  const a = await hub.face!.engine.analyzeEncoded(photo(name), { embed: true });
  return a.faces[mainFaceIndex(a.faces)].embedding!;
}

async function enroll(number: string, name: string, site: string, files: string[], also: string[] = []) {
  await addPerson(hub.pool, { employeeNumber: number, fullName: name, homeSite: site, alsoSites: also }, TEST_ACTOR);
  const templates = [];
  for (const f of files) templates.push({ packId: hub.face!.pack.id, embedding: await embedding(f), source: f });
  await addTemplates(hub.pool, number, templates, TEST_ACTOR);
}

const auth = () => ({ authorization: `Bearer ${readKey}` });
const image = (name: string) => ({ bytes: photo(name), filename: name, type: 'image/jpeg' });

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await freshHubDatabase();
  uploads = await mkdtemp(path.join(os.tmpdir(), 'hadir-hub-uploads-'));
  hub = await startHub({
    databaseUrl: db.url,
    config: { port: 0 },
    poolMax: 6,
    keyring: testHubKeyring(),
    // A long poll interval: the gallery must follow by NOTIFY, not by the timer.
    notifier: { pollMs: 60_000 },
    face: {
      server: { legacyRoutes: true, uploadsDir: uploads, rateLimit: null },
      pool: { workers: 1, intraOpNumThreads: 2 },
      settings: staticSettings({}),
    },
  });
  base = hub.url;
  readKey = (await createApiKey(hub.pool, 'phones', ['read'], TEST_ACTOR)).key;
  for (const code of ['JKT', 'BDG']) {
    await addSite(hub.pool, { code, name: `Office ${code}`, timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
  }
  await hub.face!.gallery.ready;
  await enroll('S1', 'Ariel Sharon', 'JKT', SHARON_SAMPLES);
  await enroll('P1', 'Colin Powell', 'BDG', POWELL);
  await enroll('L1', 'Live Sample', 'JKT', ['f4455149f488.jpeg']);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await db?.drop();
  await rm(uploads, { recursive: true, force: true });
});

describe('hub face API', () => {
  it('health, identification across the organisation and per site, the document', async () => {
    const health = await until(
      async () => (await (await fetch(`${base}/api/v1/health`)).json()) as Record<string, unknown>,
      (h) => h.status === 'ok' && h.gallery_size === 5,
    );
    expect(health).toMatchObject({ status: 'ok', gallery_warming: null, gallery_size: 5 });
    expect((health.identification as { gallery_people: number }).gallery_people).toBe(3);

    const who = async (q = '') => {
      const r = await postForm(`${base}/api/v1/identify${q}`, { image: image(SHARON_SELFIE) }, auth());
      const b = (await r.json()) as { faces: { identity: { employee_number: string | null } }[] };
      return { status: r.status, body: b };
    };
    expect((await who()).body.faces[0].identity.employee_number).toBe('S1');
    expect((await who('?site=JKT')).body.faces[0].identity.employee_number).toBe('S1');
    // Sharon is not allowed at BDG: its gallery does not hold her.
    expect((await who('?site=BDG')).body.faces[0].identity.employee_number).toBeNull();
    expect((await who('?site=NOPE')).status).toBe(404);
    // Recognition names nobody without a key, even on the hub.
    const anon = await postForm(`${base}/api/v1/recognition`, { image: image(SHARON_SELFIE) });
    expect(((await anon.json()) as { identification: string }).identification).toBe('key_required');

    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/health', '/api/v1/identify', '/api/v1/attendance/claimed']),
    );
    expect(doc.paths['/api/v1/people']).toBeUndefined();
  }, 60_000);

  it('another hub process’s gallery follows the change log by NOTIFY', async () => {
    const notifier = new ChangeNotifier(db.url, { pollMs: 60_000 });
    await notifier.start();
    const other = new HubGallery(hub.pool, notifier, hub.face!.pack, staticSettings({}));
    const warmingIdentity = other.identity();
    expect(() => warmingIdentity.gallerySize()).toThrow(/loading/);
    other.start();
    await other.ready;
    const probe = await embedding(POWELL_SELFIE);
    const id = other.identity();
    expect(id.identifyFaces([probe])[0].employee_number).toBe('P1');
    await updatePerson(hub.pool, 'P1', { active: false }, TEST_ACTOR);
    const gone = await until(
      async () => id.identifyFaces([probe])[0],
      (x) => x.employee_number === null,
    );
    expect(gone.employee_number).toBeNull();
    await updatePerson(hub.pool, 'P1', { active: true }, TEST_ACTOR);
    expect(
      (
        await until(
          async () => id.identifyFaces([probe])[0],
          (x) => x.employee_number === 'P1',
        )
      ).employee_number,
    ).toBe('P1');
    await other.close();
    await notifier.close();
  }, 60_000);

  it('while the gallery warms: 503 WARMING with Retry-After, health says warming, the old routes answer 200', async () => {
    const cold = new HubGallery(hub.pool, hub.notifier, hub.face!.pack, staticSettings({}));
    const app = await createServer(
      {
        engine: hub.face!.engine,
        pack: hub.face!.pack,
        identity: cold.identity(),
        keys: { verify: (k) => (k === 'k' ? { id: 1, name: 'k', scopes: ['read'] } : null), hasKeys: () => true },
      },
      { legacyRoutes: true, uploadsDir: uploads, rateLimit: null },
    );
    const h = await app.inject({ method: 'GET', url: '/api/v1/health', headers: { host: '127.0.0.1' } });
    expect(h.json()).toMatchObject({ status: 'warming', gallery_warming: { loaded_templates: 0 } });
    const form = new FormData();
    form.append('image', new Blob([photo(SHARON_SELFIE) as Uint8Array<ArrayBuffer>]), 'a.jpg');
    const req = new Request('http://x', { method: 'POST', body: form });
    const body = Buffer.from(await req.arrayBuffer());
    const headers = { host: '127.0.0.1', authorization: 'Bearer k', 'content-type': req.headers.get('content-type')! };
    const r = await app.inject({ method: 'POST', url: '/api/v1/identify', headers, payload: body });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe('WARMING');
    expect(r.headers['retry-after']).toBe('2');
    const legacy = await app.inject({
      method: 'POST',
      url: '/api/v1/verify-uploads',
      headers: { host: '127.0.0.1', 'content-type': 'application/json' },
      payload: { reference: 'missing.jpg', probe1: 'missing.jpg' },
    });
    expect(legacy.statusCode).toBe(200);
    await app.close();
    await cold.close();
  }, 30_000);

  it('phone check-ins: 1:1, liveness, geofence, idempotency, challenges, malformed requests', async () => {
    const claim = (number: string, frames: string[], key: string, extra: Record<string, string> = {}) =>
      postParts(
        `${base}/api/v1/attendance/claimed`,
        [
          ['employee_number', number],
          ...frames.map((f) => ['image', image(f)] as [string, ReturnType<typeof image>]),
          ...Object.entries(extra),
        ],
        { ...auth(), 'idempotency-key': key },
      );
    const body = async (r: Response) => {
      expect(r.status).toBe(200);
      return (await r.json()) as { outcome: string; recorded: boolean; replayed: boolean; record: unknown };
    };
    // Someone else's face, a printed photo, no face: refused, nothing recorded.
    expect((await body(await claim('S1', [POWELL_SELFIE], 'key-other-1'))).outcome).toBe('not_same_person');
    expect((await body(await claim('L1', [PRINTED], 'key-print-1'))).recorded).toBe(false);
    expect((await body(await claim('L1', [NO_FACE], 'key-noface-1'))).outcome).toBe('no_face');
    // Genuine: recorded once, whatever the retries.
    const first = await body(await claim('L1', ['f4455149f488.jpeg'], 'key-genuine-1'));
    expect(first).toMatchObject({ outcome: 'checked_in', recorded: true, replayed: false });
    const again = await body(await claim('L1', ['f4455149f488.jpeg'], 'key-genuine-1'));
    expect(again).toMatchObject({ outcome: 'checked_in', replayed: true, record: first.record });
    expect(await countPhoneEvents(hub.pool, 'L1')).toBe(1);
    // The same key for another person is a conflict.
    expect((await claim('S1', [SHARON_SELFIE], 'key-genuine-1')).status).toBe(409);
    // A geofence: far away refused, without a position refused.
    const jkt = await requireSite(hub.pool, 'JKT');
    await setGeofence(hub.pool, jkt.id, { latitude: -6.2, longitude: 106.8167, radius_m: 200 });
    const far = await body(
      await claim('S1', [SHARON_SELFIE], 'key-far-0001', { latitude: '-6.3', longitude: '106.8167', accuracy_m: '10' }),
    );
    expect(far.outcome).toBe('outside_geofence');
    expect((await body(await claim('S1', [SHARON_SELFIE], 'key-nopos-01'))).outcome).toBe('outside_geofence');
    const near = await body(
      await claim('S1', [SHARON_SELFIE], 'key-near-0001', {
        latitude: '-6.2005',
        longitude: '106.8167',
        accuracy_m: '15',
      }),
    );
    expect(near.outcome).toBe('checked_in');
    await setGeofence(hub.pool, jkt.id, null);
    // A challenge the still photo cannot answer.
    const ch = await postJson(`${base}/api/v1/attendance/challenges`, { employee_number: 'P1' }, auth());
    const c = (await ch.json()) as { challenge_id: string; direction: string; expires_in_ms: number };
    expect(['left', 'right']).toContain(c.direction);
    const turned = await body(
      await claim('P1', [POWELL_SELFIE, POWELL_SELFIE], 'key-chal-0001', { challenge_id: c.challenge_id }),
    );
    expect(turned.outcome).toBe('challenge_failed');
    // Malformed: 4xx with a code.
    const noKey = await postForm(
      `${base}/api/v1/attendance/claimed`,
      { employee_number: 'S1', image: image(SHARON_SELFIE) },
      auth(),
    );
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    expect((await claim('S1', [SHARON_SELFIE], 'key-badlat-01', { latitude: '91', longitude: '0' })).status).toBe(400);
    expect((await claim('', [SHARON_SELFIE], 'key-empty-001')).status).toBe(400);
    const anon = await postForm(
      `${base}/api/v1/attendance/claimed`,
      { employee_number: 'S1', image: image(SHARON_SELFIE) },
      { 'idempotency-key': 'key-anon-0001' },
    );
    expect(anon.status).toBe(401);
  }, 120_000);

  it('the old backend, replayed: selfie saved, anti-spoofing asked, verify-uploads read at probe_results[0].match', async () => {
    await writeFile(path.join(uploads, 'sharon-1.jpg'), photo(SHARON_SAMPLES[0]));
    await writeFile(path.join(uploads, 'powell-1.jpg'), photo(POWELL[0]));
    /** What the old backend does with a selfie for a claimed person; true only when it would accept. */
    const backend = async (selfie: Uint8Array | null, sample: string): Promise<boolean> => {
      const name = `selfie-${Math.random().toString(36).slice(2)}.jpg`;
      if (selfie) await writeFile(path.join(uploads, name), selfie);
      const spoof = (await (await postJson(`${base}/api/v1/uploads`, { filename: name })).json()) as {
        prediction: string;
      };
      const verify = await postJson(`${base}/api/v1/verify-uploads`, { reference: name, probe1: sample });
      expect(verify.status).toBe(200);
      const v = (await verify.json()) as { probe_results?: { match?: boolean }[] };
      return spoof.prediction === 'real' && v.probe_results?.[0]?.match === true;
    };
    expect(await backend(photo(SHARON_SELFIE), 'sharon-1.jpg')).toBe(true);
    expect(await backend(photo(POWELL_SELFIE), 'sharon-1.jpg')).toBe(false);
    expect(await backend(photo(PRINTED), 'sharon-1.jpg')).toBe(false);
    expect(await backend(photo(NO_FACE), 'sharon-1.jpg')).toBe(false);
    expect(await backend(null, 'sharon-1.jpg')).toBe(false);
  }, 60_000);

  it('GET /metrics: Prometheus text from loopback, a key from elsewhere', async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/^# TYPE hadir_http_requests_total counter$/m);
    expect(text).toMatch(/^hadir_http_requests_total\{method="POST",route="\/api\/v1\/identify",status="200"\} \d+$/m);
    expect(text).toMatch(/^hadir_gallery_templates \d+$/m);
    expect(text).toMatch(/^hadir_gallery_ready 1$/m);
    expect(text).toMatch(/^hadir_inference_stage_seconds_bucket\{stage="detect",le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^hadir_engine_queue_depth \d+$/m);
    const remote = await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(remote.status).toBe(401);
  });
});
