import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AppStatus,
  EnrollmentSampleFeedback,
  EnrollmentSession,
  FrameResult,
  ScheduleConfig,
} from '../../shared/contract';
import type { EnrollmentResult } from '../../shared/people';
import { resolvePack, type ResolvedPack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import { photo } from '../testing/http-client';
import { tempDb } from '../testing/temp-db';
import { RENDERER_CSP, rendererMount } from './renderer-static';
import { createServer } from './server';
import { ALL_DAY_ZONE, openAllDaySchedule } from '../testing/schedules';

/**
 * The kiosk's routes with the real engine over a temporary database: status, streamed frames (raw JPEG
 * bodies, the check-in policy end to end), camera enrollment sessions, and the web renderer under /app/.
 */

const SYSTEM = { type: 'cli' as const, id: 'test' };
const GENUINE = 'f4455149f488.jpeg';
const SPOOF = 'fbbea73450ae.jpg';

let pack: ResolvedPack;
let pool: InferencePool;
let store: ReturnType<typeof tempDb>;
let services: AppServices;
let app: FastifyInstance;
let appDir: string;
/**
 * Camera-like 640×480 frames made from the photos (upright, letterboxed), as the fake camera does. A
 * live camera never repeats its pixels and the kiosk counts a repeated frame toward nothing, so each
 * photo comes as many slightly different frames (a brightness step each), handed out in turn.
 */
const frameSets: Record<string, Buffer[]> = {};
const frameTurn: Record<string, number> = {};
const VARIANTS = 40;

async function cameraFrames(name: string): Promise<Buffer[]> {
  const upright = await sharp(photo(name)).rotate().resize(640, 480, { fit: 'contain', background: '#000' }).toBuffer();
  return Promise.all(
    Array.from({ length: VARIANTS }, (_, i) =>
      sharp(upright)
        .modulate({ brightness: 1 + (i - VARIANTS / 2) * 0.003 })
        .jpeg({ quality: 90 })
        .toBuffer(),
    ),
  );
}

/** The next frame of a photo's set. */
function frame(name: string): Buffer {
  const i = frameTurn[name] ?? 0;
  frameTurn[name] = (i + 1) % VARIANTS;
  return frameSets[name][i];
}

const allDay = (): ScheduleConfig => openAllDaySchedule(600);

beforeAll(async () => {
  pack = await resolvePack(undefined);
  pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 2 });
  store = tempDb('hadir-kiosk-');
  services = openAppServices({
    db: store.db,
    engine: pool,
    pack: pack.pack,
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
  });
  services.attendance.setSchedule(allDay(), SYSTEM);
  // A renderer build, and a file beside it that must never be served.
  appDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-app-'));
  mkdirSync(path.join(appDir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(path.join(appDir, 'renderer', 'index.html'), '<!doctype html><title>Hadir</title>');
  writeFileSync(path.join(appDir, 'renderer', 'assets', 'index-AbC123xy.js'), 'console.log(1)');
  writeFileSync(path.join(appDir, 'renderer', 'assets', 'style-Zz99Yy88.css'), 'body{}');
  writeFileSync(path.join(appDir, 'renderer', '.env'), 'SECRET=1');
  writeFileSync(path.join(appDir, 'secret.txt'), 'TOP-SECRET');
  app = await createServer(
    {
      engine: pool,
      pack: pack.pack,
      keys: services.keys,
      identity: services.faces,
      services,
      kiosk: services.kiosk,
      mount: rendererMount(path.join(appDir, 'renderer')),
    },
    { host: '127.0.0.1', uploadLimitBytes: 2 * 1024 * 1024 },
  );
  for (const name of [GENUINE, SPOOF]) frameSets[name] = await cameraFrames(name);
});

afterAll(async () => {
  await app?.close();
  await pool?.close();
  store?.cleanup();
  if (appDir) rmSync(appDir, { recursive: true, force: true });
});

const json = <T>(r: LightMyRequestResponse) => r.json<T>();

function postFrame(
  jpeg: Buffer,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
  remoteAddress?: string,
) {
  const q = new URLSearchParams({ kioskId: 'door-1', width: '640', height: '480', mirrored: 'false', ...query });
  return app.inject({
    method: 'POST',
    url: `/api/v1/kiosk/frames?${q}`,
    headers: { 'content-type': 'image/jpeg', ...headers },
    payload: jpeg,
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

describe('the web renderer under /app/', () => {
  it('serves the page and its assets with their types and the strict CSP', async () => {
    const redirect = await app.inject({ method: 'GET', url: '/app' });
    expect(redirect.statusCode).toBe(308);
    expect(redirect.headers.location).toBe('/app/');
    const page = await app.inject({ method: 'GET', url: '/app/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).toContain("connect-src 'self'");
    expect(RENDERER_CSP).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');
    const js = await app.inject({ method: 'GET', url: '/app/assets/index-AbC123xy.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect(js.body).toBe('console.log(1)');
    const css = await app.inject({ method: 'GET', url: '/app/assets/style-Zz99Yy88.css?v=2' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers a screen path with the page, a missing asset with 404, and never lists or escapes', async () => {
    expect((await app.inject({ method: 'GET', url: '/app/attendance' })).body).toContain('<title>Hadir</title>');
    expect((await app.inject({ method: 'GET', url: '/app/assets/missing-12345678.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/app/assets/' })).statusCode).toBe(404);
    for (const url of [
      '/app/../secret.txt',
      '/app/..%2fsecret.txt',
      '/app/%2e%2e/secret.txt',
      '/app/%2e%2e%2fsecret.txt',
      '/app/assets/..%2f..%2fsecret.txt',
      '/app/.env',
      '/app/%00index.html',
    ]) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.body, url).not.toContain('TOP-SECRET');
      expect(r.body, url).not.toContain('SECRET=1');
    }
  });
});

describe('kiosk routes', () => {
  it('status: engine and database state, no names, no credentials needed', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/kiosk/status', remoteAddress: '10.1.2.3' });
    expect(r.statusCode).toBe(200);
    const s = json<AppStatus>(r);
    expect(s.engine).toMatchObject({ state: 'ready', ready: true, packId: pack.pack.id, livenessAvailable: true });
    expect(s.database).toEqual({ ok: true, message: null });
    expect(s).toMatchObject({ setupComplete: false, gallerySize: 0, language: 'id', timeZone: ALL_DAY_ZONE });
    expect(s.kiosk.maxFrameWidth).toBe(640);
  });

  it('frames: raw JPEG in, faces and guidance out; the stated size is checked', async () => {
    const r = await postFrame(frame(GENUINE));
    expect(r.statusCode, r.body).toBe(200);
    const f = json<FrameResult>(r);
    expect(f).toMatchObject({ frameWidth: 640, frameHeight: 480, guidance: null, event: null });
    expect(f.faces).toHaveLength(1);
    // A caller without a credential learns where the face is and whether it is live, not who it is.
    expect(f.faces[0]).toMatchObject({ liveness: 'real' });
    expect(f.faces[0]).not.toHaveProperty('decision');
    expect(f.faces[0].name).toBeUndefined();
    expect(f.faces[0].landmarks).toHaveLength(5);

    const wrong = await postFrame(frame(GENUINE), { width: '320', height: '240', kioskId: 'door-2' });
    expect(wrong.statusCode).toBe(400);
    expect(json<{ error: { code: string; message: string } }>(wrong).error.message).toMatch(/640×480.*320×240/);
    expect((await postFrame(frame(GENUINE), { kioskId: 'bad id!' })).statusCode).toBe(400);
    expect((await postFrame(frame(GENUINE), { mirrored: 'true' })).statusCode).toBe(400);
    expect((await postFrame(Buffer.from('not a jpeg'), { kioskId: 'door-3' })).statusCode).toBe(415);
  });

  it('frames: only loopback, operator sessions and read keys; raw JPEG nowhere else; the upload limit holds', async () => {
    const remote = await postFrame(frame(GENUINE), { kioskId: 'door-9' }, {}, '10.1.2.3');
    expect(remote.statusCode).toBe(401);
    const { key } = services.keys.create('tablet', ['read'], SYSTEM);
    const paired = await postFrame(frame(GENUINE), { kioskId: 'door-9' }, { 'x-api-key': key }, '10.1.2.3');
    expect(paired.statusCode, paired.body).toBe(200);
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/v1/detect',
      headers: { 'content-type': 'image/jpeg' },
      payload: frame(GENUINE),
    });
    expect(elsewhere.statusCode).toBe(415);
    const huge = await postFrame(Buffer.alloc(3 * 1024 * 1024, 0xff), { kioskId: 'door-4' });
    expect(huge.statusCode).toBe(413);
  });
});

describe('camera enrollment sessions, then the kiosk', () => {
  let token = '';
  let other = '';
  let session: EnrollmentSession;
  const auth = () => ({ 'x-hadir-session': token });

  beforeAll(async () => {
    await services.operators.create(
      { username: 'petugas', displayName: 'Petugas', role: 'operator', secret: 'rahasia-1' },
      SYSTEM,
    );
    await services.operators.create(
      { username: 'lain', displayName: 'Lain', role: 'operator', secret: 'rahasia-2' },
      SYSTEM,
    );
    const a = await services.sessions.signIn('petugas', 'rahasia-1');
    const b = await services.sessions.signIn('lain', 'rahasia-2');
    if (a.kind !== 'signed_in' || b.kind !== 'signed_in') throw new Error('sign-in failed');
    token = a.session.token;
    other = b.session.token;
  });

  const addSample = (jpeg: Buffer, headers = auth()) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/enrollment/sessions/${session.sessionId}/samples?width=640&height=480&mirrored=false`,
      headers: { 'content-type': 'image/jpeg', ...headers },
      payload: jpeg,
    });

  it('needs an operator session', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/enrollment/sessions', payload: {} });
    expect(r.statusCode).toBe(401);
  });

  it('judges each sample as it comes, refuses a spoof, lets a sample be retaken, and commits', async () => {
    const started = await app.inject({
      method: 'POST',
      url: '/api/v1/enrollment/sessions',
      headers: auth(),
      payload: {},
    });
    expect(started.statusCode, started.body).toBe(200);
    session = json<EnrollmentSession>(started);
    expect(session).toMatchObject({ minSamples: 3, maxSamples: 5 });

    const spoof = json<EnrollmentSampleFeedback>(await addSample(frame(SPOOF)));
    expect(spoof.accepted).toBe(false);
    expect(spoof.index).toBeNull();
    expect(spoof.checks.find((c) => c.check === 'liveness')).toMatchObject({ ok: false, code: 'spoof', limit: 0.5 });

    const fbs: EnrollmentSampleFeedback[] = [];
    for (let i = 0; i < 4; i++) fbs.push(json<EnrollmentSampleFeedback>(await addSample(frame(GENUINE))));
    expect(fbs.map((f) => [f.accepted, f.index, f.samples, f.ready])).toEqual([
      [true, 0, 1, false],
      [true, 1, 2, false],
      [true, 2, 3, true],
      [true, 3, 4, true],
    ]);
    expect(fbs[0].checks.map((c) => c.check)).toEqual([
      'single_face',
      'inter_ocular',
      'blur',
      'yaw',
      'roll',
      'exposure',
      'liveness',
    ]);
    expect(fbs[0].checks.every((c) => c.ok)).toBe(true);
    expect(fbs[0].checks.find((c) => c.check === 'inter_ocular')).toMatchObject({ limit: 40 });
    expect(fbs[0].face?.bbox).toHaveLength(4);

    // Someone else's session is as good as absent.
    expect((await addSample(frame(GENUINE), { 'x-hadir-session': other })).statusCode).toBe(404);

    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/v1/enrollment/sessions/${session.sessionId}/samples/1`,
      headers: auth(),
    });
    expect(removed.json()).toEqual({ samples: 3, ready: true });
    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: `/api/v1/enrollment/sessions/${session.sessionId}/samples/1`,
          headers: auth(),
        })
      ).statusCode,
    ).toBe(404);

    const commit = await app.inject({
      method: 'POST',
      url: `/api/v1/enrollment/sessions/${session.sessionId}/commit`,
      headers: auth(),
      payload: {
        person: { create: { employee_number: '1001', full_name: 'Rina Wulandari', unit: null } },
        consent: { given: true, method: 'on_screen' },
      },
    });
    expect(commit.statusCode, commit.body).toBe(200);
    const result = json<EnrollmentResult>(commit);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.templates).toBe(3);
    expect(result.samples.map((s) => s.index)).toEqual([0, 2, 3]); // the session's own indexes
    expect(services.faces.personConsents(result.person.id)).toHaveLength(1);
    // The session is gone with the commit.
    const again = await app.inject({
      method: 'DELETE',
      url: `/api/v1/enrollment/sessions/${session.sessionId}`,
      headers: auth(),
    });
    expect(again.statusCode).toBe(404);
  });

  it('answers a refused commit with ok: false and keeps the session; cancel drops it', async () => {
    const s = json<EnrollmentSession>(
      await app.inject({ method: 'POST', url: '/api/v1/enrollment/sessions', headers: auth(), payload: {} }),
    );
    const commit = await app.inject({
      method: 'POST',
      url: `/api/v1/enrollment/sessions/${s.sessionId}/commit`,
      headers: auth(),
      payload: {
        person: { create: { employee_number: '1002', full_name: 'Nobody', unit: null } },
        consent: { given: true, method: 'verbal' },
      },
    });
    expect(commit.statusCode).toBe(200);
    expect(json<EnrollmentResult>(commit)).toMatchObject({ ok: false, refusal: { code: 'too_few_samples' } });
    const cancel = await app.inject({
      method: 'DELETE',
      url: `/api/v1/enrollment/sessions/${s.sessionId}`,
      headers: auth(),
    });
    expect(cancel.statusCode).toBe(204);
    const bad = await app.inject({
      method: 'POST',
      url: `/api/v1/enrollment/sessions/${s.sessionId}/commit`,
      headers: auth(),
      payload: {
        person: { create: { employee_number: '1002', full_name: 'Nobody', unit: null } },
        consent: { given: false, method: 'verbal' },
      },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('the kiosk checks the enrolled person in after 3 frames, once; her picture held up is refused', async () => {
    const replies: FrameResult[] = [];
    for (let i = 0; i < 4; i++) replies.push(json<FrameResult>(await postFrame(frame(GENUINE), { kioskId: 'door-5' })));
    expect(replies.map((r) => r.progress)).toEqual([
      { frames: 1, required: 3 },
      { frames: 2, required: 3 },
      { frames: 3, required: 3 },
      { frames: 1, required: 3 },
    ]);
    // Anonymous (a browser on this machine): no per-face decision or name; the greeting names her.
    for (const r of replies) {
      for (const f of r.faces) expect(Object.keys(f).sort()).toEqual(['bbox', 'landmarks', 'liveness', 'score']);
    }
    expect(replies[2].event).toMatchObject({ kind: 'checked_in', name: 'Rina Wulandari', late: false });
    // A paired tablet (a read key) sees the decision and the name on the overlay.
    const { key } = services.keys.create('door tablet', ['read'], SYSTEM);
    const paired = json<FrameResult>(await postFrame(frame(GENUINE), { kioskId: 'door-7' }, { 'x-api-key': key }));
    expect(paired.faces[0]).toMatchObject({ decision: 'match', name: 'Rina Wulandari', liveness: 'real' });
    const rows = services.attendance.repo.query({ from: '2000-01-01', to: '2100-01-01' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kiosk_id: 'door-5', full_name: 'Rina Wulandari' });
    expect(rows[0].liveness).toBeGreaterThan(0.5);

    const spoofs: FrameResult[] = [];
    for (let i = 0; i < 3; i++) spoofs.push(json<FrameResult>(await postFrame(frame(SPOOF), { kioskId: 'door-6' })));
    expect(spoofs[2].event).toEqual({ kind: 'spoof' });
    // Her photo held up: nothing says whom it resembles.
    expect(JSON.stringify(spoofs)).not.toMatch(/Rina|"decision"/);
    expect(services.attendance.repo.query({ from: '2000-01-01', to: '2100-01-01' })).toHaveLength(1);
    const audit = store.db.prepare("SELECT actor_id, details FROM audit_log WHERE action = 'kiosk.spoof'").all() as {
      actor_id: string;
      details: string;
    }[];
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe('door-6');
    expect(JSON.parse(audit[0].details)).toMatchObject({ frames: 3, threshold: 0.5 });
  });
});
