/**
 * Joining a hub through the kiosk's own HTTP API (what the setup wizard and the settings screen call),
 * against a real hub on PostgreSQL over loopback: who may join, each refusal's status, code and
 * reason, the credential file (0600, never answered), the audit, and a kiosk that syncs the site's
 * people at once, in the same process, without a restart.
 */
import type { FastifyInstance } from 'fastify';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HubJoinResult, HubLinkView, Session, SignInOutcome } from '../src/shared/contract';
import type { ErrorBody } from '../src/shared/http-api';
import type { Actor } from '../src/shared/people';
import { createServer } from '../src/main/api/server';
import { resolveTls } from '../src/main/api/tls';
import { getPack } from '../src/main/engine/manifest';
import type { InferencePool } from '../src/main/engine/pool';
import { addPerson, addTemplates } from '../src/main/hub/people';
import { createPairingCode } from '../src/main/hub/pairing';
import { addSite } from '../src/main/hub/sites';
import { type AppServices, openAppServices } from '../src/main/services/app-services';
import { AuditRepo } from '../src/main/store/audit-repo';
import { ReplicaRepo } from '../src/main/store/replica-repo';
import { SettingsRepo } from '../src/main/store/settings-repo';
import { startTestHub, TEST_ACTOR, TEST_PACK, type TestHub } from '../src/main/testing/postgres-hub';
import { tempDb } from '../src/main/testing/temp-db';
import { credentialPath, readCredential } from '../src/main/sync/credential-file';
import { HubConnection } from '../src/main/sync/hub-connection';

const SITE = 'KANTOR-PUSAT';
const PEOPLE = 12;
const DIM = 16;
const SYSTEM: Actor = { type: 'cli', id: 'test' };
const number = (i: number) => `19850101201001${String(i).padStart(4, '0')}`;

const idleEngine = {
  status: () => ({ liveWorkers: 1, busyWorkers: 0, queueDepth: 0, maxQueue: 8, livenessAvailable: false }),
} as unknown as InferencePool;

function embedding(i: number): Float32Array {
  const e = new Float32Array(DIM);
  for (let k = 0; k < DIM; k++) e[k] = Math.cos(i * 3.1 + k * 0.7) + 0.01 * i;
  const n = Math.hypot(...e);
  return e.map((x) => x / n);
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hasPostgres = inject('pgAdminUrl') !== '';

describe.skipIf(!hasPostgres)('joining a hub through the kiosk’s API', () => {
  let t: TestHub;
  let kiosk: ReturnType<typeof tempDb>;
  let services: AppServices;
  let hub: HubConnection;
  let app: FastifyInstance;
  let url = '';
  let admin: Session;
  let operator: Session;
  let adminKey = '';
  let writeKey = '';
  const logLines: string[] = [];

  const call = async <T>(
    method: string,
    route: string,
    auth: { session?: Session; key?: string },
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }> => {
    const r = await fetch(`${url}${route}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(auth.session ? { 'x-hadir-session': auth.session.token } : {}),
        ...(auth.key ? { authorization: `Bearer ${auth.key}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T, text };
  };
  const signIn = async (username: string, secret: string): Promise<Session> => {
    const r = await call<SignInOutcome>('POST', '/api/v1/auth/sessions', {}, { username, secret });
    if (r.body.kind !== 'signed_in') throw new Error(`sign-in failed: ${r.text}`);
    return r.body.session;
  };
  const pairingCode = async () => (await createPairingCode(t.hub.pool, SITE, TEST_ACTOR)).code;

  beforeAll(async () => {
    t = await startTestHub();
    await addSite(t.hub.pool, { code: SITE, name: 'Kantor Pusat', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    for (let i = 0; i < PEOPLE; i++) {
      await addPerson(t.hub.pool, { employeeNumber: number(i), fullName: `Pegawai ${i}`, homeSite: SITE }, TEST_ACTOR);
      await addTemplates(
        t.hub.pool,
        number(i),
        [{ packId: TEST_PACK, embedding: embedding(i), source: 'import' }],
        TEST_ACTOR,
      );
    }

    kiosk = tempDb('hadir-join-api-');
    new SettingsRepo(kiosk.db).set('activePack', TEST_PACK);
    services = openAppServices({
      db: kiosk.db,
      engine: idleEngine,
      pack: getPack(undefined),
      api: { host: '127.0.0.1', port: 0, legacyRoutes: false },
    });
    await services.operators.create(
      { username: 'admin', displayName: 'Admin', role: 'admin', secret: '472915' },
      SYSTEM,
    );
    await services.operators.create(
      { username: 'petugas', displayName: 'Petugas', role: 'operator', secret: '583026' },
      SYSTEM,
    );
    adminKey = services.keys.create('ops', ['admin'], SYSTEM).key;
    writeKey = services.keys.create('simpeg', ['read', 'write'], SYSTEM).key;
    hub = new HubConnection({ db: kiosk.db, packId: TEST_PACK, log: (line) => logLines.push(line) });
    // As at start-up: a standalone kiosk starts nothing.
    hub.start();
    app = await createServer(
      { engine: idleEngine, pack: getPack(undefined), keys: services.keys, identity: null, services, kiosk: null, hub },
      { host: '127.0.0.1', rateLimit: null, signInRateLimit: null },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    admin = await signIn('admin', '472915');
    operator = await signIn('petugas', '583026');
  }, 300_000);

  afterAll(async () => {
    await hub?.stop();
    await app?.close();
    await t?.close();
    kiosk?.cleanup();
  });

  it('is for admins only: nobody, an operator and a write key are refused', async () => {
    const body = { hubUrl: t.url, code: 'ABCDE-FGHJK' };
    const anonymous = await call<ErrorBody>('POST', '/api/v1/hub/join', {}, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    const op = await call<ErrorBody>('POST', '/api/v1/hub/join', { session: operator }, body);
    expect(op.status).toBe(403);
    expect(op.body.error.code).toBe('FORBIDDEN');
    const key = await call<ErrorBody>('POST', '/api/v1/hub/join', { key: writeKey }, body);
    expect(key.status).toBe(403);
    expect((await call('GET', '/api/v1/hub/link', { session: operator })).status).toBe(403);
    // A standalone kiosk, as an admin (session or key) sees it.
    const link = await call<HubLinkView>('GET', '/api/v1/hub/link', { key: adminKey });
    expect(link.status).toBe(200);
    expect(link.body).toEqual({ joined: false });
  });

  it('refuses a wrong code, an unreachable hub and a certificate that is not the given one, each with its code', async () => {
    const wrong = await call<ErrorBody>(
      'POST',
      '/api/v1/hub/join',
      { session: admin },
      { hubUrl: t.url, code: 'ABCDE-FGHJK' },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'BAD_REQUEST', reason: 'hub_code_rejected' });

    const away = await call<ErrorBody>(
      'POST',
      '/api/v1/hub/join',
      { session: admin },
      { hubUrl: 'http://127.0.0.1:9', code: await pairingCode() },
    );
    expect(away.status).toBe(502);
    expect(away.body.error).toMatchObject({ code: 'HUB_UNREACHABLE', reason: 'hub_unreachable' });

    // Something else answering https at the address: its certificate is not the fingerprint given.
    const certDir = await mkdtemp(path.join(os.tmpdir(), 'hadir-join-tls-'));
    const tls = (await resolveTls({ mode: 'self-signed' }, { dataDir: certDir, names: ['127.0.0.1'] }))!;
    const impostor = https.createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const other = tls.fingerprint256.replace(/^../, tls.fingerprint256.startsWith('00') ? '11' : '00');
      const port = (impostor.address() as AddressInfo).port;
      const pinned = await call<ErrorBody>(
        'POST',
        '/api/v1/hub/join',
        { session: admin },
        { hubUrl: `https://127.0.0.1:${port}`, code: await pairingCode(), fingerprint: other },
      );
      expect(pinned.status).toBe(400);
      expect(pinned.body.error).toMatchObject({ code: 'BAD_REQUEST', reason: 'hub_fingerprint_mismatch' });
    } finally {
      impostor.close();
      await rm(certDir, { recursive: true, force: true });
    }

    // A malformed request never reaches the hub.
    const bad = await call<ErrorBody>('POST', '/api/v1/hub/join', { session: admin }, { hubUrl: 'hub', code: 'X' });
    expect(bad.status).toBe(400);
    expect(readCredential(kiosk.dir)).toBeNull();
    expect((await call<HubLinkView>('GET', '/api/v1/hub/link', { session: admin })).body).toEqual({ joined: false });
  });

  it('joins with a code: the credential in its 0600 file only, audited, and the site’s people arrive without a restart', async () => {
    const code = await pairingCode();
    const r = await call<HubJoinResult>(
      'POST',
      '/api/v1/hub/join',
      { session: admin },
      { hubUrl: `${t.url}/`, code, existing: 'keep', name: 'Pintu depan' },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.body.link).toMatchObject({ joined: true, hub_url: t.url, site: { code: SITE, name: 'Kantor Pusat' } });
    expect(r.body.localPeople).toEqual({ count: 0, choice: 'keep' });
    expect(r.body.pinnedFingerprint).toBeNull();

    const credential = readCredential(kiosk.dir)!;
    expect(credential.device_id).toBe(r.body.link.device_id);
    expect(statSync(credentialPath(kiosk.dir)).mode & 0o777).toBe(0o600);
    // Never answered, never logged.
    expect(r.text).not.toContain(credential.credential);
    expect(logLines.join('\n')).not.toContain(credential.credential);

    const audit = new AuditRepo(kiosk.db).list({ action: 'hub.join' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'operator', actor_id: 'admin', target_id: r.body.link.device_id });
    expect(JSON.stringify(audit[0].details)).not.toContain(credential.credential);

    // The sync service of this process started at the join: the replica fills while nobody restarts anything.
    const replica = new ReplicaRepo(kiosk.db);
    await waitFor('the site’s people', () => replica.replicatedCount() === PEOPLE);
    await waitFor('the link to be online', () => (hub.view() as { state?: string }).state === 'online');
    const link = await call<HubLinkView>('GET', '/api/v1/hub/link', { session: admin });
    expect(link.body).toMatchObject({ joined: true, state: 'online', offline_since: null, site: { code: SITE } });
    expect(link.text).not.toContain(credential.credential);
    // The hub lists the device under the name given.
    const { rows } = await t.hub.pool.query('SELECT name FROM devices WHERE id = $1', [credential.device_id]);
    expect(rows[0]?.name).toBe('Pintu depan');
  });

  it('refuses a second join with 409, keeping the link it has', async () => {
    const again = await call<ErrorBody>(
      'POST',
      '/api/v1/hub/join',
      { key: adminKey },
      { hubUrl: t.url, code: await pairingCode() },
    );
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', reason: 'hub_already_joined' });
    expect(new AuditRepo(kiosk.db).list({ action: 'hub.join' })).toHaveLength(1);
  });
});
