import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../testing/http-client';
import {
  getChanges,
  hubFetch,
  joinWithCode,
  pairKiosk,
  startTestHub,
  TEST_ACTOR,
  type TestHub,
} from '../testing/postgres-hub';
import { createPairingCode, formatPairingCode, normalizePairingCode, revokeDevice, sha256Hex } from './pairing';
import { addSite } from './sites';

describe('pairing a kiosk with the hub', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
    await addSite(t.hub.pool, { code: 'JKT', name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a good code gives a credential, stored only as its hash, and the site', async () => {
    const { code, expires_at } = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    const ttl = Date.parse(expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000 + 2000);

    // Case and dashes do not matter.
    const r = await joinWithCode(t.url, code.toLowerCase().replace('-', ''));
    expect(r.status).toBe(200);
    expect(r.body.credential).toMatch(/^hdv1_[A-Za-z0-9_-]{43}$/);
    expect(r.body.site).toEqual({
      code: 'JKT',
      name: 'Jakarta',
      time_zone: 'Asia/Jakarta',
      schedule: null,
      holidays: [],
    });
    expect(r.body.hub_id).toBe(t.hub.meta.hubId);
    expect(Math.abs(Date.parse(r.body.server_time) - Date.now())).toBeLessThan(5000);

    const rows = await t.hub.pool.query('SELECT credential_hash, site_id, pack_id FROM devices WHERE id = $1', [
      r.body.device_id,
    ]);
    expect(rows.rows[0].credential_hash).toBe(sha256Hex(r.body.credential));
    const all = await t.hub.pool.query("SELECT count(*) AS n FROM devices WHERE credential_hash LIKE 'hdv1_%'");
    expect(all.rows[0].n).toBe(0);

    const page = await getChanges(t.url, r.body.credential);
    expect(page.status).toBe(200);
  });

  it('wrong, expired and used codes all get the same 404', async () => {
    const wrong = await joinWithCode(t.url, 'ABCDE-FGHJK');
    const malformed = await joinWithCode(t.url, 'not a code');

    const expired = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    await t.hub.pool.query("UPDATE pairing_codes SET expires_at = now() - interval '1 second' WHERE code_hash = $1", [
      sha256Hex(normalizePairingCode(expired.code)!),
    ]);
    const late = await joinWithCode(t.url, expired.code);

    const once = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    expect((await joinWithCode(t.url, once.code)).status).toBe(200);
    const reused = await joinWithCode(t.url, once.code);

    for (const r of [wrong, malformed, late, reused]) {
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ error: { code: 'NOT_FOUND', message: 'unknown, used or expired pairing code' } });
      expect(r.body).toMatchObject({ request_id: expect.any(String), server_time: expect.any(String) });
    }
  });

  it('two kiosks racing with one code: exactly one joins', async () => {
    const { code } = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    const answers = await Promise.all(Array.from({ length: 5 }, () => joinWithCode(t.url, code)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404, 404, 404]);
  });

  it('a revoked device is refused at its next request with DEVICE_REVOKED', async () => {
    const kiosk = await pairKiosk(t, 'JKT');
    expect((await getChanges(t.url, kiosk.credential)).status).toBe(200);
    await revokeDevice(t.hub.pool, kiosk.device_id, TEST_ACTOR);
    const r = await getChanges(t.url, kiosk.credential);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: { code: 'UNAUTHORIZED', reason: 'DEVICE_REVOKED' } });
    const push = await hubFetch(t.url, 'POST', '/api/v1/sync/events', {
      token: kiosk.credential,
      body: { events: [] },
    });
    expect(push.status).toBe(401);
    expect(push.body).toMatchObject({ error: { reason: 'DEVICE_REVOKED' } });
  });

  it('no credential or an unknown one is 401 without a reason', async () => {
    for (const token of [undefined, 'hdv1_nonsense']) {
      const r = await hubFetch<{ error: { code: string; reason?: string } }>(t.url, 'GET', '/api/v1/sync/changes', {
        token,
      });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHORIZED');
      expect(r.body.error.reason).toBeUndefined();
    }
  });

  it('a malformed join body and another protocol version are 400', async () => {
    const { code } = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    const missing = await hubFetch(t.url, 'POST', '/api/v1/sync/join', { body: { code } });
    expect(missing.status).toBe(400);
    const v2 = await hubFetch(t.url, 'POST', '/api/v1/sync/join', {
      body: { code, name: 'x', app_version: '9', pack_id: 'p', protocol: 2 },
    });
    expect(v2.status).toBe(400);
    expect(v2.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    // The refused attempt did not use the code up.
    expect((await joinWithCode(t.url, code)).status).toBe(200);
  });

  it('pairing attempts are rate-limited per address', async () => {
    const strict = await startTestHub({ config: { joinRateLimit: { perSecond: 0.01, burst: 3 } } });
    try {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await joinWithCode(strict.url, formatPairingCode('ABCDEFGHJK')));
      expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 429, 429]);
      expect(answers[4].body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(Number(answers[4].headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await strict.close();
    }
  });

  it('a Host name the hub does not answer for is refused (DNS rebinding)', async () => {
    const r = await rawRequest(`${t.url}/api/v1/sync/changes`, { headers: { host: 'evil.example:5020' } });
    expect(r.status).toBe(421);
    expect(r.json()).toMatchObject({ error: { code: 'MISDIRECTED_REQUEST' } });
  });
});
