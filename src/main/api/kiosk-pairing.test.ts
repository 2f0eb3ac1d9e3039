import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameResult } from '../../shared/contract';
import type { ErrorBody, KioskPairedBody, KioskScheduleBody, PairingCodeBody } from '../../shared/http-api';
import { resolvePack, type ResolvedPack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { type AppServices, openAppServices } from '../services/app-services';
import type { Clock } from '../services/clock';
import { KioskPairingService, PAIRING_CODE_TTL_MS, PAIRING_REFUSED } from '../services/kiosk-pairing';
import { runHadir } from '../testing/run-cli';
import { openAllDaySchedule } from '../testing/schedules';
import { tempDb } from '../testing/temp-db';
import type { ServerConfig } from './config';
import { createServer } from './server';

/**
 * Door tablets over real HTTP on loopback with a real SQLite file and the real engine: an admin makes
 * a one-time pairing code (HTTP or `hadir keys pair-tablet`), the tablet trades it for a key with the
 * `kiosk` scope alone, and that key streams frames and reads the schedule but is refused everything else.
 */

const SYSTEM = { type: 'cli' as const, id: 'test' };

let pool: InferencePool;
let pack: ResolvedPack;
let store: ReturnType<typeof tempDb>;
let services: AppServices;
/** The same store, with a pairing service whose clock runs 11 minutes ahead: every code has expired. */
let later: AppServices;
let server: Listening;
let lateServer: Listening;
/** A server whose pairing throttle allows 3 tries per address. */
let tight: Listening;
let adminKey = '';
let readKey = '';
let blackFrame: Buffer;

interface Listening {
  app: FastifyInstance;
  url: string;
}

async function listen(s: AppServices, config: Partial<ServerConfig> = {}): Promise<Listening> {
  const app = await createServer(
    { engine: pool, pack: pack.pack, keys: s.keys, identity: s.faces, services: s, kiosk: s.kiosk },
    { host: '127.0.0.1', rateLimit: null, signInRateLimit: { perSecond: 0.001, burst: 1000 }, ...config },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

function call(
  to: Listening,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Response> {
  const isJson = body !== undefined && !Buffer.isBuffer(body);
  return fetch(to.url + path, {
    method,
    headers: isJson ? { 'content-type': 'application/json', ...headers } : headers,
    body: body === undefined ? undefined : isJson ? JSON.stringify(body) : (body as Buffer),
  });
}

const keyed = (key: string) => ({ 'x-api-key': key });

async function newCode(to: Listening = server, name?: string): Promise<PairingCodeBody> {
  const r = await call(to, 'POST', '/api/v1/kiosk/pairing-codes', keyed(adminKey), name ? { name } : {});
  expect(r.status).toBe(200);
  return (await r.json()) as PairingCodeBody;
}

const pair = (code: string, to: Listening = server) => call(to, 'POST', '/api/v1/kiosk/pair', {}, { code });

async function pairedKey(): Promise<string> {
  const r = await pair((await newCode()).code);
  expect(r.status).toBe(200);
  return ((await r.json()) as KioskPairedBody).key;
}

async function expectRefusedCode(r: Response): Promise<void> {
  expect(r.status).toBe(404);
  const body = (await r.json()) as ErrorBody;
  expect(body.error).toEqual({ code: 'NOT_FOUND', message: PAIRING_REFUSED });
  expect(body.request_id).toMatch(/^[0-9a-f]{16}$/);
}

beforeAll(async () => {
  pack = await resolvePack(undefined);
  pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1 });
  store = tempDb('hadir-pairing-');
  const api = { host: '127.0.0.1', port: 0, legacyRoutes: false };
  services = openAppServices({ db: store.db, engine: pool, pack: pack.pack, api });
  services.attendance.setSchedule(openAllDaySchedule(600), SYSTEM);
  const ahead: Clock = {
    now: () => new Date(Date.now() + PAIRING_CODE_TTL_MS + 60_000),
    monotonicMs: () => performance.now(),
  };
  later = { ...services, pairing: new KioskPairingService(store.db, services.keys, ahead) };
  adminKey = services.keys.create('admin', ['admin'], SYSTEM).key;
  readKey = services.keys.create('reader', ['read'], SYSTEM).key;
  server = await listen(services);
  lateServer = await listen(later);
  tight = await listen(services, { signInRateLimit: { perSecond: 0.001, burst: 3 } });
  blackFrame = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#000' } })
    .jpeg()
    .toBuffer();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([server?.app.close(), lateServer?.app.close(), tight?.app.close()]);
  await pool?.close();
  store?.cleanup();
});

describe('pairing a door tablet with a one-time code', () => {
  it('trades a code for a key with the kiosk scope alone, once', async () => {
    const code = await newCode(server, 'Pintu depan');
    expect(code.code).toMatch(/^[0-9A-Z]{10}$/);
    expect(code.url).toBe(`${server.url}/app/?pair=${code.code}`);
    expect(Date.parse(code.expires_at) - Date.now()).toBeGreaterThan(PAIRING_CODE_TTL_MS - 60_000);
    expect(Date.parse(code.expires_at) - Date.now()).toBeLessThanOrEqual(PAIRING_CODE_TTL_MS);
    // Stored only as a hash.
    const row = store.db.prepare('SELECT * FROM kiosk_pairing_codes ORDER BY id DESC LIMIT 1').get() as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(row)).not.toContain(code.code);

    const first = await pair(code.code.toLowerCase());
    expect(first.status).toBe(200);
    const paired = (await first.json()) as KioskPairedBody;
    expect(paired.key).toMatch(/^hadir_/);
    expect(services.keys.repo.get(paired.key_id)).toMatchObject({ name: 'Pintu depan', scopes: ['kiosk'] });

    await expectRefusedCode(await pair(code.code));
  });

  it('lets exactly one of two tablets racing with the same code win', async () => {
    const { code } = await newCode();
    const results = await Promise.all([pair(code), pair(code), pair(code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 404, 404]);
  });

  it('refuses a wrong or expired code with the same 404', async () => {
    await expectRefusedCode(await pair('ZZZZZZZZZZ'));
    await expectRefusedCode(await pair('not a code at all'));
    const { code } = await newCode();
    await expectRefusedCode(await pair(code, lateServer));
    // Not spent by the refused try: within its 10 minutes it still works.
    expect((await pair(code)).status).toBe(200);
  });

  it('throttles guessing per client address (429 before the code is looked at)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await pair('ZZZZZZZZZZ', tight)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    // Sign-in has its own bucket: the pairing guesses did not use it up.
    const signIn = await call(
      tight,
      'POST',
      '/api/v1/auth/sessions',
      {},
      { username: 'nobody', secret: 'x'.repeat(8) },
    );
    expect(signIn.status).toBe(200);
  });

  it('lets only an admin make codes', async () => {
    const kioskKey = await pairedKey();
    for (const key of [readKey, kioskKey]) {
      const r = await call(server, 'POST', '/api/v1/kiosk/pairing-codes', keyed(key), {});
      expect(r.status).toBe(403);
    }
    expect((await call(server, 'POST', '/api/v1/kiosk/pairing-codes', {}, {})).status).toBe(401);
  });

  it('makes codes from the command line too (`hadir keys pair-tablet`)', async () => {
    const r = await runHadir(['keys', 'pair-tablet', '--name', 'Gerbang', '--url', 'https://10.0.0.5:5010', '--json'], {
      HADIR_DATA_DIR: store.dir,
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as PairingCodeBody;
    expect(out.url).toBe(`https://10.0.0.5:5010/app/?pair=${out.code}`);
    const paired = await pair(out.code);
    expect(paired.status).toBe(200);
    expect(((await paired.json()) as KioskPairedBody).name).toBe('Gerbang');
  }, 30_000);
});

describe('a kiosk key', () => {
  let kioskKey = '';
  beforeAll(async () => {
    kioskKey = await pairedKey();
  });

  it('posts frames and reads its site’s schedule', async () => {
    const r = await call(
      server,
      'POST',
      '/api/v1/kiosk/frames?kioskId=door-1&width=640&height=480&mirrored=false',
      { 'content-type': 'image/jpeg', ...keyed(kioskKey) },
      blackFrame,
    );
    expect(r.status).toBe(200);
    const frame = (await r.json()) as FrameResult;
    expect(frame).toMatchObject({ frameWidth: 640, frameHeight: 480, faces: [], guidance: 'no_face' });

    const s = await call(server, 'GET', '/api/v1/kiosk/schedule', keyed(kioskKey));
    expect(s.status).toBe(200);
    const schedule = (await s.json()) as KioskScheduleBody;
    expect(schedule).toMatchObject({ workday: expect.any(Boolean), cooldown_seconds: 600, language: 'id' });
    expect(schedule.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Anonymous callers from elsewhere do not get it.
    expect((await call(server, 'GET', '/api/v1/kiosk/schedule', { 'x-forwarded-for': '10.0.0.9' })).status).toBe(401);
  });

  it('gets 403 FORBIDDEN on everything else', async () => {
    const refused: [string, string, Record<string, string>?][] = [
      ['GET', '/api/v1/people'],
      ['GET', '/api/v1/people/1'],
      ['GET', '/api/v1/units'],
      ['GET', '/api/v1/attendance'],
      ['GET', '/api/v1/attendance?format=csv'],
      ['GET', '/api/v1/attendance/export?format=csv'],
      ['GET', '/api/v1/attendance/stats'],
      ['POST', '/api/v1/attendance/check', { 'content-type': 'multipart/form-data; boundary=x' }],
      ['POST', '/api/v1/identify', { 'content-type': 'multipart/form-data; boundary=x' }],
      ['POST', '/api/v1/enrollment/sessions', { 'content-type': 'application/json' }],
      ['GET', '/api/v1/keys'],
      ['POST', '/api/v1/kiosk/pairing-codes', { 'content-type': 'application/json' }],
      ['GET', '/api/v1/settings'],
      ['GET', '/api/v1/operators'],
      // Analysis routes from another machine (on loopback they need no key at all).
      ['POST', '/api/v1/detect', { 'x-forwarded-for': '10.0.0.9' }],
      ['POST', '/api/v1/recognition', { 'x-forwarded-for': '10.0.0.9' }],
    ];
    for (const [method, path, headers] of refused) {
      const r = await call(server, method, path, { ...keyed(kioskKey), ...headers });
      const body = (await r.json()) as ErrorBody;
      expect({ method, path, status: r.status, code: body.error.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'FORBIDDEN',
      });
      expect(body.request_id).toBeTruthy();
    }
  });

  it('stops working once revoked', async () => {
    const key = await pairedKey();
    const id = services.keys.list().at(-1)!.id;
    services.keys.revoke(id, SYSTEM);
    expect((await call(server, 'GET', '/api/v1/kiosk/schedule', keyed(key))).status).toBe(401);
  });
});
