import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PairingCodeView } from '../src/shared/hub-admin';
import { createApiKey } from '../src/main/hub/access';
import { createPairingCode } from '../src/main/hub/pairing';
import { addSite } from '../src/main/hub/sites';
import { TEST_ACTOR, TEST_PACK, startTestHub, type TestHub } from '../src/main/testing/postgres-hub';
import { tempDb } from '../src/main/testing/temp-db';
import { readCredential } from '../src/main/sync/credential-file';
import { probeHubCertificate } from '../src/main/sync/hub-certificate';
import { HubClient } from '../src/main/sync/hub-client';
import { joinHub } from '../src/main/sync/join';

/**
 * A hub over TLS with a self-signed certificate (what `hadir hub serve --tls-self-signed` runs): the
 * kiosk pins the certificate at join and talks to that certificate only. A wrong pin sends nothing —
 * shown by the pairing code, which stays unused after a refused join.
 */
describe('TLS certificate pinning between kiosk and hub', () => {
  let t: TestHub;
  let certDir: string;
  let fingerprint: string;
  const kiosks: ReturnType<typeof tempDb>[] = [];

  const kiosk = () => {
    const k = tempDb('hadir-pin-');
    kiosks.push(k);
    return k;
  };
  const join = (k: ReturnType<typeof tempDb>, code: string, pin?: string) =>
    joinHub({ db: k.db, dataDir: k.dir, hubUrl: t.url, code, packId: TEST_PACK, name: 'door', fingerprint: pin });

  beforeAll(async () => {
    certDir = await mkdtemp(path.join(os.tmpdir(), 'hadir-hub-tls-'));
    t = await startTestHub({
      face: {
        server: { tls: { mode: 'self-signed' }, rateLimit: null },
        dataDir: certDir,
        pool: { workers: 1, intraOpNumThreads: 1 },
      },
    });
    await addSite(t.hub.pool, { code: 'JKT', name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    fingerprint = (await probeHubCertificate(t.url)).fingerprint;
  }, 300_000);

  afterAll(async () => {
    await t?.close();
    for (const k of kiosks) k.cleanup();
    await rm(certDir, { recursive: true, force: true });
  });

  it('serves https with a certificate the system does not vouch for', async () => {
    expect(t.url.startsWith('https://')).toBe(true);
    const seen = await probeHubCertificate(t.url);
    expect(seen.trusted).toBe(false);
    expect(seen.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('a join with the wrong pin is refused before anything is sent: the code stays usable', async () => {
    const { code } = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    const k = kiosk();
    const refused = await join(k, code, wrong);
    // Told apart from an unreachable hub: the certificate is looked at before the code is sent.
    expect(refused).toMatchObject({ ok: false, reason: 'FINGERPRINT_MISMATCH' });
    expect(refused.ok ? '' : refused.message).toContain(`presents a certificate with fingerprint ${fingerprint}`);
    expect(readCredential(k.dir)).toBeNull();

    const { rows } = await t.hub.pool.query('SELECT used_at FROM pairing_codes');
    expect(rows.every((r: { used_at: Date | null }) => r.used_at === null)).toBe(true);
    // The same code, the right pin (given in lower case without colons: any spelling): joined.
    const ok = await join(k, code, fingerprint.replace(/:/g, '').toLowerCase());
    expect(ok.ok).toBe(true);
    expect(ok.ok && ok.pinnedOnFirstUse).toBeNull();
    expect(readCredential(k.dir)?.fingerprint).toBe(fingerprint.replace(/:/g, '').toLowerCase());
  });

  it('a join without a pin pins the certificate it sees, and later requests need that certificate', async () => {
    const { code } = await createPairingCode(t.hub.pool, 'JKT', TEST_ACTOR);
    const k = kiosk();
    const out = await join(k, code);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.pinnedOnFirstUse).toBe(fingerprint);
    const cred = readCredential(k.dir)!;
    expect(cred.fingerprint).toBe(fingerprint);

    const pinned = new HubClient({ hubUrl: cred.hub_url, credential: cred.credential, fingerprint: cred.fingerprint });
    const page = await pinned.changes({ cursor: null, wait: 0 });
    expect(page.ok).toBe(true);
    pinned.close();

    // Without the pin the system's CAs refuse the hub; with another certificate's pin nothing is sent.
    const unpinned = new HubClient({ hubUrl: cred.hub_url, credential: cred.credential });
    const refused = await unpinned.changes({ cursor: null, wait: 0 });
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'unreachable' } });
    unpinned.close();
    const impostor = new HubClient({
      hubUrl: cred.hub_url,
      credential: cred.credential,
      fingerprint: 'AA:'.repeat(31) + 'AA',
    });
    const r = await impostor.changes({ cursor: null, wait: 0 });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'unreachable' } });
    expect(!r.ok && r.failure.kind === 'unreachable' ? r.failure.message : '').toContain('not the pinned one');
    impostor.close();
  });

  it('the console’s pairing code carries the certificate to pin, and a join with it succeeds', async () => {
    const { key } = await createApiKey(t.hub.pool, 'it', ['admin'], TEST_ACTOR);
    const url = new URL(`${t.url}/api/v1/hub/sites/JKT/pairing-codes`);
    // The test looks at the certificate itself: it is the one being handed out for pinning.
    const made = await new Promise<PairingCodeView>((resolve, reject) => {
      const req = https.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', rejectUnauthorized: false },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(text))));
        },
      );
      req.setHeader('authorization', `Bearer ${key}`);
      req.on('error', reject);
      req.end();
    });
    expect(made.fingerprint).toBe(fingerprint);
    expect(new URL(made.qr_text).searchParams.get('fingerprint')).toBe(fingerprint);
    const k = kiosk();
    const out = await join(k, made.code, made.fingerprint!);
    expect(out).toMatchObject({ ok: true, pinnedOnFirstUse: null });
    expect(readCredential(k.dir)?.fingerprint).toBe(fingerprint);
  });

  it('an https URL where nothing listens is UNREACHABLE, with no credential written', async () => {
    const k = kiosk();
    const out = await joinHub({
      db: k.db,
      dataDir: k.dir,
      hubUrl: 'https://127.0.0.1:9',
      code: 'ABCD-EFGH',
      packId: TEST_PACK,
      name: 'door',
    });
    expect(out).toMatchObject({ ok: false, reason: 'UNREACHABLE' });
    expect(readCredential(k.dir)).toBeNull();
  });
});
