/**
 * People enrolled at a kiosk before it joined a hub: the operator's choice to upload them or keep them
 * local (`hadir join --upload-existing | --keep-local`, the question on a terminal, `hadir people
 * upload-to-hub` later). A real hub (PostgreSQL, HTTP on loopback), real kiosk SQLite files, people
 * enrolled through the kiosk's own face service; checked on both sides: each uploaded person once at
 * the hub at the kiosk's site, linked at the kiosk, nobody queued twice, nothing uploaded when kept.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../src/shared/people';
import { getPack } from '../src/main/engine/manifest';
import { addPerson } from '../src/main/hub/people';
import { createPairingCode } from '../src/main/hub/pairing';
import { addSite } from '../src/main/hub/sites';
import type { FaceAnalyzer } from '../src/main/services/analyzer';
import { FaceService } from '../src/main/services/face-service';
import { readHubStatus } from '../src/main/services/hub-status';
import { localPeopleToOffer, offerLocalPeople } from '../src/main/services/hub-uploads';
import { type Db, openDb } from '../src/main/store/db';
import { PeopleRepo } from '../src/main/store/people-repo';
import { SettingsRepo } from '../src/main/store/settings-repo';
import { readCredential } from '../src/main/sync/credential-file';
import { joinHub } from '../src/main/sync/join';
import { SyncService } from '../src/main/sync/sync-service';
import { repoRoot } from '../src/main/testing/paths';
import { startTestHub, TEST_ACTOR, type TestHub } from '../src/main/testing/postgres-hub';
import { type CliResult, runHadir } from '../src/main/testing/run-cli';
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
const FACES = randomUnitVectors(64, 128, 7373);
/** `script` gives the command a terminal (util-linux); without it the question is not tested. */
const hasScript = spawnSync('script', ['--version']).status === 0;

const hasPostgres = inject('pgAdminUrl') !== '';

describe.skipIf(!hasPostgres)('people enrolled before the join: uploaded or kept, as the operator chooses', () => {
  let t: TestHub;
  const dirs: string[] = [];

  beforeAll(async () => {
    t = await startTestHub();
    await addSite(t.hub.pool, { code: SITE, name: 'Jakarta', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addSite(t.hub.pool, { code: OTHER, name: 'Bandung', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'BDG-1', fullName: 'Orang Bandung', homeSite: OTHER }, TEST_ACTOR);
    await addPerson(t.hub.pool, { employeeNumber: 'JKT-1', fullName: 'Orang Jakarta', homeSite: SITE }, TEST_ACTOR);
  });
  afterAll(async () => {
    await t?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const pairingCode = async () => (await createPairingCode(t.hub.pool, SITE, TEST_ACTOR)).code;

  /** A standalone kiosk's folder with people enrolled in it (the database closed again). */
  let nextFace = 0;
  function standaloneKiosk(numbers: string[]): { dir: string; file: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-kiosk-'));
    dirs.push(dir);
    const file = path.join(dir, 'hadir.db');
    const db = openDb({ file });
    new SettingsRepo(db).set('activePack', PACK);
    const faces = FaceService.open({ db, analyzer: noModels });
    for (const n of numbers) enroll(faces, n);
    db.close();
    return { dir, file };
  }

  function enroll(faces: FaceService, employeeNumber: string) {
    const face = FACES[nextFace++];
    const r = faces.enroll({
      person: { employeeNumber, fullName: `Pegawai ${employeeNumber}`, unit: 'Keuangan' },
      samples: [1, 2, 3].map((i) => syntheticSample(syntheticFace(nearby(face, 0.85, nextFace * 10 + i)))),
      consent: { method: 'signed form' },
      actor,
    });
    if (!r.ok) throw new Error(r.refusal.message);
    return r.person;
  }

  async function atHub(employeeNumber: string) {
    const p = await t.hub.pool.query(
      `SELECT p.hub_id, s.code AS site,
              (SELECT count(*)::int FROM consents c WHERE c.person_id = p.id) AS consents,
              (SELECT count(*)::int FROM face_templates t WHERE t.person_id = p.id) AS templates
         FROM people p JOIN sites s ON s.id = p.home_site_id WHERE p.employee_number = $1`,
      [employeeNumber],
    );
    return p.rows as { hub_id: string; site: string; consents: number; templates: number }[];
  }

  /** The kiosk's rows of a person, with their templates' hub ids (null: local only). */
  function local(db: Db, employeeNumber: string) {
    const rows = db.prepare('SELECT id, hub_id FROM people WHERE employee_number = ?').all(employeeNumber) as {
      id: number;
      hub_id: string | null;
    }[];
    const templates = rows.length
      ? (db.prepare('SELECT hub_id FROM face_templates WHERE person_id = ? ORDER BY id').pluck().all(rows[0].id) as (
          string | null
        )[])
      : [];
    return { rows, templates };
  }

  const uploadRows = (db: Db) => db.prepare('SELECT count(*) FROM hub_uploads').pluck().get() as number;

  it('uploads the chosen people once, links them, and leaves the refused one local with the reason', async () => {
    const k = standaloneKiosk(['PRE-1', 'PRE-2', 'BDG-1', 'JKT-1', 'GONE-1']);
    const db = openDb({ file: k.file });
    try {
      const people = new PeopleRepo(db);
      people.create({ employeeNumber: 'NOFACE-1', fullName: 'Tanpa Wajah' }); // nothing to upload
      const gone = people.getByEmployeeNumber('GONE-1')!;
      db.prepare('UPDATE people SET active = 0 WHERE id = ?').run(gone.id); // left: stays local
      // Not joined: nothing can be queued, and nothing is.
      expect(offerLocalPeople(db, { packId: PACK, actor })).toMatchObject({ ok: false, code: 'NOT_JOINED' });
      expect(uploadRows(db)).toBe(0);

      const joined = await joinHub({
        db,
        dataDir: k.dir,
        hubUrl: t.url,
        code: await pairingCode(),
        packId: PACK,
        name: 'Loket',
      });
      if (!joined.ok) throw new Error(joined.message);
      const sync = new SyncService({ db, credential: readCredential(k.dir)!, packId: PACK });
      try {
        expect(await sync.pullUntilCaughtUp()).toBeNull();
        // JKT-1 is the hub's (same number, this site): linked by the pull, not offered.
        expect(local(db, 'JKT-1').rows[0].hub_id).not.toBeNull();
        expect(localPeopleToOffer(db, PACK)).toBe(3);

        const first = offerLocalPeople(db, { packId: PACK, actor });
        expect(first).toMatchObject({ ok: true, queued: 3 });
        expect(offerLocalPeople(db, { packId: PACK, actor })).toEqual({ ok: true, queued: 0, personIds: [] });
        expect(uploadRows(db)).toBe(3);
        const audited = db
          .prepare("SELECT count(*) FROM audit_log WHERE action = 'person.offer_to_hub' AND actor_id = 'siti'")
          .pluck()
          .get();
        expect(audited).toBe(3);

        expect(await sync.pushAll()).toBeNull();
        for (const n of ['PRE-1', 'PRE-2']) {
          const h = await atHub(n);
          expect(h).toEqual([{ hub_id: expect.any(String), site: SITE, consents: 1, templates: 3 }]);
          expect(local(db, n).rows[0].hub_id).toBe(h[0].hub_id);
          expect(local(db, n).templates.every((x) => x !== null)).toBe(true);
        }
        // Another site's employee number: refused, stays local, the status says why.
        expect(local(db, 'BDG-1').rows[0].hub_id).toBeNull();
        expect((await atHub('BDG-1'))[0].templates).toBe(0);
        const status = readHubStatus(db)!;
        expect(status).toMatchObject({ uploads_pending: 0, uploads_refused: 1 });
        expect(status.last_upload_refusal!.reason).toMatch(/another site/);

        // The change comes back: still one row each, each template once.
        expect(await sync.pullUntilCaughtUp()).toBeNull();
        for (const n of ['PRE-1', 'PRE-2']) {
          expect(local(db, n).rows).toHaveLength(1);
          expect(local(db, n).templates).toHaveLength(3);
        }
        // Asked again: nobody (the linked are linked, the refused would only be refused again).
        expect(localPeopleToOffer(db, PACK)).toBe(0);
        expect(offerLocalPeople(db, { packId: PACK, actor })).toMatchObject({ ok: true, queued: 0 });
        expect(local(db, 'GONE-1').rows[0].hub_id).toBeNull();
        expect(await atHub('GONE-1')).toEqual([]);
        expect(await atHub('NOFACE-1')).toEqual([]);
      } finally {
        await sync.stop();
      }
    } finally {
      db.close();
    }
  });

  /** Open the kiosk's file, look, close it (the CLI is another process). */
  function withDb<T>(file: string, f: (db: Db) => T): T {
    const db = openDb({ file });
    try {
      return f(db);
    } finally {
      db.close();
    }
  }

  it('hadir join --keep-local uploads nothing; hadir people upload-to-hub later uploads them once', async () => {
    const k = standaloneKiosk(['KEEP-1', 'KEEP-2']);
    const env = { HADIR_DATA_DIR: k.dir };
    const r = await runHadir(['join', t.url, await pairingCode(), '--keep-local'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2 people enrolled here before joining stay local; `hadir people upload-to-hub`/);
    expect(withDb(k.file, uploadRows)).toBe(0);
    expect(await atHub('KEEP-1')).toEqual([]);

    const up = await runHadir(['people', 'upload-to-hub'], env);
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/2 people enrolled here before joining queued for the hub/);
    expect(up.stderr).toMatch(/2 of 2 people uploaded to the hub/);
    for (const n of ['KEEP-1', 'KEEP-2']) {
      const h = await atHub(n);
      expect(h).toMatchObject([{ site: SITE, templates: 3 }]);
      expect(withDb(k.file, (db) => local(db, n).rows)).toEqual([{ id: expect.any(Number), hub_id: h[0].hub_id }]);
    }
    const again = await runHadir(['people', 'upload-to-hub'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/nobody to upload/);
    expect(withDb(k.file, uploadRows)).toBe(2);
    expect(await atHub('KEEP-1')).toHaveLength(1);
  });

  it('without a flag or a terminal they stay local, and one line says how to upload them', async () => {
    const k = standaloneKiosk(['QUIET-1']);
    const r = await runHadir(['join', t.url, await pairingCode()], { HADIR_DATA_DIR: k.dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const lines = r.stderr.split('\n').filter((l) => /before joining/.test(l));
    expect(lines).toEqual([
      'hadir join: 1 person enrolled here before joining stays local; `hadir people upload-to-hub` uploads them later',
    ]);
    expect(withDb(k.file, uploadRows)).toBe(0);
    expect(await atHub('QUIET-1')).toEqual([]);
  });

  it('hadir join --upload-existing uploads them at the join', async () => {
    const k = standaloneKiosk(['FLAG-1']);
    const r = await runHadir(['join', t.url, await pairingCode(), '--upload-existing'], { HADIR_DATA_DIR: k.dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 of 1 person uploaded to the hub/);
    const h = await atHub('FLAG-1');
    expect(h).toMatchObject([{ site: SITE, templates: 3, consents: 1 }]);
    expect(withDb(k.file, (db) => local(db, 'FLAG-1').rows[0].hub_id)).toBe(h[0].hub_id);
  });

  it('refuses both flags together, and upload-to-hub on a standalone kiosk', async () => {
    const k = standaloneKiosk(['BOTH-1']);
    const env = { HADIR_DATA_DIR: k.dir };
    const both = await runHadir(['join', t.url, await pairingCode(), '--upload-existing', '--keep-local'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exclude each other/);
    const alone = await runHadir(['people', 'upload-to-hub'], env);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/not joined to a hub/);
    expect(withDb(k.file, uploadRows)).toBe(0);
  });

  it.skipIf(!hasScript)('on a terminal it asks, and "y" uploads them', async () => {
    const k = standaloneKiosk(['ASK-1', 'ASK-2']);
    const r = await onTerminal(['join', t.url, await pairingCode()], { HADIR_DATA_DIR: k.dir }, 'y');
    expect(r.stdout).toMatch(/2 people were enrolled here before joining\. Upload them to the hub\? \[y\/N\]/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 of 2 people uploaded to the hub/);
    for (const n of ['ASK-1', 'ASK-2']) expect(await atHub(n)).toMatchObject([{ site: SITE, templates: 3 }]);
  });

  it.skipIf(!hasScript)('on a terminal, answering no keeps them local', async () => {
    const k = standaloneKiosk(['NO-1']);
    const r = await onTerminal(['join', t.url, await pairingCode()], { HADIR_DATA_DIR: k.dir }, 'n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 person enrolled here before joining stays local/);
    expect(withDb(k.file, uploadRows)).toBe(0);
    expect(await atHub('NO-1')).toEqual([]);
  });
});

/**
 * Run `hadir` on a pseudo-terminal (util-linux `script`), typing `answer` once the question shows.
 * The terminal merges stdout and stderr into `stdout`.
 */
function onTerminal(args: string[], env: NodeJS.ProcessEnv, answer: string): Promise<CliResult> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, path.join(repoRoot, 'bin/hadir.mjs'), ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += String(d);
    if (!typed && stdout.includes('[y/N]')) {
      typed = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    }),
  );
}
