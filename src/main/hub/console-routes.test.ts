import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AttendancePage,
  AuditPage,
  ConsoleSession,
  DashboardView,
  DeviceList,
  PairingCodeView,
  PeoplePage,
  RecapView,
  SiteList,
} from '../../shared/hub-admin';
import type { AttendanceEvent } from '../../shared/sync-protocol';
import { RateLimiter } from '../api/rate-limit';
import { ensureSelfSigned } from '../api/tls';
import { SignInBackoff } from '../services/sign-in-backoff';
import { systemClock } from '../services/clock';
import { hubFetch, kioskEvent, pairKiosk, startTestHub, TEST_ACTOR, type TestHub } from '../testing/postgres-hub';
import { addOperator, createApiKey } from './access';
import { lateCutoff } from './console-views';
import { ADMIN_CSP } from './console-static';
import { correctDay } from './corrections';
import { enterLeave } from './leave';
import { organisationDay, type OrgDayView } from './org-days';
import { addPerson } from './people';
import { registerHubRoutes } from './server';
import { addSite, setSiteSchedule } from './sites';
import { Schedule } from '../services/schedule';
import { hashSecret } from '../services/secret-hash';

// Monday 2 March 2026. JKT (WIB) and MKS (WITA) keep the default schedule: on time until 07:30 local.
const DATE = '2026-03-02';
const CLI = { type: 'cli' as const, id: 'test' };
const SECRET = 'correct horse battery';
const CHEAP = { ln: 10, r: 8, p: 1 };

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

describe('hub admin console API (real PostgreSQL, real HTTP)', () => {
  let t: TestHub;
  let jkt: { credential: string; device_id: string };
  let mks: { credential: string; device_id: string };
  let root: string;
  let siti: string;
  let adminDir: string;

  async function call<T = unknown>(
    method: string,
    url: string,
    opts: { cookie?: string; token?: string; body?: unknown; console?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.console !== false && opts.cookie) headers['x-hadir-console'] = '1';
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(t.url + url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: the text itself
    }
    return { status: res.status, body: body as T, headers: res.headers };
  }

  async function signIn(username: string, secret = SECRET): Promise<string> {
    const r = await call<ConsoleSession>('POST', '/api/v1/hub/session', {
      body: { username, secret },
      headers: { 'x-hadir-console': '1' },
    });
    if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.headers.get('set-cookie')!.split(';')[0];
  }

  const push = (token: string, events: AttendanceEvent[]) =>
    hubFetch(t.url, 'POST', '/api/v1/sync/events', { token, body: { events } });

  beforeAll(async () => {
    adminDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-admin-'));
    mkdirSync(path.join(adminDir, 'assets'));
    writeFileSync(path.join(adminDir, 'index.html'), '<!doctype html><title>Hadir Hub</title><div id="root"></div>');
    writeFileSync(path.join(adminDir, 'assets', 'index-AbCdEf12.js'), 'console.log("console")');
    t = await startTestHub({
      adminDir,
      config: {
        port: 0,
        joinRateLimit: { perSecond: 100, burst: 1000 },
        signInRateLimit: { perSecond: 100, burst: 1000 },
        signInBackoff: { freeFailures: 3, baseMs: 10_000, maxMs: 60_000, maxEntries: 100 },
        // Secrets at a test's cost (the hub's default takes ~128 MiB and a good part of a second each).
        scrypt: CHEAP,
      },
    });
    const pool = t.hub.pool;
    jkt = await pairKiosk(t, 'JKT');
    await addSite(pool, { code: 'MKS', name: 'Makassar', timeZone: 'Asia/Makassar' }, TEST_ACTOR);
    mks = await pairKiosk(t, 'MKS');
    await setSiteSchedule(pool, 'JKT', {}, TEST_ACTOR);
    await setSiteSchedule(pool, 'MKS', {}, TEST_ACTOR);
    const people: [string, string, string | null][] = [
      ['A', 'JKT', 'Keuangan'],
      ['B', 'JKT', 'Umum'],
      ['C', 'JKT', 'Keuangan'],
      ['F', 'JKT', 'Umum'],
      ['D', 'MKS', null],
      ['G', 'MKS', null],
    ];
    for (const [n, site, unit] of people) {
      await addPerson(pool, { employeeNumber: n, fullName: `Pegawai ${n}`, homeSite: site, unit }, TEST_ACTOR);
    }
    await pool.query("UPDATE people SET created_at = '2020-01-01'");
    await enterLeave(pool, { employeeNumber: 'C', from: DATE, to: DATE, kind: 'cuti', reason: 'annual' }, CLI);
    // The day: A on time (07:10 WIB) and out at 17:00; B late (08:00 WIB); D late at MKS (08:05 WITA).
    // Friday 27 Feb: A late (07:45), B on time (07:00). Thursday 26 Feb: F's day only by a correction.
    expect(
      (
        await push(jkt.credential, [
          kioskEvent(1, { employee_number: 'A', occurred_at: '2026-03-02T00:10:00Z' }),
          kioskEvent(2, { employee_number: 'B', occurred_at: '2026-03-02T01:00:00Z' }),
          kioskEvent(3, { employee_number: 'A', type: 'out', occurred_at: '2026-03-02T10:00:00Z' }),
          kioskEvent(4, { employee_number: 'A', occurred_at: '2026-02-27T00:45:00Z' }),
          kioskEvent(5, { employee_number: 'B', occurred_at: '2026-02-27T00:00:00Z' }),
        ])
      ).status,
    ).toBe(200);
    await push(mks.credential, [kioskEvent(1, { employee_number: 'D', occurred_at: '2026-03-02T00:05:00Z' })]);
    await correctDay(pool, { employeeNumber: 'F', date: '2026-02-26', checkIn: '07:00', reason: 'gate' }, CLI);
    await addOperator(pool, { username: 'root', role: 'admin', sites: [], secret: SECRET }, CLI);
    await addOperator(
      pool,
      { username: 'siti', displayName: 'Siti', role: 'site-head', sites: ['JKT'], secret: SECRET },
      CLI,
    );
    await addOperator(pool, { username: 'budi', role: 'personnel', sites: ['JKT', 'MKS'], secret: SECRET }, CLI);
    await addOperator(pool, { username: 'gone', role: 'admin', sites: [], secret: SECRET }, CLI);
    await pool.query("UPDATE operators SET active = false WHERE username = 'gone'");
    await pool.query('UPDATE operators SET secret_hash = $1', [await hashSecret(SECRET, CHEAP)]);
    root = await signIn('root');
    siti = await signIn('siti');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (adminDir) rmSync(adminDir, { recursive: true, force: true });
  });

  describe('sessions', () => {
    it('signs in with an HttpOnly, SameSite=Strict cookie and answers who is signed in', async () => {
      const r = await call<ConsoleSession>('POST', '/api/v1/hub/session', {
        body: { username: 'Siti', secret: SECRET },
        headers: { 'x-hadir-console': '1' },
      });
      expect(r.status).toBe(200);
      const cookie = r.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^hadir_hub_session=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Path=/');
      // Plain HTTP here: no Secure (a browser would refuse to send it back).
      expect(cookie).not.toContain('Secure');
      expect(r.body.operator).toEqual({ username: 'siti', display_name: 'Siti', role: 'site-head', sites: ['JKT'] });
      expect(r.body.hub_url).toBe(t.url);
      const left = new Date(r.body.expires_at).getTime() - Date.now();
      expect(left).toBeGreaterThan(7.9 * 3600_000);
      expect(left).toBeLessThanOrEqual(8 * 3600_000 + 5000);
      const me = await call<ConsoleSession>('GET', '/api/v1/hub/session', { cookie: cookie.split(';')[0] });
      expect(me.status).toBe(200);
      expect(me.body.operator.username).toBe('siti');
      const admin = await call<ConsoleSession>('GET', '/api/v1/hub/session', { cookie: root });
      expect(admin.body.operator).toMatchObject({ role: 'admin', sites: null });
      // Only the token's hash is stored.
      const token = cookie.split(';')[0].split('=')[1];
      const { rows } = await t.hub.pool.query('SELECT token_hash FROM operator_sessions');
      expect(rows.some((x: { token_hash: string }) => x.token_hash === token)).toBe(false);
      expect(rows.every((x: { token_hash: string }) => /^[0-9a-f]{64}$/.test(x.token_hash))).toBe(true);
    });

    it('one 401 for an unknown name, a wrong secret and an inactive operator; each audited', async () => {
      const bodies = [];
      for (const [username, secret] of [
        ['nobody', SECRET],
        ['budi', 'wrong secret!'],
        ['gone', SECRET],
      ]) {
        const r = await call<{ error: { code: string; message: string } }>('POST', '/api/v1/hub/session', {
          body: { username, secret },
          headers: { 'x-hadir-console': '1' },
        });
        expect(r.status).toBe(401);
        expect(r.headers.get('set-cookie')).toBeNull();
        bodies.push(r.body.error);
      }
      expect(bodies[0]).toEqual({
        code: 'UNAUTHORIZED',
        message: 'unknown username or wrong secret',
        reason: 'SIGN_IN_FAILED',
      });
      expect(bodies[1]).toEqual(bodies[0]);
      expect(bodies[2]).toEqual(bodies[0]);
      const { rows } = await t.hub.pool.query(
        "SELECT target_id, details->>'reason' AS reason FROM audit_log WHERE action = 'operator.sign_in_failed' ORDER BY id",
      );
      expect(rows).toEqual([
        { target_id: 'nobody', reason: 'unknown' },
        { target_id: 'budi', reason: 'wrong_secret' },
        { target_id: 'gone', reason: 'inactive' },
      ]);
      // Only the console signs in: without its header, or from another origin, no session.
      const bare = await call('POST', '/api/v1/hub/session', { body: { username: 'budi', secret: SECRET } });
      expect(bare.status).toBe(403);
      expect(bare.headers.get('set-cookie')).toBeNull();
      const foreign = await call('POST', '/api/v1/hub/session', {
        body: { username: 'budi', secret: SECRET },
        headers: { 'x-hadir-console': '1', origin: 'http://evil.example' },
      });
      expect(foreign.status).toBe(403);
      const bad = await call('POST', '/api/v1/hub/session', {
        body: { username: 'budi', secret: SECRET, extra: 1 },
        headers: { 'x-hadir-console': '1' },
      });
      expect(bad.status).toBe(400);
    });

    it('slows guessing per name and address with the kiosk’s back-off: 429 with Retry-After', async () => {
      const guess = (secret: string) =>
        call<{ error: { code: string } }>('POST', '/api/v1/hub/session', {
          body: { username: 'guessed', secret },
          headers: { 'x-hadir-console': '1' },
        });
      // Three free failures, a fourth that starts the wait, then refusals without checking.
      for (let i = 0; i < 4; i++) expect((await guess(`wrong ${i} secret`)).status).toBe(401);
      const refused = await guess('wrong 5 secret');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      // Another name from the same address is not slowed.
      expect(await signIn('budi')).toMatch(/^hadir_hub_session=/);
      const backoff = await t.hub.pool.query(
        "SELECT target_id FROM audit_log WHERE action = 'operator.sign_in_backoff'",
      );
      expect(backoff.rows).toEqual([{ target_id: 'guessed' }]);
    });

    it('signs out: the session ends, the cookie is cleared, the audit log says so', async () => {
      const cookie = await signIn('budi');
      // A sign-out from another site (no console header) is refused.
      expect((await call('DELETE', '/api/v1/hub/session', { cookie, console: false })).status).toBe(403);
      const out = await call('DELETE', '/api/v1/hub/session', { cookie });
      expect(out.status).toBe(200);
      expect(out.headers.get('set-cookie')).toMatch(/^hadir_hub_session=; .*Max-Age=0/);
      expect((await call('GET', '/api/v1/hub/session', { cookie })).status).toBe(401);
      expect((await call('GET', '/api/v1/hub/sites', { cookie })).status).toBe(401);
      const { rows } = await t.hub.pool.query(
        "SELECT actor_type, actor_id FROM audit_log WHERE action = 'operator.sign_out'",
      );
      expect(rows).toEqual([{ actor_type: 'operator', actor_id: 'budi' }]);
      const signIns = await t.hub.pool.query(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'operator.sign_in'",
      );
      expect(signIns.rows[0].n).toBeGreaterThanOrEqual(4);
    });

    it('over TLS the cookie is Secure and the hub URL https', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-tls-'));
      const tls = await ensureSelfSigned(dir, ['127.0.0.1']);
      const app = Fastify({ https: { cert: tls.cert, key: tls.key } });
      await registerHubRoutes(app, {
        pool: t.hub.pool,
        notifier: t.hub.notifier,
        meta: t.hub.meta,
        joinLimiter: new RateLimiter({ perSecond: 1, burst: 10 }),
        signInLimiter: new RateLimiter({ perSecond: 1, burst: 10 }),
        signInBackoff: new SignInBackoff(undefined, systemClock),
        scrypt: CHEAP,
        adminDir: null,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const { port } = app.server.address() as { port: number };
        const body = JSON.stringify({ username: 'root', secret: SECRET });
        const r = await new Promise<{ cookie: string; body: ConsoleSession }>((resolve, reject) => {
          const req = https.request(
            {
              host: '127.0.0.1',
              port,
              path: '/api/v1/hub/session',
              method: 'POST',
              rejectUnauthorized: false,
              headers: { 'content-type': 'application/json', 'x-hadir-console': '1' },
            },
            (res) => {
              let text = '';
              res.on('data', (d: Buffer) => (text += d.toString()));
              res.on('end', () => resolve({ cookie: String(res.headers['set-cookie']), body: JSON.parse(text) }));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        expect(r.cookie).toMatch(/; Secure/);
        expect(r.body.hub_url).toBe(`https://127.0.0.1:${port}`);
      } finally {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a deactivated operator’s session stops working', async () => {
      const cookie = await signIn('budi');
      expect((await call('GET', '/api/v1/hub/sites', { cookie })).status).toBe(200);
      await t.hub.pool.query("UPDATE operators SET active = false WHERE username = 'budi'");
      try {
        expect((await call('GET', '/api/v1/hub/sites', { cookie })).status).toBe(401);
      } finally {
        await t.hub.pool.query("UPDATE operators SET active = true WHERE username = 'budi'");
      }
    });
  });

  describe('one guard for sessions and keys', () => {
    it('refuses a cookie-signed change without the console header or from another origin (CSRF)', async () => {
      const body = { employee_number: 'B', date: DATE, check_in: '07:20', reason: 'queue at the gate' };
      const bare = await call<{ error: { code: string } }>('POST', '/api/v1/hub/corrections', {
        cookie: siti,
        body,
        console: false,
      });
      expect(bare.status).toBe(403);
      expect(bare.body.error.code).toBe('FORBIDDEN');
      const foreign = await call('POST', '/api/v1/hub/corrections', {
        cookie: siti,
        body,
        headers: { origin: 'https://evil.example' },
      });
      expect(foreign.status).toBe(403);
      const ok = await call<{ correction: { check_in: string } }>('POST', '/api/v1/hub/corrections', {
        cookie: siti,
        body,
        headers: { origin: t.url },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.correction.check_in).toBe('2026-03-02T07:20:00+07:00');
      const audit = await t.hub.pool.query(
        "SELECT actor_type, actor_id FROM audit_log WHERE action = 'attendance.correct' AND target_id = 'B'",
      );
      expect(audit.rows).toEqual([{ actor_type: 'operator', actor_id: 'siti' }]);
      // Reading needs no header.
      expect((await call('GET', `/api/v1/hub/days?date=${DATE}`, { cookie: siti, console: false })).status).toBe(200);
      // Put the day back as the kiosks had it.
      await t.hub.pool.query('DELETE FROM attendance_corrections WHERE local_date = $1', [DATE]);
    });

    it('a site head sees and decides for their own site only', async () => {
      const mksDay = await call<{ error: { code: string } }>('GET', `/api/v1/hub/days?date=${DATE}&site=MKS`, {
        cookie: siti,
      });
      expect(mksDay.status).toBe(403);
      expect(mksDay.body.error.code).toBe('FORBIDDEN');
      const own = await call<OrgDayView>('GET', `/api/v1/hub/days?date=${DATE}`, { cookie: siti });
      expect(own.body.days.map((d) => d.employee_number).sort()).toEqual(['A', 'B', 'C', 'F']);
      expect(own.body.summary).toMatchObject({ active: 4, present: 2, late: 1, on_leave: 1, absent: 1 });
      for (const url of [
        '/api/v1/hub/people?site=MKS',
        `/api/v1/hub/attendance?from=${DATE}&to=${DATE}&site=MKS`,
        `/api/v1/hub/dashboard?date=${DATE}&site=MKS`,
        '/api/v1/hub/devices?site=MKS',
        `/api/v1/hub/export?from=${DATE}&to=${DATE}&site=MKS&format=csv`,
        '/api/v1/recap?month=2026-03&site=MKS',
      ]) {
        expect((await call('GET', url, { cookie: siti })).status, url).toBe(403);
      }
      const people = await call<PeoplePage>('GET', '/api/v1/hub/people', { cookie: siti });
      expect(people.body.people.map((p) => p.employee_number)).toEqual(['A', 'B', 'C', 'F']);
      const sites = await call<SiteList>('GET', '/api/v1/hub/sites', { cookie: siti });
      expect(sites.body.sites.map((s) => s.code)).toEqual(['JKT']);
      const att = await call<AttendancePage>('GET', `/api/v1/hub/attendance?from=${DATE}&to=${DATE}`, {
        cookie: siti,
      });
      expect(att.body.rows.map((r) => r.home_site)).toEqual(['JKT', 'JKT', 'JKT', 'JKT']);
      const correctMks = await call('POST', '/api/v1/hub/corrections', {
        cookie: siti,
        body: { employee_number: 'D', date: DATE, check_in: '07:00', reason: 'not mine' },
      });
      expect(correctMks.status).toBe(403);
      // Leave is personnel's and admins'.
      const leave = await call('POST', '/api/v1/hub/leave', {
        cookie: siti,
        body: { employee_number: 'B', from: '2030-01-01', to: '2030-01-01', kind: 'izin', reason: 'x' },
      });
      expect(leave.status).toBe(403);
      for (const [method, url] of [
        ['POST', '/api/v1/hub/sites/JKT/pairing-codes'],
        ['DELETE', '/api/v1/hub/people/B'],
        ['GET', '/api/v1/hub/audit'],
      ]) {
        expect((await call(method, url, { cookie: siti })).status, url).toBe(403);
      }
    });

    it('API keys keep their scopes on the console routes, on every site', async () => {
      const read = (await createApiKey(t.hub.pool, 'reader', ['read'], TEST_ACTOR)).key;
      const admin = (await createApiKey(t.hub.pool, 'fleet', ['admin'], TEST_ACTOR)).key;
      const dash = await call<DashboardView>('GET', `/api/v1/hub/dashboard?date=${DATE}`, { token: read });
      expect(dash.status).toBe(200);
      expect(dash.body.sites.map((s) => s.code)).toEqual(['JKT', 'MKS']);
      expect((await call('POST', '/api/v1/hub/sites/JKT/pairing-codes', { token: read })).status).toBe(403);
      expect((await call('GET', '/api/v1/hub/audit', { token: read })).status).toBe(403);
      expect((await call('GET', '/api/v1/hub/audit', { token: admin })).status).toBe(200);
      // An admin key may manage devices but not read attendance (scopes are independent).
      expect((await call('GET', '/api/v1/hub/sites', { token: admin })).status).toBe(403);
      expect((await call('GET', '/api/v1/hub/sites', { token: 'hk_nonsense' })).status).toBe(401);
      expect((await call('GET', '/api/v1/hub/sites')).status).toBe(401);
    });
  });

  describe('screens', () => {
    it('dashboard: per-site counts, arrivals per 15 min, schedule start, a 30-day late trend', async () => {
      const r = await call<DashboardView>('GET', `/api/v1/hub/dashboard?date=${DATE}`, { cookie: root });
      expect(r.status).toBe(200);
      const d = r.body;
      expect(d.date).toBe(DATE);
      expect(d.totals).toEqual({ expected: 6, present: 3, late: 2, not_yet_in: 2, on_leave: 1 });
      expect(d.sites).toEqual([
        {
          code: 'JKT',
          name: 'Office JKT',
          time_zone: 'Asia/Jakarta',
          expected: 4,
          present: 2,
          late: 1,
          not_yet_in: 1,
          on_leave: 1,
          schedule_start: '07:30',
        },
        {
          code: 'MKS',
          name: 'Makassar',
          time_zone: 'Asia/Makassar',
          expected: 2,
          present: 1,
          late: 1,
          not_yet_in: 1,
          on_leave: 0,
          schedule_start: '07:30',
        },
      ]);
      // A at 07:10 WIB; B at 08:00 WIB and D at 08:05 WITA, each in their site's time.
      expect(d.arrivals).toEqual([
        { start: '07:00', count: 1 },
        { start: '08:00', count: 2 },
      ]);
      expect(d.schedule_start).toBe('07:30');
      expect(d.late_trend).toHaveLength(30);
      expect(d.late_trend[0].date).toBe('2026-02-01');
      const trend = Object.fromEntries(d.late_trend.map((x) => [x.date, x]));
      expect(trend[DATE]).toEqual({ date: DATE, on_time: 1, late: 2 });
      expect(trend['2026-02-27']).toEqual({ date: '2026-02-27', on_time: 1, late: 1 });
      expect(trend['2026-02-26']).toEqual({ date: '2026-02-26', on_time: 1, late: 0 });
      expect(d.late_trend.filter((x) => x.on_time + x.late > 0)).toHaveLength(3);
      // The trend's days agree with the day view.
      for (const date of ['2026-02-26', '2026-02-27', DATE]) {
        const v = await organisationDay(t.hub.pool, date);
        const known = v.days.filter((x) => x.home_site !== null);
        const present = known.filter((x) => x.status === 'present' || x.status === 'late');
        expect(trend[date].on_time + trend[date].late).toBe(present.length);
        expect(trend[date].late).toBe(present.filter((x) => x.status === 'late').length);
      }
      // A site head's dashboard is their site's.
      const own = await call<DashboardView>('GET', `/api/v1/hub/dashboard?date=${DATE}`, { cookie: siti });
      expect(own.body.sites.map((s) => s.code)).toEqual(['JKT']);
      expect(own.body.totals).toEqual({ expected: 4, present: 2, late: 1, not_yet_in: 1, on_leave: 1 });
      expect(own.body.late_trend.find((x) => x.date === DATE)).toEqual({ date: DATE, on_time: 1, late: 1 });
      expect((await call('GET', '/api/v1/hub/dashboard?date=2026-3-2', { cookie: root })).status).toBe(400);
      expect((await call('GET', '/api/v1/hub/dashboard?when=now', { cookie: root })).status).toBe(400);
    });

    it('the lateness cut-off is the schedule’s own answer', () => {
      const s = new Schedule();
      // 07:30 WIB on a Monday is on time, 07:30:01 late.
      expect(lateCutoff(s, DATE, 'Asia/Jakarta')?.toISOString()).toBe('2026-03-02T00:30:01.000Z');
      // Sunday: no windows, nobody late.
      expect(lateCutoff(s, '2026-03-01', 'Asia/Jakarta')).toBeNull();
      expect(lateCutoff(null, DATE, 'Asia/Jakarta')).toBeNull();
    });

    it('devices: status from the kiosk’s report, pairing codes, revoking', async () => {
      const status = await hubFetch(t.url, 'POST', '/api/v1/sync/status', {
        token: jkt.credential,
        body: { app_version: '0.2.0', pack_id: 'test-pack', liveness: true, outbox_depth: 3, camera: 'ok' },
      });
      expect(status.status).toBe(200);
      const list = await call<DeviceList>('GET', '/api/v1/hub/devices', { cookie: root });
      expect(list.status).toBe(200);
      const byId = Object.fromEntries(list.body.devices.map((x) => [x.id, x]));
      expect(byId[jkt.device_id]).toMatchObject({
        site: { code: 'JKT', name: 'Office JKT', time_zone: 'Asia/Jakarta' },
        online: true,
        revoked_at: null,
        app_version: '0.2.0',
        outbox_depth: 3,
        liveness: true,
        camera: 'ok',
      });
      // MKS's kiosk has not reported its status: those fields stay null.
      expect(byId[mks.device_id]).toMatchObject({ outbox_depth: null, liveness: null, camera: null });
      const own = await call<DeviceList>('GET', '/api/v1/hub/devices', { cookie: siti });
      expect(own.body.devices.map((x) => x.site.code)).toEqual(['JKT']);

      const code = await call<PairingCodeView>('POST', '/api/v1/hub/sites/MKS/pairing-codes', { cookie: root });
      expect(code.status).toBe(200);
      expect(code.body.code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
      expect(code.body.hub_url).toBe(t.url);
      expect(code.body.qr_text).toBe(`hadir://join?hub=${encodeURIComponent(t.url)}&code=${code.body.code}`);
      expect(new Date(code.body.expires_at).getTime()).toBeGreaterThan(Date.now());
      // The code works for a kiosk.
      const joined = await hubFetch<{ device_id: string }>(t.url, 'POST', '/api/v1/sync/join', {
        body: { code: code.body.code, name: 'Loket 2', app_version: '0.1.0', pack_id: 'test-pack', protocol: 1 },
      });
      expect(joined.status).toBe(200);
      expect((await call('POST', '/api/v1/hub/sites/NOPE/pairing-codes', { cookie: root })).status).toBe(404);
      expect(
        (await call('POST', '/api/v1/hub/sites/MKS/pairing-codes', { cookie: root, body: { site: 'JKT' } })).status,
      ).toBe(400);
      expect((await call('POST', '/api/v1/hub/sites/MKS/pairing-codes', { cookie: root, console: false })).status).toBe(
        403,
      );

      const revoked = await call<{ already: boolean }>('POST', `/api/v1/hub/devices/${joined.body.device_id}/revoke`, {
        cookie: root,
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body.already).toBe(false);
      const again = await call<{ already: boolean }>('POST', `/api/v1/hub/devices/${joined.body.device_id}/revoke`, {
        cookie: root,
      });
      expect(again.body.already).toBe(true);
      const after = await call<DeviceList>('GET', '/api/v1/hub/devices?site=MKS', { cookie: root });
      expect(after.body.devices.find((x) => x.id === joined.body.device_id)?.revoked_at).not.toBeNull();
      expect((await call('POST', '/api/v1/hub/devices/not-a-uuid/revoke', { cookie: root })).status).toBe(404);
      const audit = await t.hub.pool.query(
        "SELECT action, actor_id FROM audit_log WHERE action IN ('device.pair', 'device.revoke') AND actor_type = 'operator' ORDER BY id",
      );
      expect(audit.rows).toEqual([
        { action: 'device.pair', actor_id: 'root' },
        { action: 'device.revoke', actor_id: 'root' },
      ]);
    });

    it('people: search by NIP or name (% and _ literal), unit, site, pages with a total', async () => {
      const pool = t.hub.pool;
      await addPerson(pool, { employeeNumber: '10_2', fullName: 'Rina 100%', homeSite: 'JKT' }, TEST_ACTOR);
      await addPerson(
        pool,
        { employeeNumber: '1042', fullName: 'Rudi', homeSite: 'MKS', alsoSites: ['JKT'] },
        TEST_ACTOR,
      );
      await pool.query(
        "INSERT INTO consents (person_id, method, recorded_by) SELECT id, 'written', 'hr' FROM people WHERE employee_number = '10_2'",
      );
      await pool.query(
        `INSERT INTO face_templates (person_id, pack_id, dim, embedding, source)
         SELECT id, 'pack-a', 1, '\\x0000803f'::bytea, 'test' FROM people WHERE employee_number = '1042'`,
      );
      const q = (s: string) => call<PeoplePage>('GET', `/api/v1/hub/people?${s}`, { cookie: root });
      expect((await q('q=10_2')).body.people.map((p) => p.employee_number)).toEqual(['10_2']);
      expect((await q('q=100%25')).body.people.map((p) => p.employee_number)).toEqual(['10_2']);
      expect((await q('q=%25')).body.people.map((p) => p.employee_number)).toEqual(['10_2']);
      expect((await q('q=pegawai')).body.total).toBe(6);
      expect((await q('q=PEGAWAI%20a')).body.people.map((p) => p.full_name)).toEqual(['Pegawai A']);
      expect((await q('unit=Keuangan')).body.people.map((p) => p.employee_number)).toEqual(['A', 'C']);
      const rudi = (await q('q=1042')).body.people[0];
      expect(rudi).toMatchObject({
        home_site: 'MKS',
        sites: ['MKS', 'JKT'],
        active: true,
        templates: { 'pack-a': 1 },
        consent: null,
        duplicate_check: null,
      });
      expect((await q('q=10_2')).body.people[0].consent).toMatchObject({ method: 'written', withdrawn_at: null });
      // JKT's people include Rudi, who may check in there.
      const jktPeople = await q('site=JKT&page_size=50');
      expect(jktPeople.body.people.map((p) => p.employee_number)).toEqual(['1042', '10_2', 'A', 'B', 'C', 'F']);
      const p1 = await q('page_size=3');
      const p3 = await q('page_size=3&page=3');
      expect(p1.body).toMatchObject({ total: 8, page: 1, page_size: 3 });
      expect(p1.body.people).toHaveLength(3);
      expect(p3.body.people.map((p) => p.employee_number)).toEqual(['F', 'G']);
      expect((await q('page_size=201')).status).toBe(400);
      expect((await q('page=0')).status).toBe(400);
      expect((await q('sort=name')).status).toBe(400);
      const siteHead = await call<PeoplePage>('GET', '/api/v1/hub/people?q=10', { cookie: siti });
      expect(siteHead.body.people.map((p) => p.employee_number)).toEqual(['1042', '10_2']);
    });

    it('deleting a person: an admin’s, with the console header; the change reaches the kiosks', async () => {
      const { rows } = await t.hub.pool.query("SELECT hub_id FROM people WHERE employee_number = 'G'");
      const hubId = rows[0].hub_id as string;
      expect((await call('DELETE', '/api/v1/hub/people/G', { cookie: root, console: false })).status).toBe(403);
      const del = await call('DELETE', '/api/v1/hub/people/G', { cookie: root });
      expect(del.status).toBe(200);
      const change = await t.hub.pool.query(
        'SELECT kind FROM changes WHERE person_hub_id = $1 ORDER BY seq DESC LIMIT 1',
        [hubId],
      );
      expect(change.rows).toEqual([{ kind: 'person' }]);
      expect((await t.hub.pool.query("SELECT 1 FROM people WHERE employee_number = 'G'")).rows).toHaveLength(0);
      const audit = await t.hub.pool.query(
        "SELECT actor_type, actor_id FROM audit_log WHERE action = 'person.delete' AND target_id = 'G'",
      );
      expect(audit.rows).toEqual([{ actor_type: 'operator', actor_id: 'root' }]);
      expect((await call('DELETE', '/api/v1/hub/people/G', { cookie: root })).status).toBe(404);
      // Put G back for the other tests' counts.
      await addPerson(t.hub.pool, { employeeNumber: 'G', fullName: 'Pegawai G', homeSite: 'MKS' }, TEST_ACTOR);
      await t.hub.pool.query("UPDATE people SET created_at = '2020-01-01' WHERE employee_number = 'G'");
    });

    it('attendance: a range of days, filters, pages; the older one-date form still answers', async () => {
      const q = (s: string) => call<AttendancePage>('GET', `/api/v1/hub/attendance?${s}`, { cookie: root });
      const all = await q(`from=2026-02-27&to=${DATE}&page_size=200`);
      expect(all.status).toBe(200);
      // Friday: A late, B on time, the others absent. Weekend: nobody expected. Monday: everyone.
      const fri = all.body.rows.filter((r) => r.date === '2026-02-27');
      expect(Object.fromEntries(fri.map((r) => [r.employee_number, r.status]))).toMatchObject({
        A: 'late',
        B: 'present',
        C: 'absent',
        D: 'absent',
      });
      const mon = all.body.rows.filter((r) => r.date === DATE);
      expect(mon.find((r) => r.employee_number === 'A')).toMatchObject({
        status: 'present',
        first_in: '2026-03-02T07:10:00+07:00',
        last_out: '2026-03-02T17:00:00+07:00',
        late: false,
        home_site: 'JKT',
        unit: 'Keuangan',
      });
      expect(mon.find((r) => r.employee_number === 'C')).toMatchObject({ status: 'on_leave', leave: 'cuti' });
      expect(all.body.total).toBe(all.body.rows.length);
      const late = await q(`from=2026-02-27&to=${DATE}&status=late`);
      expect(late.body.rows.map((r) => [r.date, r.employee_number])).toEqual([
        ['2026-02-27', 'A'],
        [DATE, 'B'],
        [DATE, 'D'],
      ]);
      const paged = await q(`from=2026-02-27&to=${DATE}&page=2&page_size=5`);
      expect(paged.body.total).toBe(all.body.total);
      expect(paged.body.rows).toEqual(all.body.rows.slice(5, 10));
      const unit = await q(`from=${DATE}&to=${DATE}&unit=Keuangan`);
      expect(unit.body.rows.map((r) => r.employee_number)).toEqual(['A', 'C']);
      expect((await q('from=2026-01-01&to=2026-02-15')).status).toBe(400);
      expect((await q(`from=${DATE}&to=2026-02-27`)).status).toBe(400);
      expect((await q(`from=${DATE}`)).status).toBe(400);
      expect((await q(`from=${DATE}&to=${DATE}&status=asleep`)).status).toBe(400);
      const older = await call<{ events: unknown[]; days: { employee_number: string }[] }>(
        'GET',
        `/api/v1/hub/attendance?date=${DATE}&site=MKS`,
        { cookie: root },
      );
      expect(older.status).toBe(200);
      expect(older.body.days.map((d) => d.employee_number)).toEqual(['D']);
      const mine = await call<{ days: { employee_number: string }[] }>('GET', `/api/v1/hub/attendance?date=${DATE}`, {
        cookie: siti,
      });
      expect(mine.body.days.map((d) => d.employee_number)).toEqual(['A', 'B']);
    });

    it('audit log: newest first, keyset pages, filters', async () => {
      const q = (s: string) => call<AuditPage>('GET', `/api/v1/hub/audit?${s}`, { cookie: root });
      const first = await q('limit=2');
      expect(first.status).toBe(200);
      expect(first.body.entries).toHaveLength(2);
      expect(first.body.entries[0].id).toBeGreaterThan(first.body.entries[1].id);
      const second = await q(`limit=2&before=${first.body.next_before}`);
      expect(second.body.entries[0].id).toBeLessThan(first.body.entries[1].id);
      const { rows } = await t.hub.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
      let seen = 0;
      let before: number | null = null;
      for (let i = 0; i < 100; i++) {
        const page: Answer<AuditPage> = await q(`limit=7${before ? `&before=${before}` : ''}`);
        seen += page.body.entries.length;
        before = page.body.next_before;
        if (before === null) break;
      }
      expect(seen).toBe(rows[0].n);
      const signIns = await q('action=operator.sign_in&actor=root');
      expect(signIns.body.entries.length).toBeGreaterThan(0);
      expect(signIns.body.entries.every((e) => e.action === 'operator.sign_in' && e.actor_id === 'root')).toBe(true);
      const operatorActions = await q('action=operator.&limit=200');
      expect(new Set(operatorActions.body.entries.map((e) => e.action.split('.')[0]))).toEqual(new Set(['operator']));
      expect((await q('actor=operator:root&action=person.delete')).body.entries).toHaveLength(1);
      const today = new Date().toISOString().slice(0, 10);
      expect((await q(`from=2000-01-01&to=2000-01-02`)).body).toMatchObject({ entries: [], next_before: null });
      expect((await q(`from=${new Date(Date.now() - 3600_000).toISOString()}`)).body.entries.length).toBeGreaterThan(0);
      expect((await q(`from=${today}x`)).status).toBe(400);
      expect((await q('limit=500')).status).toBe(400);
    });

    it('the monthly recap, as JSON and XLSX, scoped to the operator’s sites', async () => {
      const all = await call<RecapView>('GET', '/api/v1/recap?month=2026-03', { cookie: root });
      expect(all.status).toBe(200);
      expect(all.body.month).toBe('2026-03');
      expect(new Set(all.body.people.map((p) => p.site))).toEqual(new Set(['JKT', 'MKS']));
      const own = await call<RecapView>('GET', '/api/v1/recap?month=2026-03', { cookie: siti });
      expect(own.status).toBe(200);
      expect(new Set(own.body.people.map((p) => p.site))).toEqual(new Set(['JKT']));
      const res = await fetch(`${t.url}/api/v1/recap?month=2026-03&format=xlsx&lang=en`, { headers: { cookie: root } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
      expect(res.headers.get('content-disposition')).toMatch(/hadir-recap-2026-03\.xlsx/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
      expect(wb.worksheets.length).toBeGreaterThan(0);
      expect((await call('GET', '/api/v1/recap?month=2026-13', { cookie: root })).status).toBe(400);
    });
  });

  describe('the console page under /admin/', () => {
    function raw(pathname: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
      const u = new URL(t.url);
      return new Promise((resolve, reject) => {
        const req = http.request({ host: u.hostname, port: u.port, path: pathname, method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    }

    it('serves the build from memory with a CSP; /admin redirects; screens get index.html', async () => {
      const redirect = await raw('/admin');
      expect(redirect.status).toBe(308);
      expect(redirect.headers.location).toBe('/admin/');
      const index = await raw('/admin/');
      expect(index.status).toBe(200);
      expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(index.headers['content-security-policy']).toBe(ADMIN_CSP);
      expect(index.headers['x-frame-options']).toBe('DENY');
      expect(index.body).toContain('<title>Hadir Hub</title>');
      const asset = await raw('/admin/assets/index-AbCdEf12.js');
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(asset.headers['cache-control']).toContain('immutable');
      expect((await raw('/admin/people')).body).toContain('<title>Hadir Hub</title>');
      expect((await raw('/admin/assets/missing.js')).status).toBe(404);
    });

    it('no path leaves the build folder', async () => {
      for (const p of [
        '/admin/../package.json',
        '/admin/..%2f..%2fpackage.json',
        '/admin/%2e%2e/%2e%2e/package.json',
        '/admin/assets/..%2f..%2f..%2fpackage.json',
        '/admin/%2e%2e%5c%2e%2e%5cpackage.json',
        '/admin//etc/passwd',
      ]) {
        const r = await raw(p);
        expect(r.body, p).not.toContain('"name": "hadir"');
        expect(r.body, p).not.toContain('root:');
        expect([200, 404], p).toContain(r.status);
      }
    });

    it('without a build, /admin/ says how to make one', async () => {
      const bare = await startTestHub();
      try {
        const res = await fetch(`${bare.url}/admin/`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-security-policy')).toBe(ADMIN_CSP);
        expect(await res.text()).toContain('npm run build:admin');
      } finally {
        await bare.close();
      }
    });
  });
});
