import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SESSION_HEADER, SETUP_HEADER, type Session, type SignInOutcome } from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { ErrorBody } from '../../shared/http-api';
import { getPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import { ApiKeyService } from '../services/api-keys';
import { type AppServices, openAppServices } from '../services/app-services';
import { OperatorService, type SecretHasher } from '../services/operators';
import { hashSecret, verifySecret } from '../services/secret-hash';
import { SessionService } from '../services/sessions';
import { openDb } from '../store/db';
import { tempDb } from '../testing/temp-db';
import type { ServerConfig } from './config';
import { createServer } from './server';
import { SetupToken } from './setup-token';

/**
 * The API's trust decisions over real HTTP on loopback, with a real SQLite file: who counts as local
 * behind a reverse proxy, who may create the first admin, how sign-in resists floods and guessing, and
 * what a failure tells the client. No engine: nothing here reaches it (a request that gets past the
 * access checks is answered by the frame decoder, whose 415 shows it was let in).
 */

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

const CHEAP = { ln: 4, r: 8, p: 1 };
/** Sign-in attempts per address before the throttle answers 429 (more than the back-off's 3 free failures). */
const BURST = 6;
const SYSTEM = { type: 'cli' as const, id: 'test' };
const ADMIN = { username: 'siti', displayName: 'Siti', secret: 'kata-sandi-admin' };

let store: ReturnType<typeof tempDb>;
let base: AppServices;
let services: AppServices;
/** Every scrypt computation the sign-in path asks for (hash or verify). */
let hashCalls = 0;
const setupToken = new SetupToken();
let token = '';
const internalErrors: string[] = [];
/** No trusted proxy (the default): a forwarding header makes a request remote. */
let direct: Listening;
/** Behind a reverse proxy on this host: 127.0.0.1 and ::1 are trusted to say who the client is. */
let proxied: Listening;

interface Listening {
  app: FastifyInstance;
  url: string;
}

async function listen(config: Partial<ServerConfig>): Promise<Listening> {
  const app = await createServer(
    {
      engine: idleEngine,
      pack: getPack(undefined),
      keys: services.keys,
      identity: null,
      services,
      kiosk: services.kiosk,
      setupToken,
    },
    { host: '127.0.0.1', rateLimit: null, signInRateLimit: { perSecond: 0.001, burst: BURST }, ...config },
    { onInternalError: (id) => internalErrors.push(id) },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

function call(
  server: Listening,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Response> {
  const isJson = body !== undefined && !Buffer.isBuffer(body);
  return fetch(server.url + path, {
    method,
    headers: isJson ? { 'content-type': 'application/json', ...headers } : headers,
    body: body === undefined ? undefined : isJson ? JSON.stringify(body) : (body as Buffer),
  });
}

const frame = (server: Listening, headers: Record<string, string> = {}) =>
  call(
    server,
    'POST',
    '/api/v1/kiosk/frames?kioskId=door-1&width=640&height=480&mirrored=false',
    { 'content-type': 'image/jpeg', ...headers },
    Buffer.from('not a jpeg'),
  );

const signIn = (server: Listening, username: string, secret: string, headers: Record<string, string> = {}) =>
  call(server, 'POST', '/api/v1/auth/sessions', headers, { username, secret });

async function errorOf(r: Response): Promise<{ status: number; code: string | undefined; body: ErrorBody }> {
  const body = (await r.json()) as ErrorBody;
  return { status: r.status, code: body.error?.code, body };
}

beforeAll(async () => {
  store = tempDb('hadir-security-');
  base = openAppServices({
    db: store.db,
    engine: idleEngine,
    pack: getPack(undefined),
    api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
  });
  const counting: SecretHasher = {
    hash: (secret, params) => {
      hashCalls++;
      return hashSecret(secret, params);
    },
    verify: (secret, stored) => {
      hashCalls++;
      return verifySecret(secret, stored);
    },
  };
  const operators = new OperatorService({ db: store.db, scrypt: CHEAP, secrets: counting });
  services = { ...base, operators, sessions: new SessionService({ db: store.db, operators }) };
  token = setupToken.issue();
  direct = await listen({});
  proxied = await listen({ trustedProxies: ['127.0.0.1', '::1'] });
});

afterAll(async () => {
  await direct?.app.close();
  await proxied?.app.close();
  store?.cleanup();
});

describe('first-run setup over HTTP needs the one-time token', () => {
  const pack = () => getPack(undefined).id;

  it('refuses a loopback caller without the token (403), or with a wrong one', async () => {
    for (const headers of [{}, { [SETUP_HEADER]: 'guessed-token' }] as Record<string, string>[]) {
      const r = await call(direct, 'POST', '/api/v1/setup/model-pack', headers, {
        packId: pack(),
        acceptLicense: true,
      });
      expect(await errorOf(r)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      const admin = await call(direct, 'POST', '/api/v1/setup/admin', headers, ADMIN);
      expect(await errorOf(admin)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    // Behind a trusted proxy a local-looking client is no different.
    const viaProxy = await call(proxied, 'POST', '/api/v1/setup/admin', { 'x-forwarded-for': '127.0.0.1' }, ADMIN);
    expect(await errorOf(viaProxy)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(services.operators.repo.countAdmins()).toBe(0);
  });

  it('lets the token holder choose the pack and create the first admin; the token is then spent', async () => {
    const chosen = await call(
      direct,
      'POST',
      '/api/v1/setup/model-pack',
      { [SETUP_HEADER]: token },
      {
        packId: pack(),
        acceptLicense: true,
      },
    );
    expect(chosen.status, await chosen.clone().text()).toBe(200);
    const created = await call(direct, 'POST', '/api/v1/setup/admin', { [SETUP_HEADER]: token }, ADMIN);
    expect(created.status, await created.clone().text()).toBe(200);
    expect(((await created.json()) as Session).role).toBe('admin');
    expect(setupToken.active).toBe(false);
    const again = await call(
      direct,
      'POST',
      '/api/v1/setup/admin',
      { [SETUP_HEADER]: token },
      {
        ...ADMIN,
        username: 'intruder',
      },
    );
    expect(await errorOf(again)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const audit = store.db
      .prepare("SELECT actor_type, actor_id FROM audit_log WHERE action = 'operator.create'")
      .all() as { actor_type: string; actor_id: string }[];
    expect(audit).toEqual([{ actor_type: 'system', actor_id: 'setup' }]);
  });
});

describe('who is local: one decision, forwarding headers included', () => {
  it('a loopback peer without forwarding headers sends kiosk frames keyless', async () => {
    // Let in: the decoder refuses the bytes (415), not the access check (401).
    expect((await errorOf(await frame(direct))).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('a forwarded request from a peer that is not a trusted proxy is remote: refused where remote callers are', async () => {
    for (const headers of [
      { 'x-forwarded-for': '127.0.0.1' } as Record<string, string>,
      { 'x-forwarded-for': '203.0.113.9' },
      { forwarded: 'for=127.0.0.1' },
      { forwarded: 'for="[::1]:4711";proto=http' },
    ]) {
      expect(await errorOf(await frame(direct, headers)), JSON.stringify(headers)).toMatchObject({
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
    // The analysis routes too (keyless only for local clients of a loopback bind).
    const detect = await call(direct, 'POST', '/api/v1/detect', { 'x-forwarded-for': '127.0.0.1' });
    expect(await errorOf(detect)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('behind a trusted proxy the forwarded client is used: the right-most hop the proxy did not write', async () => {
    const remote = await frame(proxied, { 'x-forwarded-for': '203.0.113.9' });
    expect(await errorOf(remote)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    // A client that wrote "127.0.0.1" itself, with the proxy appending its real address.
    const forged = await frame(proxied, { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' });
    expect(await errorOf(forged)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    const forgedRfc = await frame(proxied, { forwarded: 'for=127.0.0.1, for=203.0.113.9' });
    expect(await errorOf(forgedRfc)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    // A browser on the proxy's own machine is local.
    const local = await frame(proxied, { 'x-forwarded-for': '127.0.0.1' });
    expect((await errorOf(local)).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('rate limits follow the forwarded address behind a trusted proxy, and the peer otherwise', async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < BURST; i++) {
      expect((await signIn(proxied, 'x', 'wrong-secret', from('198.51.100.1'))).status).toBe(200);
    }
    expect((await signIn(proxied, 'x', 'wrong-secret', from('198.51.100.1'))).status).toBe(429);
    expect((await signIn(proxied, 'x', 'wrong-secret', from('198.51.100.2'))).status).toBe(200);
    // Without trust, a made-up address buys no fresh bucket: all of these are the loopback peer.
    const statuses: number[] = [];
    for (let i = 0; i <= BURST; i++) {
      statuses.push((await signIn(direct, 'x', 'wrong-secret', from(`192.0.2.${i}`))).status);
    }
    expect(statuses).toEqual([...Array<number>(BURST).fill(200), 429]);
  });
});

describe('sign-in under attack', () => {
  const viaProxy = (ip: string) => ({ 'x-forwarded-for': ip });

  it('answers a flood with 429 before hashing anything', async () => {
    const ip = viaProxy('198.51.100.50');
    const before = hashCalls;
    // A different name each time, so only the throttle (not the per-name back-off) stands in the way.
    for (let i = 0; i < BURST; i++) expect((await signIn(proxied, `name-${i}`, 'wrong-secret', ip)).status).toBe(200);
    expect(hashCalls - before).toBe(BURST);
    const flood = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(proxied, `flood-${i}`, 'wrong-again', ip)),
    );
    expect(new Set(flood.map((r) => r.status))).toEqual(new Set([429]));
    expect((await errorOf(flood[0])).code).toBe('RATE_LIMITED');
    expect(Number(flood[0].headers.get('retry-after'))).toBeGreaterThan(0);
    expect(hashCalls - before).toBe(BURST);
  });

  it('keeps the admin able to sign in from their address while a guesser elsewhere is backed off', async () => {
    const attacker = viaProxy('198.51.100.66');
    const outcomes: SignInOutcome[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(
        (await (await signIn(proxied, ADMIN.username, `guess-${i}-guess`, attacker)).json()) as SignInOutcome,
      );
    }
    // Three free failures, a fourth that starts the wait, then refused unchecked — the right secret too.
    expect(outcomes.map((o) => o.kind)).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'locked']);
    const blocked = (await (await signIn(proxied, ADMIN.username, ADMIN.secret, attacker)).json()) as SignInOutcome;
    expect(blocked.kind).toBe('locked');
    const admin = await signIn(proxied, ADMIN.username, ADMIN.secret, viaProxy('192.0.2.10'));
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as SignInOutcome).kind).toBe('signed_in');
    // And the account is not locked in the database.
    const row = store.db.prepare('SELECT locked_until FROM operators WHERE username = ?').get(ADMIN.username);
    expect(row).toEqual({ locked_until: null });
  });

  it('answers an unknown name and a wrong secret identically (status, body, no attempts count)', async () => {
    const wrong = await signIn(proxied, ADMIN.username, 'not-the-secret', viaProxy('198.51.100.80'));
    const unknown = await signIn(proxied, 'nobody-at-all', 'not-the-secret', viaProxy('198.51.100.81'));
    expect([wrong.status, await wrong.text()]).toEqual([unknown.status, await unknown.text()]);
    expect(wrong.status).toBe(200);
    const body = (await (
      await signIn(proxied, 'nobody-at-all', 'x-x-x-x-x', viaProxy('198.51.100.82'))
    ).json()) as SignInOutcome;
    expect(body).toEqual({ kind: 'invalid', attemptsLeft: null });
  });
});

describe('what a failure tells the client', () => {
  it('answers an internal failure with the code and request id only; the details go to the log', async () => {
    const session = await services.sessions.signIn(ADMIN.username, ADMIN.secret, 'test');
    if (session.kind !== 'signed_in') throw new Error('admin sign-in failed');
    const spy = vi.spyOn(services.operators, 'list').mockImplementationOnce(() => {
      throw new HadirError('INTERNAL', 'cannot open the database /var/lib/hadir/hadir.db: SQLITE_CORRUPT');
    });
    const r = await call(direct, 'GET', '/api/v1/operators', { [SESSION_HEADER]: session.session.token });
    spy.mockRestore();
    const { status, code, body } = await errorOf(r);
    expect({ status, code }).toEqual({ status: 500, code: 'INTERNAL' });
    expect(body.request_id).toMatch(/^[0-9a-f]{16}$/);
    expect(body.error.message).toContain(body.request_id);
    expect(JSON.stringify(body)).not.toMatch(/SQLITE|\/var\/lib|hadir\.db/);
    expect(internalErrors).toContain(body.request_id);
    // A client error keeps its message, and carries the id too.
    const missing = await errorOf(await call(direct, 'GET', '/api/v1/nowhere'));
    expect(missing.body.request_id).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('API keys', () => {
  it('still verify when the database is read-only ("last used" is best effort)', () => {
    const { key, info } = base.keys.create('door tablet', ['read'], SYSTEM);
    const ro = openDb({ file: store.file, readonly: true });
    try {
      expect(new ApiKeyService(ro).verify(key)).toMatchObject({ id: info.id, name: 'door tablet' });
    } finally {
      ro.close();
    }
  });

  it('are named in the audit log by id, not by their (non-unique) name', async () => {
    const { key: first, info } = base.keys.create('HR sync', ['admin'], SYSTEM);
    base.keys.create('HR sync', ['admin'], SYSTEM);
    const r = await call(
      direct,
      'POST',
      '/api/v1/keys',
      { authorization: `Bearer ${first}` },
      {
        name: 'payroll',
        scopes: ['read'],
      },
    );
    expect(r.status, await r.clone().text()).toBe(200);
    const row = store.db
      .prepare("SELECT actor_type, actor_id FROM audit_log WHERE action = 'api_key.create' ORDER BY id DESC LIMIT 1")
      .get();
    expect(row).toEqual({ actor_type: 'api_key', actor_id: String(info.id) });
  });
});
