/**
 * People enrolled at a joined kiosk go to the hub, exactly once: a real hub (PostgreSQL, HTTP on
 * loopback), real kiosk SQLite files, the kiosk's own enrollment (synthetic face samples through the
 * face service) and its sync service. Checked on both sides: the hub's person, templates, consent and
 * audit; the other kiosk of the site; the enrolling kiosk holding the person once, each template once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../src/shared/people';
import type { EnrollmentUploadResponse } from '../src/shared/sync-protocol';
import { getPack } from '../src/main/engine/manifest';
import { addPerson } from '../src/main/hub/people';
import { createPairingCode } from '../src/main/hub/pairing';
import { type RunningHub, startHub } from '../src/main/hub/server';
import { addSite } from '../src/main/hub/sites';
import type { FaceAnalyzer } from '../src/main/services/analyzer';
import { FaceService } from '../src/main/services/face-service';
import { readHubStatus } from '../src/main/services/hub-status';
import { type Db, openDb } from '../src/main/store/db';
import { HubUploadsRepo } from '../src/main/store/hub-uploads-repo';
import { SettingsRepo } from '../src/main/store/settings-repo';
import { Backoff } from '../src/main/sync/backoff';
import { readCredential } from '../src/main/sync/credential-file';
import { joinHub } from '../src/main/sync/join';
import { SyncService } from '../src/main/sync/sync-service';
import { Uploader } from '../src/main/sync/uploader';
import { repoRoot } from '../src/main/testing/paths';
import { hubFetch, startTestHub, TEST_ACTOR, type TestHub, testHubKeyring } from '../src/main/testing/postgres-hub';
import { syntheticFace, syntheticSample } from '../src/main/testing/synthetic-enrollment';
import { nearby, randomUnitVectors } from '../src/main/testing/synthetic-faces';

const PACK = 'mbf-y1';
const SITE = 'JKT';
const OTHER = 'BDG';
const actor: Actor = { type: 'operator', id: 'siti' };
const noModels: FaceAnalyzer = {
  pack: getPack(PACK),
  analyzeImage: () => Promise.reject(new Error('no models here')),
};
const FACES = randomUnitVectors(64, 128, 4242);

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Kiosk {
  dir: string;
  file: string;
  db: Db;
  faces: FaceService;
  uploads: HubUploadsRepo;
  deviceId: string;
}

const hasPostgres = inject('pgAdminUrl') !== '';

describe.skipIf(!hasPostgres)('enrollment at a joined kiosk reaches the hub', () => {
  let t: TestHub;
  let hub: RunningHub;
  const kiosks: Kiosk[] = [];
  const services: SyncService[] = [];

  beforeAll(async () => {
    t = await startTestHub();
    hub = t.hub;
    await addSite(hub.pool, { code: SITE, name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addSite(hub.pool, { code: OTHER, name: 'Bandung', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addPerson(hub.pool, { employeeNumber: 'BDG-1', fullName: 'Orang Bandung', homeSite: OTHER }, TEST_ACTOR);
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    for (const k of kiosks) {
      k.db.close();
      rmSync(k.dir, { recursive: true, force: true });
    }
    if (hub !== t?.hub) await hub?.close();
    await t?.close();
  });

  function openKiosk(): Omit<Kiosk, 'deviceId'> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-kiosk-'));
    const file = path.join(dir, 'hadir.db');
    const db = openDb({ file });
    new SettingsRepo(db).set('activePack', PACK);
    return { dir, file, db, faces: FaceService.open({ db, analyzer: noModels }), uploads: new HubUploadsRepo(db) };
  }

  async function join(k: Omit<Kiosk, 'deviceId'>): Promise<Kiosk> {
    const { code } = await createPairingCode(hub.pool, SITE, TEST_ACTOR);
    const r = await joinHub({ db: k.db, dataDir: k.dir, hubUrl: t.url, code, packId: PACK, name: 'Loket' });
    if (!r.ok) throw new Error(r.message);
    const joined = { ...k, deviceId: r.response.device_id };
    kiosks.push(joined);
    return joined;
  }

  function syncOf(k: Kiosk): SyncService {
    const s = new SyncService({
      db: k.db,
      credential: readCredential(k.dir)!,
      packId: PACK,
      backoff: () => new Backoff({ initialMs: 50, maxMs: 300 }),
      outboxPollMs: 100,
    });
    services.push(s);
    return s;
  }

  let nextFace = 0;
  function enroll(k: Omit<Kiosk, 'deviceId'>, employeeNumber: string) {
    const face = FACES[nextFace++];
    const r = k.faces.enroll({
      person: { employeeNumber, fullName: `Pegawai ${employeeNumber}`, unit: 'Keuangan' },
      samples: [1, 2, 3].map((i) => syntheticSample(syntheticFace(nearby(face, 0.85, nextFace * 10 + i)))),
      consent: { method: 'signed form' },
      actor,
    });
    if (!r.ok) throw new Error(r.refusal.message);
    return r.person;
  }

  /** The kiosk's rows of a person: how many, and their templates' hub ids (null: local only). */
  function local(k: Kiosk, employeeNumber: string) {
    const rows = k.db.prepare('SELECT id, hub_id FROM people WHERE employee_number = ?').all(employeeNumber) as {
      id: number;
      hub_id: string | null;
    }[];
    const templates = rows.length
      ? (k.db.prepare('SELECT hub_id FROM face_templates WHERE person_id = ? ORDER BY id').pluck().all(rows[0].id) as (
          string | null
        )[])
      : [];
    return { rows, templates };
  }

  async function atHub(employeeNumber: string) {
    const p = await hub.pool.query(
      `SELECT p.id, p.hub_id, s.code AS site,
              (SELECT count(*)::int FROM consents c WHERE c.person_id = p.id) AS consents,
              (SELECT array_agg(t.hub_id ORDER BY t.hub_id) FROM face_templates t WHERE t.person_id = p.id) AS templates,
              (SELECT count(*)::int FROM face_templates t WHERE t.person_id = p.id AND t.key_id IS NULL) AS unsealed
         FROM people p JOIN sites s ON s.id = p.home_site_id WHERE p.employee_number = $1`,
      [employeeNumber],
    );
    return p.rows as {
      id: number;
      hub_id: string;
      site: string;
      consents: number;
      templates: string[] | null;
      unsealed: number;
    }[];
  }

  let a: Kiosk;
  let b: Kiosk;

  it('goes up once, reaches the other kiosk of the site, and stays once at the kiosk with the hub ids', async () => {
    const first = openKiosk();
    enroll(first, 'PRE-1'); // before the join: stays local, as documented
    a = await join(first);
    b = await join(openKiosk());
    const p = enroll(a, 'NEW-1');
    expect(readHubStatus(a.db)).toMatchObject({ uploads_pending: 1 });

    const syncA = syncOf(a);
    const syncB = syncOf(b);
    syncA.start();
    syncB.start();
    await waitFor('the upload', () => a.uploads.forPerson(p.id)[0]?.state === 'done');
    const [h] = await atHub('NEW-1');
    expect(h).toMatchObject({ site: SITE, consents: 1, unsealed: 0 });
    expect(h.templates).toHaveLength(3);
    const audit = await hub.pool.query("SELECT actor_type, actor_id, action FROM audit_log WHERE target_id = 'NEW-1'");
    expect(audit.rows).toEqual([{ actor_type: 'kiosk', actor_id: a.deviceId, action: 'person.enroll' }]);
    expect(await atHub('PRE-1')).toEqual([]);

    await waitFor('the other kiosk to receive them', () => local(b, 'NEW-1').templates.length === 3);
    expect(local(b, 'NEW-1').rows[0].hub_id).toBe(h.hub_id);
    expect([...local(b, 'NEW-1').templates].sort()).toEqual(h.templates);

    // The change comes back to the enrolling kiosk too: nothing doubled, nothing lost.
    await syncA.stop();
    expect(await syncOf(a).pullUntilCaughtUp()).toBeNull();
    const mine = local(a, 'NEW-1');
    expect(mine.rows).toEqual([{ id: p.id, hub_id: h.hub_id }]);
    expect([...mine.templates].sort()).toEqual(h.templates);
    expect(local(a, 'PRE-1').rows[0].hub_id).toBeNull();
    expect(readHubStatus(a.db)).toMatchObject({ uploads_pending: 0, uploads_refused: 0 });
  });

  it("a lost answer: the replica brings the person back first, the retry's same answer leaves each template once", async () => {
    const p = enroll(a, 'NEW-2');
    const pending = a.uploads.oldestPending()!;
    const sync = syncOf(a);
    const body = new Uploader({ db: a.db, client: sync.client }).requestFor(pending)!;
    // Delivered, but the kiosk never heard (killed after the hub's commit): twice, the same answer.
    const token = readCredential(a.dir)!.credential;
    const sent = await hubFetch<EnrollmentUploadResponse>(t.url, 'POST', '/api/v1/sync/enrollments', { token, body });
    const again = await hubFetch<EnrollmentUploadResponse>(t.url, 'POST', '/api/v1/sync/enrollments', { token, body });
    expect(sent.status).toBe(200);
    expect(again.body.templates).toEqual(sent.body.templates);
    expect(again.body.hub_id).toBe(sent.body.hub_id);

    expect(await sync.pullUntilCaughtUp()).toBeNull();
    // Adopted by its number, with the hub's copies beside the local originals.
    expect(local(a, 'NEW-2').rows).toEqual([{ id: p.id, hub_id: sent.body.hub_id }]);
    expect(local(a, 'NEW-2').templates.filter((x) => x === null)).toHaveLength(3);
    expect(local(a, 'NEW-2').templates).toHaveLength(6);

    expect(await sync.pushAll()).toBeNull();
    expect(a.uploads.forPerson(p.id).map((u) => u.state)).toEqual(['done']);
    const [h] = await atHub('NEW-2');
    expect(await atHub('NEW-2')).toHaveLength(1);
    expect(h.templates).toHaveLength(3);
    expect([...local(a, 'NEW-2').templates].sort()).toEqual(h.templates);
    // Local originals kept (they are the ones with the ids the answer named).
    const ids = a.db.prepare('SELECT id FROM face_templates WHERE person_id = ? ORDER BY id').pluck().all(p.id);
    expect(ids).toEqual(pending.template_ids);
    expect(await sync.pullUntilCaughtUp()).toBeNull();
    expect(local(a, 'NEW-2').templates).toHaveLength(3);
  });

  it('with the hub down the upload waits, then goes when it is back', async () => {
    const sync = syncOf(a);
    sync.start();
    const port = Number(new URL(t.url).port);
    await hub.close();
    const p = enroll(a, 'NEW-3');
    await waitFor('a failed try', () => (a.uploads.forPerson(p.id)[0]?.attempts ?? 0) >= 1);
    expect(a.uploads.forPerson(p.id)[0].state).toBe('pending');
    expect(readHubStatus(a.db)).toMatchObject({ state: 'offline', uploads_pending: 1 });
    hub = await startHub({ databaseUrl: t.db.url, config: { port }, poolMax: 5, keyring: testHubKeyring() });
    await waitFor('the upload after the restart', () => a.uploads.forPerson(p.id)[0]?.state === 'done');
    const [h] = await atHub('NEW-3');
    expect(h.templates).toHaveLength(3);
    expect(readHubStatus(a.db)).toMatchObject({ uploads_pending: 0 });
    await sync.stop();
  });

  it("another site's employee number is refused: kept local, and the status says why", async () => {
    const p = enroll(a, 'BDG-1');
    expect(await syncOf(a).pushAll()).toBeNull();
    expect(a.uploads.forPerson(p.id)).toMatchObject([{ state: 'refused' }]);
    expect(local(a, 'BDG-1').rows[0].hub_id).toBeNull();
    expect(local(a, 'BDG-1').templates).toEqual([null, null, null]);
    const status = readHubStatus(a.db)!;
    expect(status).toMatchObject({ uploads_refused: 1, uploads_pending: 0 });
    expect(status.last_upload_refusal!.reason).toMatch(/another site/);
    const [h] = await atHub('BDG-1');
    expect(h.templates).toBeNull();
  });

  it('a kiosk process killed with SIGKILL while uploading loses and doubles nothing', async () => {
    const numbers = Array.from({ length: 24 }, (_, i) => `KILL-${i}`);
    for (const n of numbers) enroll(a, n);
    const doneCount = () =>
      a.db.prepare("SELECT count(*) FROM hub_uploads WHERE state = 'done'").pluck().get() as number;
    const before = doneCount();
    const done = () => doneCount() - before;
    const first = startChild(a.file);
    await waitFor('a first upload', () => done() > 0);
    await killHard(first);
    const second = startChild(a.file);
    try {
      await waitFor('every upload', () => done() === numbers.length);
    } finally {
      await killHard(second);
    }
    expect(await syncOf(a).pullUntilCaughtUp()).toBeNull();
    for (const n of numbers) {
      const h = await atHub(n);
      expect(h).toHaveLength(1);
      expect(h[0].templates).toHaveLength(3);
      const mine = local(a, n);
      expect(mine.rows).toEqual([{ id: mine.rows[0].id, hub_id: h[0].hub_id }]);
      expect([...mine.templates].sort()).toEqual(h[0].templates);
    }
    expect(a.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

function startChild(dbFile: string): ChildProcess {
  return spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/run-ts.mjs'), path.join(repoRoot, 'src/main/testing/kiosk-sync-child.ts'), dbFile],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}
