import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiKeyCreated,
  type ScheduleConfig,
  type Session,
  SETUP_HEADER,
  type SettingsView,
  type SignInOutcome,
} from '../../shared/contract';
import type { AttendanceCheckBody, ErrorBody, IdentifyBody } from '../../shared/http-api';
import type { EnrollmentResult } from '../../shared/people';
import { localParts } from '../../shared/local-time';
import { type Db, openDb } from '../store/db';
import { type FilePart, photo, postJson, postParts } from '../testing/http-client';
import { type Labels, testdataDir } from '../testing/paths';
import { type RunningServer, startServer } from './server';
import { ALL_DAY_ZONE, openAllDaySchedule } from '../testing/schedules';

/**
 * The people, attendance, session, setup and admin routes over real HTTP on loopback: `startServer`
 * as `hadir serve` runs it (one engine for the file), a real SQLite file in a temporary
 * HADIR_DATA_DIR, real photos from ../shared/testdata.
 */

const labels = JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
const GENUINE = 'f4455149f488.jpeg';
const SPOOF = Object.entries(labels.liveness).find(([, v]) => v.label === 'spoof')![0];
const NO_FACE = '3c386e553b62.jpg';

let dataDir: string;
let db: Db;
let server: RunningServer;
let base: string;
let admin: Session;
let readKey: string;
let writeKey: string;
let adminKey: string;
/** The first-run token `hadir serve` printed in its setup link. */
let setupToken = '';
const savedDataDir = process.env.HADIR_DATA_DIR;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const sessionOf = (s: Session) => ({ 'x-hadir-session': s.token });
const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
const image = (name: string): FilePart => ({ bytes: photo(name), filename: name, type: 'image/jpeg' });

function req(method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<Response> {
  return fetch(`${base}${url}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectError(r: Response | Promise<Response>, status: number, code: string): Promise<ErrorBody> {
  const res = await r;
  const b = await json<ErrorBody>(res);
  expect({ status: res.status, code: b.error?.code }, JSON.stringify(b)).toEqual({ status, code });
  expect(b.error.message.length).toBeGreaterThan(0);
  return b;
}

const count = (sql: string, ...args: unknown[]) =>
  db
    .prepare(sql)
    .pluck()
    .get(...args) as number;

/** A schedule whose check-in window covers the whole day so far (and check-out the rest), in the site's zone. */
const openAllDay = (): ScheduleConfig => openAllDaySchedule(60);

const closedAllWeek = (): ScheduleConfig => ({
  ...openAllDay(),
  week: { sun: null, mon: null, tue: null, wed: null, thu: null, fri: null, sat: null },
});

async function patchSettings(patch: unknown): Promise<SettingsView> {
  const r = await req('PATCH', '/api/v1/settings', sessionOf(admin), patch);
  expect(r.status, await r.clone().text()).toBe(200);
  return json<SettingsView>(r);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-store-api-'));
  process.env.HADIR_DATA_DIR = dataDir;
  db = openDb({ file: path.join(dataDir, 'hadir.db') });
  server = await startServer({
    db,
    config: { host: '127.0.0.1', port: 0, rateLimit: null, signInRateLimit: null },
    pool: { workers: 1, intraOpNumThreads: 2 },
    log: () => {},
    out: (line) => {
      setupToken = /\/app\/\?setup=(\S+)/.exec(line)?.[1] ?? setupToken;
    },
  });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
  db?.close();
  if (savedDataDir === undefined) delete process.env.HADIR_DATA_DIR;
  else process.env.HADIR_DATA_DIR = savedDataDir;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('first-run setup', () => {
  const withToken = () => ({ [SETUP_HEADER]: setupToken });

  it('is open before the first admin exists: status, model pack, first admin (signed in at once)', async () => {
    const s = await json<{
      complete: boolean;
      hasAdmin: boolean;
      activePack: string;
      packs: { id: string; licenseAccepted: boolean }[];
    }>(await req('GET', '/api/v1/setup'));
    expect(s).toMatchObject({ complete: false, hasAdmin: false });
    expect(s.packs.map((p) => p.id)).toContain(s.activePack);
    // Only with the setup link's token: being on this machine proves nothing behind a reverse proxy.
    expect(setupToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await expectError(
      req('POST', '/api/v1/setup/model-pack', {}, { packId: s.activePack, acceptLicense: true }),
      403,
      'FORBIDDEN',
    );

    await expectError(
      req('POST', '/api/v1/setup/model-pack', withToken(), { packId: s.activePack }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      req('POST', '/api/v1/setup/model-pack', withToken(), { packId: s.activePack, acceptLicense: true, extra: 1 }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      req('POST', '/api/v1/setup/model-pack', withToken(), { packId: 'no-such-pack', acceptLicense: true }),
      400,
      'BAD_REQUEST',
    );
    const chosen = await req('POST', '/api/v1/setup/model-pack', withToken(), {
      packId: s.activePack,
      acceptLicense: true,
    });
    expect(chosen.status).toBe(200);
    const after = await json<{ packs: { id: string; licenseAccepted: boolean }[] }>(chosen);
    expect(after.packs.find((p) => p.id === s.activePack)!.licenseAccepted).toBe(true);

    await expectError(
      req('POST', '/api/v1/setup/admin', withToken(), { username: 'admin', displayName: 'Admin' }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      req('POST', '/api/v1/setup/admin', withToken(), { username: 'admin', displayName: 'Admin', secret: 12345678 }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      req('POST', '/api/v1/setup/admin', withToken(), { username: 'admin', displayName: 'Admin', secret: 'short' }),
      400,
      'BAD_REQUEST',
    );
    const r = await req('POST', '/api/v1/setup/admin', withToken(), {
      username: 'admin',
      displayName: 'Admin',
      secret: 'kata sandi admin',
    });
    expect(r.status).toBe(200);
    admin = await json<Session>(r);
    expect(admin).toMatchObject({ username: 'admin', displayName: 'Admin', role: 'admin' });
    expect(typeof admin.token).toBe('string');
    expect(count("SELECT count(*) FROM operators WHERE role = 'admin'")).toBe(1);
  });

  it('is closed once an admin exists', async () => {
    await expectError(
      req('POST', '/api/v1/setup/admin', withToken(), {
        username: 'intruder',
        displayName: 'X',
        secret: 'kata sandi lain',
      }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      req('POST', '/api/v1/setup/model-pack', withToken(), { packId: 'mbf-y1', acceptLicense: true }),
      403,
      'FORBIDDEN',
    );
    expect(count('SELECT count(*) FROM operators')).toBe(1);
  });

  it('completes with the schedule and language, as the admin only', async () => {
    const body = { schedule: openAllDay(), language: 'en' };
    await expectError(req('POST', '/api/v1/setup/complete', {}, body), 401, 'UNAUTHORIZED');
    await expectError(
      req('POST', '/api/v1/setup/complete', sessionOf(admin), { ...body, language: 'fr' }),
      400,
      'BAD_REQUEST',
    );
    const r = await req('POST', '/api/v1/setup/complete', sessionOf(admin), body);
    expect(r.status).toBe(200);
    expect(await json(r)).toMatchObject({ complete: true, hasAdmin: true, language: 'en' });
    expect((await json<{ complete: boolean }>(await req('GET', '/api/v1/setup'))).complete).toBe(true);
  });
});

describe('operator sessions', () => {
  let opId: number;

  it('creates an operator (admin), who signs in; a wrong secret is invalid with attempts left', async () => {
    await expectError(
      req('POST', '/api/v1/operators', sessionOf(admin), {
        username: 'siti',
        displayName: 'Siti',
        role: 'boss',
        secret: 'kata sandi siti',
      }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      req('POST', '/api/v1/operators', sessionOf(admin), { username: 'siti', role: 'operator', secret: 'x1234567' }),
      400,
      'BAD_REQUEST',
    );
    const r = await req('POST', '/api/v1/operators', sessionOf(admin), {
      username: 'siti',
      displayName: 'Siti',
      role: 'operator',
      secret: 'kata sandi siti',
    });
    expect(r.status).toBe(200);
    const op = await json<{ id: number; username: string; role: string; active: boolean }>(r);
    expect(op).toMatchObject({ username: 'siti', role: 'operator', active: true });
    opId = op.id;
    expect(JSON.stringify(op)).not.toMatch(/secret|hash|scrypt/);

    const ok = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'kata sandi siti' }),
    );
    expect(ok.kind).toBe('signed_in');
    const bad = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'salah' }),
    );
    expect(bad).toEqual({ kind: 'invalid', attemptsLeft: null });
    const nobody = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'nobody', secret: 'salah' }),
    );
    expect(nobody).toEqual({ kind: 'invalid', attemptsLeft: null });
  });

  it('refuses malformed sign-ins with 400', async () => {
    await expectError(req('POST', '/api/v1/auth/sessions', {}, { username: 'siti' }), 400, 'BAD_REQUEST');
    await expectError(req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 1234 }), 400, 'BAD_REQUEST');
    await expectError(
      req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'x', role: 'admin' }),
      400,
      'BAD_REQUEST',
    );
    await expectError(req('POST', '/api/v1/auth/sessions', {}, '{"username": '), 400, 'BAD_REQUEST');
    await expectError(req('POST', '/api/v1/auth/sessions', {}, [1]), 400, 'BAD_REQUEST');
  });

  it('backs off an address after failures: even the right secret is refused from it until the wait ends', async () => {
    const outcomes: SignInOutcome[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await json(await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: `salah ${i}` })),
      );
    }
    expect(outcomes.slice(0, 3).map((o) => o.kind)).toEqual(['invalid', 'invalid', 'invalid']);
    expect(outcomes[3].kind).toBe('locked');
    const right = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'kata sandi siti' }),
    );
    expect(right.kind).toBe('locked');
    expect(
      count("SELECT count(*) FROM audit_log WHERE action = 'operator.sign_in_backoff' AND target_id = 'siti'"),
    ).toBe(1);
    // An admin's new secret lifts the wait.
    const r = await req('PATCH', `/api/v1/operators/${opId}`, sessionOf(admin), { secret: 'sandi baru siti' });
    expect(r.status).toBe(200);
    expect((await json<{ locked_until: string | null }>(r)).locked_until).toBeNull();
    const again = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'sandi baru siti' }),
    );
    expect(again.kind).toBe('signed_in');
  });

  it('GET current answers the session; sign-out ends it; the token is refused afterwards', async () => {
    const o = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'sandi baru siti' }),
    );
    if (o.kind !== 'signed_in') throw new Error('not signed in');
    const h = sessionOf(o.session);
    expect(await json(await req('GET', '/api/v1/auth/sessions/current', h))).toMatchObject({
      username: 'siti',
      role: 'operator',
    });
    expect((await req('GET', '/api/v1/people', h)).status).toBe(200);
    const out = await req('DELETE', '/api/v1/auth/sessions/current', h);
    expect(out.status).toBe(204);
    expect(await (await req('GET', '/api/v1/auth/sessions/current', h)).json()).toBeNull();
    await expectError(req('GET', '/api/v1/people', h), 401, 'UNAUTHORIZED');
    expect(count("SELECT count(*) FROM audit_log WHERE action = 'operator.sign_out' AND actor_id = 'siti'")).toBe(1);
    expect(await (await req('GET', '/api/v1/auth/sessions/current')).json()).toBeNull();
  });

  it('ends a deactivated operator’s sessions at once', async () => {
    const o = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'sandi baru siti' }),
    );
    if (o.kind !== 'signed_in') throw new Error('not signed in');
    await expectError(
      req('PATCH', `/api/v1/operators/${opId}`, sessionOf(admin), { active: 'no' }),
      400,
      'BAD_REQUEST',
    );
    await expectError(req('PATCH', `/api/v1/operators/${opId}`, sessionOf(admin), {}), 400, 'BAD_REQUEST');
    await expectError(req('PATCH', '/api/v1/operators/999', sessionOf(admin), { active: false }), 404, 'NOT_FOUND');
    expect((await req('PATCH', `/api/v1/operators/${opId}`, sessionOf(admin), { active: false })).status).toBe(200);
    await expectError(req('GET', '/api/v1/people', sessionOf(o.session)), 401, 'UNAUTHORIZED');
    expect((await req('PATCH', `/api/v1/operators/${opId}`, sessionOf(admin), { active: true })).status).toBe(200);
  });
});

describe('keys, operators and settings need an admin', () => {
  let operator: Session;

  it('an admin creates keys: the secret is shown once, only its hash is stored', async () => {
    const make = async (name: string, scopes: string[]) => {
      const r = await req('POST', '/api/v1/keys', sessionOf(admin), { name, scopes });
      expect(r.status).toBe(200);
      const k = await json<ApiKeyCreated>(r);
      expect(k.key).toMatchObject({ name, scopes, revoked_at: null });
      expect(count('SELECT count(*) FROM api_keys WHERE key_hash = ?', k.secret)).toBe(0);
      expect(JSON.stringify(db.prepare('SELECT * FROM api_keys').all())).not.toContain(k.secret);
      return k.secret;
    };
    readKey = await make('office reader', ['read']);
    writeKey = await make('hr system', ['write']);
    adminKey = await make('provisioning', ['admin']);
    await expectError(
      req('POST', '/api/v1/keys', sessionOf(admin), { name: 'x', scopes: ['root'] }),
      400,
      'BAD_REQUEST',
    );
    await expectError(req('POST', '/api/v1/keys', sessionOf(admin), { name: 'x', scopes: [] }), 400, 'BAD_REQUEST');
    await expectError(req('POST', '/api/v1/keys', sessionOf(admin), { scopes: ['read'] }), 400, 'BAD_REQUEST');
    await expectError(req('POST', '/api/v1/keys', sessionOf(admin), { name: 'x', scopes: 'read' }), 400, 'BAD_REQUEST');
    const o = await json<SignInOutcome>(
      await req('POST', '/api/v1/auth/sessions', {}, { username: 'siti', secret: 'sandi baru siti' }),
    );
    if (o.kind !== 'signed_in') throw new Error('not signed in');
    operator = o.session;
  });

  it('refuses everyone else with 401/403', async () => {
    for (const [method, url, body] of [
      ['GET', '/api/v1/keys', undefined],
      ['POST', '/api/v1/keys', { name: 'x', scopes: ['read'] }],
      ['DELETE', '/api/v1/keys/1', undefined],
      ['GET', '/api/v1/operators', undefined],
      ['POST', '/api/v1/operators', { username: 'x1', displayName: 'X', role: 'admin', secret: 'kata sandi x' }],
      ['PATCH', '/api/v1/operators/1', { role: 'operator' }],
      ['GET', '/api/v1/settings', undefined],
      ['PATCH', '/api/v1/settings', { language: 'id' }],
    ] as const) {
      await expectError(req(method, url, {}, body), 401, 'UNAUTHORIZED');
      await expectError(req(method, url, bearer('hadir_not-a-real-key'), body), 401, 'UNAUTHORIZED');
      await expectError(req(method, url, { 'x-hadir-session': 'stale-token' }, body), 401, 'UNAUTHORIZED');
      await expectError(req(method, url, sessionOf(operator), body), 403, 'FORBIDDEN');
      await expectError(req(method, url, bearer(readKey), body), 403, 'FORBIDDEN');
      await expectError(req(method, url, bearer(writeKey), body), 403, 'FORBIDDEN');
    }
    expect(count('SELECT count(*) FROM operators')).toBe(2);
  });

  it('answers an admin’s session and an admin key', async () => {
    for (const h of [sessionOf(admin), bearer(adminKey), { 'x-api-key': adminKey }]) {
      expect((await req('GET', '/api/v1/keys', h)).status).toBe(200);
      const ops = await json<{ username: string }[]>(await req('GET', '/api/v1/operators', h));
      expect(ops.map((o) => o.username)).toEqual(['admin', 'siti']);
    }
    const v = await json<SettingsView>(await req('GET', '/api/v1/settings', bearer(adminKey)));
    expect(v.recognition.threshold).toBeGreaterThan(0);
    expect(v.recognition.thresholdSource).toBe('gallery');
    expect(v.recognition.calibrated.length).toBeGreaterThan(0);
    expect(v.recognition).toMatchObject({ requiredFrames: 3, requireLiveness: true, headTurnChallenge: false });
    expect(v.recognition.livenessThreshold).toBeGreaterThan(0);
    expect(v.schedule).toEqual(openAllDay());
    expect(v).toMatchObject({ language: 'en', idleSignOutMinutes: 15, kiosk: { fullScreen: false } });
    expect(v.api).toMatchObject({ host: '127.0.0.1', legacyRoutes: false });
  });

  it('changes settings (audited with the actor) and refuses bad ones', async () => {
    const v = await patchSettings({
      recognition: { threshold: 0.31, requiredFrames: 3, requireLiveness: true },
      kiosk: { fullScreen: true },
      api: { port: 5055 },
      idleSignOutMinutes: 20,
    });
    expect(v.recognition).toMatchObject({ threshold: 0.31, thresholdSource: 'manual' });
    expect(v.kiosk.fullScreen).toBe(true);
    expect(v.api.port).toBe(5055);
    expect(v.idleSignOutMinutes).toBe(20);
    const back = await patchSettings({ recognition: { threshold: null } });
    expect(back.recognition.thresholdSource).toBe('gallery');
    expect(
      count("SELECT count(*) FROM audit_log WHERE action = 'settings.update' AND actor_id = 'admin'"),
    ).toBeGreaterThanOrEqual(5);
    const bad = (body: unknown) =>
      expectError(req('PATCH', '/api/v1/settings', sessionOf(admin), body), 400, 'BAD_REQUEST');
    await bad({ language: 'fr' });
    await bad({ colour: 'blue' });
    await bad({ recognition: { requiredFrames: 0 } });
    await bad({ recognition: { requiredFrames: '3' } });
    await bad({ recognition: { threshold: 2 } });
    await bad({ kiosk: { fullScreen: 'yes' } });
    await bad({ api: { port: 70000 } });
    await bad({ schedule: { ...openAllDay(), timeZone: 'Europe/Paris' } });
    await bad({
      schedule: {
        ...openAllDay(),
        week: {
          ...openAllDay().week,
          mon: { checkIn: ['10:00', '09:00'], onTimeUntil: '09:00', checkOut: ['15:00', '16:00'] },
        },
      },
    });
    await bad({ activePack: 'det2.5g-mbf-y1' });
    await bad('not json');
  });

  it('revokes a key: it stops working at once', async () => {
    const k = await json<ApiKeyCreated>(
      await req('POST', '/api/v1/keys', bearer(adminKey), { name: 'temp', scopes: ['read'] }),
    );
    expect((await req('GET', '/api/v1/people', bearer(k.secret))).status).toBe(200);
    await expectError(req('DELETE', '/api/v1/keys/abc', sessionOf(admin)), 400, 'BAD_REQUEST');
    await expectError(req('DELETE', '/api/v1/keys/9999', sessionOf(admin)), 404, 'NOT_FOUND');
    const r = await req('DELETE', `/api/v1/keys/${k.key.id}`, sessionOf(admin));
    expect(r.status).toBe(200);
    expect((await json<{ revoked_at: string | null }>(r)).revoked_at).not.toBeNull();
    await expectError(req('GET', '/api/v1/people', bearer(k.secret)), 401, 'UNAUTHORIZED');
    expect(count("SELECT count(*) FROM audit_log WHERE action = 'api_key.revoke' AND actor_id = 'admin'")).toBe(1);
  });
});

/** An identity of labels.json with enough photos: the first 6 to enroll, the last to probe. */
function identityPhotos(min: number, skip: number): [string, string[]] {
  const found = Object.entries(labels.identities).filter(([, files]) => files.length >= min);
  return found[skip];
}

describe('people', () => {
  const [nameA, filesA] = identityPhotos(10, 0);
  const [nameB, filesB] = identityPhotos(10, 1);
  let personA: number;
  let personB: number;

  const enrollParts = (files: string[], extra: [string, string][] = []): [string, FilePart | string][] => [
    ...extra,
    ...files.map((f): [string, FilePart] => ['image', image(f)]),
  ];
  const consent: [string, string][] = [
    ['consent_given', 'true'],
    ['consent_method', 'signed_form'],
  ];

  it('enrolls a new person from photos (write key), with consent required', async () => {
    const fields: [string, string][] = [
      ['employee_number', 'A-001'],
      ['full_name', nameA.replace(/_/g, ' ')],
      ['unit', 'Keuangan'],
    ];
    await expectError(
      postParts(`${base}/api/v1/people`, enrollParts(filesA.slice(0, 6), fields), bearer(writeKey)),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      postParts(`${base}/api/v1/people`, enrollParts(filesA.slice(0, 6), [...fields, ...consent])),
      401,
      'UNAUTHORIZED',
    );
    await expectError(
      postParts(`${base}/api/v1/people`, enrollParts(filesA.slice(0, 6), [...fields, ...consent]), bearer(readKey)),
      403,
      'FORBIDDEN',
    );
    const r = await postParts(
      `${base}/api/v1/people`,
      enrollParts(filesA.slice(0, 6), [...fields, ...consent]),
      bearer(writeKey),
    );
    const body = await json<EnrollmentResult>(r);
    expect(r.status, JSON.stringify(body)).toBe(200);
    if (!body.ok) throw new Error('refused');
    expect(body.templates).toBeGreaterThanOrEqual(3);
    expect(body.samples).toHaveLength(6);
    expect(body.samples[0].label).toBe(filesA[0]);
    personA = body.person.id;
    expect(count('SELECT count(*) FROM face_templates WHERE person_id = ?', personA)).toBe(body.templates);
    expect(count('SELECT count(*) FROM consents WHERE person_id = ?', personA)).toBe(1);
    expect(
      count(
        "SELECT count(*) FROM audit_log WHERE action = 'person.enroll' AND actor_type = 'api_key' AND actor_id = (SELECT CAST(id AS TEXT) FROM api_keys WHERE name = 'hr system')",
      ),
    ).toBe(1);
    const health = await json<{ gallery_size: number }>(await fetch(`${base}/api/v1/health`));
    expect(health.gallery_size).toBe(body.templates);
  });

  it('refuses an employee number in use (409) and bad multipart input (400/415)', async () => {
    const fields: [string, string][] = [['employee_number', 'A-001'], ['full_name', 'Someone'], ...consent];
    await expectError(
      postParts(`${base}/api/v1/people`, enrollParts(filesB.slice(0, 3), fields), bearer(writeKey)),
      409,
      'CONFLICT',
    );
    const ok: [string, string][] = [['employee_number', 'Z-9'], ['full_name', 'Z'], ...consent];
    await expectError(
      postParts(`${base}/api/v1/people`, [...ok, ['photo', image(filesB[0])]], bearer(writeKey)),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      postParts(`${base}/api/v1/people`, [...ok, ['image', 'not a file']], bearer(writeKey)),
      400,
      'BAD_REQUEST',
    );
    await expectError(postParts(`${base}/api/v1/people`, ok, bearer(writeKey)), 400, 'BAD_REQUEST');
    await expectError(
      postParts(`${base}/api/v1/people`, [...ok, ['colour', 'blue'], ['image', image(filesB[0])]], bearer(writeKey)),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      postParts(
        `${base}/api/v1/people`,
        [
          ['employee_number', 'Z-9'],
          ['full_name', 'Z'],
          ['consent_given', 'true'],
          ['consent_method', 'telepathy'],
          ['image', image(filesB[0])],
        ],
        bearer(writeKey),
      ),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      postParts(
        `${base}/api/v1/people`,
        [...ok, ['image', { bytes: new TextEncoder().encode('hello'), filename: 'a.jpg' }]],
        bearer(writeKey),
      ),
      415,
      'UNSUPPORTED_FORMAT',
    );
    await expectError(
      fetch(`${base}/api/v1/people`, {
        method: 'POST',
        headers: { ...bearer(writeKey), 'content-type': 'image/jpeg' },
        body: photo(filesB[0]),
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(count("SELECT count(*) FROM people WHERE employee_number = 'Z-9'")).toBe(0);
  });

  it('creates a person by JSON, then enrolls faces (consent needed first); a faceless set is 422 with reasons', async () => {
    const bad = (body: unknown) =>
      expectError(req('POST', '/api/v1/people', bearer(writeKey), body), 400, 'BAD_REQUEST');
    await bad({ full_name: 'B' });
    await bad({ employee_number: 'B-001', full_name: 42 });
    await bad({ employee_number: 'B-001', full_name: 'B', role: 'admin' });
    await bad({ employee_number: '', full_name: 'B' });
    const r = await req('POST', '/api/v1/people', sessionOf(admin), {
      employee_number: 'B-001',
      full_name: nameB.replace(/_/g, ' '),
      unit: 'Umum',
    });
    expect(r.status).toBe(200);
    const created = await json<EnrollmentResult>(r);
    if (!created.ok) throw new Error('refused');
    expect(created.templates).toBe(0);
    personB = created.person.id;
    expect(
      count(
        "SELECT count(*) FROM audit_log WHERE action = 'person.create' AND actor_type = 'operator' AND actor_id = 'admin'",
      ),
    ).toBe(1);

    await expectError(
      postParts(`${base}/api/v1/people/${personB}/faces`, enrollParts(filesB.slice(0, 6)), bearer(writeKey)),
      400,
      'BAD_REQUEST',
    );
    const refused = await postParts(
      `${base}/api/v1/people/${personB}/faces`,
      enrollParts([NO_FACE, NO_FACE, NO_FACE], consent),
      bearer(writeKey),
    );
    expect(refused.status).toBe(422);
    const rb = await json<EnrollmentResult & { error: { code: string } }>(refused);
    expect(rb.error.code).toBe('ENROLLMENT_REFUSED');
    if (rb.ok) throw new Error('accepted');
    expect(rb.refusal.code).toBe('too_few_samples');
    expect(rb.samples.map((s) => s.rejections[0].code)).toEqual(['no_face', 'no_face', 'no_face']);
    expect(count('SELECT count(*) FROM face_templates WHERE person_id = ?', personB)).toBe(0);

    await expectError(
      postParts(`${base}/api/v1/people/9999/faces`, enrollParts(filesB.slice(0, 3), consent), bearer(writeKey)),
      404,
      'NOT_FOUND',
    );
    await expectError(
      postParts(`${base}/api/v1/people/x/faces`, enrollParts(filesB.slice(0, 3), consent), bearer(writeKey)),
      400,
      'BAD_REQUEST',
    );
    const ok = await postParts(
      `${base}/api/v1/people/${personB}/faces`,
      enrollParts(filesB.slice(0, 6), consent),
      bearer(writeKey),
    );
    const okb = await json<EnrollmentResult>(ok);
    expect(ok.status, JSON.stringify(okb)).toBe(200);
    expect(okb.ok && okb.templates).toBeGreaterThanOrEqual(3);
  });

  it('identify names them for a read key, and not without one', async () => {
    const probeA = filesA[filesA.length - 1];
    const r = await postParts(`${base}/api/v1/identify`, [['image', image(probeA)]], bearer(readKey));
    expect(r.status).toBe(200);
    const d = await json<IdentifyBody>(r);
    expect(d.faces.length).toBeGreaterThanOrEqual(1);
    const named = d.faces.find((f) => f.identity.decision === 'match');
    expect(named?.identity).toMatchObject({
      person_id: personA,
      employee_number: 'A-001',
      name: nameA.replace(/_/g, ' '),
    });
    expect(named!.liveness).not.toBeNull();
    expect(Object.keys(d.timings_ms)).toContain('embed');
    await expectError(postParts(`${base}/api/v1/identify`, [['image', image(probeA)]]), 401, 'UNAUTHORIZED');
    await expectError(
      postParts(`${base}/api/v1/identify`, [['image', image(probeA)]], bearer(writeKey)),
      403,
      'FORBIDDEN',
    );
    await expectError(
      postParts(`${base}/api/v1/identify`, [['photo', image(probeA)]], bearer(readKey)),
      400,
      'BAD_REQUEST',
    );
    await expectError(postParts(`${base}/api/v1/identify`, [], bearer(readKey)), 400, 'BAD_REQUEST');
  });

  it('lists, searches, pages and reads people; lists units', async () => {
    const page = await json<{ items: { id: number; templates: number; last_seen_at: string | null }[]; total: number }>(
      await req('GET', '/api/v1/people', bearer(readKey)),
    );
    expect(page.total).toBe(2);
    expect(page.items.every((p) => p.templates >= 3 && p.last_seen_at === null)).toBe(true);
    const search = await json<{ items: { id: number }[]; total: number }>(
      await req('GET', `/api/v1/people?query=${encodeURIComponent('a-0')}`, sessionOf(admin)),
    );
    expect(search.items.map((p) => p.id)).toEqual([personA]);
    const unit = await json<{ items: { id: number }[] }>(await req('GET', '/api/v1/people?unit=Umum', bearer(readKey)));
    expect(unit.items.map((p) => p.id)).toEqual([personB]);
    const paged = await json<{ items: unknown[]; total: number }>(
      await req('GET', '/api/v1/people?limit=1&offset=1', bearer(readKey)),
    );
    expect(paged).toMatchObject({ total: 2 });
    expect(paged.items).toHaveLength(1);
    for (const q of ['limit=0', 'limit=abc', 'offset=-1', 'includeInactive=yes', 'colour=blue', 'limit=1000']) {
      await expectError(req('GET', `/api/v1/people?${q}`, bearer(readKey)), 400, 'BAD_REQUEST');
    }
    await expectError(req('GET', '/api/v1/people', bearer(writeKey)), 403, 'FORBIDDEN');
    await expectError(req('GET', '/api/v1/people'), 401, 'UNAUTHORIZED');

    const detail = await json<{
      person: { id: number };
      templates: { usable: boolean }[];
      consents: { recorded_by: string; method: string }[];
    }>(await req('GET', `/api/v1/people/${personA}`, bearer(readKey)));
    expect(detail.person.id).toBe(personA);
    expect(detail.templates.length).toBeGreaterThanOrEqual(3);
    expect(detail.templates.every((t) => t.usable)).toBe(true);
    expect(detail.consents).toEqual([
      // Keys are named by id: their names are free text and need not be unique.
      expect.objectContaining({
        recorded_by: `api_key:${count("SELECT id FROM api_keys WHERE name = 'hr system'")}`,
        method: 'signed_form',
      }),
    ]);
    await expectError(req('GET', '/api/v1/people/424242', bearer(readKey)), 404, 'NOT_FOUND');
    await expectError(req('GET', '/api/v1/people/0', bearer(readKey)), 400, 'BAD_REQUEST');
    expect(await json(await req('GET', '/api/v1/units', bearer(readKey)))).toEqual(['Keuangan', 'Umum']);
  });

  it('edits, deactivates (out of recognition) and reactivates a person', async () => {
    const bad = (body: unknown) =>
      expectError(req('PATCH', `/api/v1/people/${personB}`, bearer(writeKey), body), 400, 'BAD_REQUEST');
    await bad({});
    await bad({ full_name: 7 });
    await bad({ active: 'false' });
    await bad({ nickname: 'B' });
    await expectError(
      req('PATCH', `/api/v1/people/${personB}`, bearer(writeKey), { employee_number: 'A-001' }),
      409,
      'CONFLICT',
    );
    await expectError(req('PATCH', '/api/v1/people/424242', bearer(writeKey), { unit: 'X' }), 404, 'NOT_FOUND');
    await expectError(req('PATCH', `/api/v1/people/${personB}`, bearer(readKey), { unit: 'X' }), 403, 'FORBIDDEN');
    const r = await req('PATCH', `/api/v1/people/${personB}`, bearer(writeKey), { unit: 'Sekretariat', active: false });
    expect(r.status).toBe(200);
    expect(await json(r)).toMatchObject({ id: personB, unit: 'Sekretariat', active: false });
    const probe = filesB[filesB.length - 1];
    const d = await json<IdentifyBody>(
      await postParts(`${base}/api/v1/identify`, [['image', image(probe)]], bearer(readKey)),
    );
    expect(d.faces.some((f) => f.identity.person_id === personB)).toBe(false);
    expect((await req('PATCH', `/api/v1/people/${personB}`, sessionOf(admin), { active: true })).status).toBe(200);
    const d2 = await json<IdentifyBody>(
      await postParts(`${base}/api/v1/identify`, [['image', image(probe)]], bearer(readKey)),
    );
    expect(d2.faces.some((f) => f.identity.person_id === personB)).toBe(true);
  });

  it('deletes a person for real: confirm required, admin only; templates gone, no longer named', async () => {
    await expectError(req('DELETE', `/api/v1/people/${personB}`, sessionOf(admin)), 400, 'BAD_REQUEST');
    await expectError(req('DELETE', `/api/v1/people/${personB}?confirm=false`, sessionOf(admin)), 400, 'BAD_REQUEST');
    await expectError(
      req('DELETE', `/api/v1/people/${personB}?confirm=true&eraseAttendance=maybe`, sessionOf(admin)),
      400,
      'BAD_REQUEST',
    );
    await expectError(req('DELETE', `/api/v1/people/${personB}?confirm=true`, bearer(writeKey)), 403, 'FORBIDDEN');
    const r = await req('DELETE', `/api/v1/people/${personB}?confirm=true&eraseAttendance=true`, sessionOf(admin));
    expect(r.status).toBe(204);
    expect(count('SELECT count(*) FROM people WHERE id = ?', personB)).toBe(0);
    expect(count('SELECT count(*) FROM face_templates WHERE person_id = ?', personB)).toBe(0);
    expect(count('SELECT count(*) FROM consents WHERE person_id = ?', personB)).toBe(0);
    expect(count("SELECT count(*) FROM audit_log WHERE action = 'person.delete' AND actor_id = 'admin'")).toBe(1);
    const d = await json<IdentifyBody>(
      await postParts(`${base}/api/v1/identify`, [['image', image(filesB[filesB.length - 1])]], bearer(readKey)),
    );
    expect(d.faces.every((f) => f.identity.person_id !== personB && f.identity.name !== nameB.replace(/_/g, ' '))).toBe(
      true,
    );
    await expectError(req('DELETE', `/api/v1/people/${personB}?confirm=true`, sessionOf(admin)), 404, 'NOT_FOUND');
  });
});

describe('attendance', () => {
  let genuineFrames: FilePart[];
  let personG: number;
  const check = (
    frames: FilePart[],
    headers: Record<string, string> = bearer(readKey),
    extra: [string, string][] = [],
  ) =>
    postParts(
      `${base}/api/v1/attendance/check`,
      [...extra, ...frames.map((f): [string, FilePart] => ['image', f])],
      headers,
    );
  const rows = () => count('SELECT count(*) FROM attendance');

  beforeAll(async () => {
    // The genuine live sample is the only photo of its person: enroll from three rescaled crops of it,
    // and check in with three more.
    const upright = await sharp(photo(GENUINE)).rotate().toBuffer();
    const { width, height } = await sharp(upright).metadata();
    const variant = async (scale: number, crop: number, quality: number): Promise<FilePart> => {
      const w = Math.round(width! * (1 - crop));
      const h = Math.round(height! * (1 - crop));
      const left = Math.round((width! - w) / 2);
      const top = Math.round((height! - h) / 2);
      const bytes = await sharp(upright)
        .extract({ left, top, width: w, height: h })
        .resize(Math.round(w * scale))
        .jpeg({ quality })
        .toBuffer();
      return { bytes: new Uint8Array(bytes), filename: `genuine-${scale}-${crop}.jpg`, type: 'image/jpeg' };
    };
    const enroll = [await variant(0.9, 0.02, 92), await variant(0.8, 0.05, 90), await variant(1, 0.08, 95)];
    genuineFrames = [await variant(0.85, 0.03, 90), await variant(0.95, 0.06, 88), await variant(0.75, 0.04, 93)];
    const r = await postParts(
      `${base}/api/v1/people`,
      [
        ['employee_number', 'G-001'],
        ['full_name', 'Genuine Person'],
        ['consent_given', 'true'],
        ['consent_method', 'on_screen'],
        ...enroll.map((f): [string, FilePart] => ['image', f]),
      ],
      sessionOf(admin),
    );
    const b = await json<EnrollmentResult>(r);
    expect(r.status, JSON.stringify(b)).toBe(200);
    if (!b.ok) throw new Error('refused');
    personG = b.person.id;
  });

  it('a single spoof frame records nothing', async () => {
    await patchSettings({ schedule: openAllDay() });
    const spoof = image(SPOOF);
    for (const frames of [[spoof], [genuineFrames[0], genuineFrames[1], spoof], [spoof, ...genuineFrames]]) {
      const r = await check(frames);
      expect(r.status).toBe(200);
      const b = await json<AttendanceCheckBody>(r);
      expect(b, JSON.stringify(b)).toMatchObject({ outcome: 'spoof', recorded: false, record: null });
    }
    expect(rows()).toBe(0);
  });

  it('disagreeing frames (two different people) record nothing', async () => {
    // With every face taken as live, so the refusal is the disagreement and not the other photo's liveness.
    await patchSettings({ recognition: { livenessThreshold: 0 } });
    try {
      const other = image(identityPhotos(10, 0)[1].at(-1)!);
      const r = await check([genuineFrames[0], genuineFrames[1], other]);
      const b = await json<AttendanceCheckBody>(r);
      expect(b, JSON.stringify(b.frames)).toMatchObject({ outcome: 'disagree', recorded: false });
      expect(b.frames.at(-1)!.identity!.decision).toBe('match');
      const stranger = await json<AttendanceCheckBody>(
        await check([genuineFrames[0], image(NO_FACE), genuineFrames[1]]),
      );
      expect(stranger.outcome).toBe('no_face');
    } finally {
      await patchSettings({ recognition: { livenessThreshold: null } });
    }
    expect(rows()).toBe(0);
  });

  it('too few agreeing frames record nothing', async () => {
    const b = await json<AttendanceCheckBody>(await check(genuineFrames.slice(0, 2)));
    expect(b).toMatchObject({ outcome: 'too_few_frames', recorded: false, required_frames: 3 });
    expect(b.frames.map((f) => f.verdict)).toEqual(['pending', 'pending']);
    expect(rows()).toBe(0);
  });

  it('outside the windows records nothing', async () => {
    await patchSettings({ schedule: closedAllWeek() });
    const b = await json<AttendanceCheckBody>(await check(genuineFrames));
    expect(b).toMatchObject({ outcome: 'closed', recorded: false, person: { id: personG } });
    expect(rows()).toBe(0);
  });

  it('three agreeing live frames of an enrolled person record exactly one row', async () => {
    await patchSettings({ schedule: openAllDay() });
    const r = await check(genuineFrames, bearer(readKey), [['kiosk_id', 'door-2']]);
    const b = await json<AttendanceCheckBody>(r);
    expect(r.status).toBe(200);
    expect(b, JSON.stringify(b)).toMatchObject({ recorded: true, person: { id: personG, employee_number: 'G-001' } });
    expect(['checked_in', 'checked_out']).toContain(b.outcome);
    expect(b.frames.map((f) => f.verdict)).toEqual(['pending', 'pending', 'confirmed']);
    expect(b.frames.every((f) => f.liveness?.decision === 'real')).toBe(true);
    expect(rows()).toBe(1);
    const row = db.prepare('SELECT * FROM attendance').get() as Record<string, unknown>;
    expect(row).toMatchObject({ person_id: personG, employee_number: 'G-001', decided_by: 'face' });
    expect(row.kiosk_id ?? row.check_out_kiosk_id).toBe('door-2');
    expect(
      count(
        "SELECT count(*) FROM audit_log WHERE action LIKE 'attendance.check_%' AND actor_id = (SELECT CAST(id AS TEXT) FROM api_keys WHERE name = 'office reader')",
      ),
    ).toBe(1);
  });

  it('inside the cooldown records nothing', async () => {
    const before = db.prepare('SELECT updated_at FROM attendance').pluck().get();
    const b = await json<AttendanceCheckBody>(await check(genuineFrames));
    expect(b).toMatchObject({ outcome: 'cooldown', recorded: false, record: null });
    expect(b.retry_after_s).toBeGreaterThan(0);
    expect(rows()).toBe(1);
    expect(db.prepare('SELECT updated_at FROM attendance').pluck().get()).toBe(before);
  });

  it('refuses bad check requests without recording', async () => {
    await expectError(check(genuineFrames, {}), 401, 'UNAUTHORIZED');
    await expectError(check(genuineFrames, bearer(writeKey)), 403, 'FORBIDDEN');
    await expectError(check([], bearer(readKey)), 400, 'BAD_REQUEST');
    await expectError(check(genuineFrames, bearer(readKey), [['person_id', String(personG)]]), 400, 'BAD_REQUEST');
    await expectError(check(genuineFrames, bearer(readKey), [['kiosk_id', '../etc']]), 400, 'BAD_REQUEST');
    await expectError(
      postParts(`${base}/api/v1/attendance/check`, [['image', 'G-001']], bearer(readKey)),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      postJson(`${base}/api/v1/attendance/check`, { person_id: personG }, bearer(readKey)),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const many = Array.from({ length: 11 }, () => genuineFrames[0]);
    await expectError(check(many, bearer(readKey)), 400, 'BAD_REQUEST');
    expect(rows()).toBe(1);
  });

  it('GET /attendance answers the records and the day’s summary; filters are checked', async () => {
    const today = localParts(new Date(), ALL_DAY_ZONE).date;
    const page = await json<{ records: { person_id: number }[]; summary: { present: number } | null }>(
      await req('GET', '/api/v1/attendance', bearer(readKey)),
    );
    expect(page.records.map((r) => r.person_id)).toEqual([personG]);
    expect(page.summary?.present).toBe(1);
    const ranged = await json<{ records: unknown[]; summary: unknown }>(
      await req('GET', `/api/v1/attendance?from=2020-01-01&to=${today}&personId=${personG}`, sessionOf(admin)),
    );
    expect(ranged.records).toHaveLength(1);
    expect(ranged.summary).toBeNull();
    const none = await json<{ records: unknown[] }>(
      await req('GET', `/api/v1/attendance?from=${today}&unit=Nowhere`, bearer(readKey)),
    );
    expect(none.records).toHaveLength(0);
    for (const q of [
      'from=2024-13-01',
      'from=2024-02-30',
      'from=yesterday',
      'personId=abc',
      'onlyLate=1',
      'colour=blue',
      'from=2025-02-02&to=2025-01-01',
      'format=pdf',
    ]) {
      await expectError(req('GET', `/api/v1/attendance?${q}`, bearer(readKey)), 400, 'BAD_REQUEST');
    }
    await expectError(req('GET', '/api/v1/attendance'), 401, 'UNAUTHORIZED');
    await expectError(req('GET', '/api/v1/attendance', bearer(adminKey)), 403, 'FORBIDDEN');
  });

  it('downloads CSV (format or Accept) and XLSX, audited', async () => {
    for (const r of [
      await req('GET', '/api/v1/attendance?format=csv', bearer(readKey)),
      await req('GET', '/api/v1/attendance', { ...bearer(readKey), accept: 'text/csv' }),
      await req('GET', '/api/v1/attendance/export?format=csv&lang=en', sessionOf(admin)),
    ]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(r.headers.get('content-disposition')).toMatch(
        /^attachment; filename="attendance_\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const text = await r.text();
      const lines = text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toMatch(/^Date,Employee number,Name/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('G-001');
      expect(lines[1]).toContain('Genuine Person');
    }
    const xlsx = await req('GET', '/api/v1/attendance', {
      ...bearer(readKey),
      accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toMatch(/\.xlsx"$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const ws = wb.getWorksheet('Attendance')!;
    expect(ws.getRow(2).getCell(2).value).toBe('G-001');
    expect(wb.getWorksheet('Summary')).toBeDefined();
    const viaExport = await req('GET', '/api/v1/attendance/export?format=xlsx', bearer(readKey));
    expect(viaExport.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(
      Buffer.from(await viaExport.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    await expectError(req('GET', '/api/v1/attendance/export', bearer(readKey)), 400, 'BAD_REQUEST');
    await expectError(req('GET', '/api/v1/attendance/export?format=pdf', bearer(readKey)), 400, 'BAD_REQUEST');
    expect(count("SELECT count(*) FROM audit_log WHERE action = 'attendance.export'")).toBe(5);
  });
});
