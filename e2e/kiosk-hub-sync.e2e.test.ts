/**
 * A kiosk and a real hub (PostgreSQL, HTTP on loopback): `hadir join` in a child process, the replica
 * and the outbox over the wire, the hub stopped and started again, and a syncing kiosk process killed
 * with SIGKILL. Nothing here is a stand-in: the kiosk's SQLite file and the hub's database are checked
 * on both sides.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addPerson, addTemplates, deletePerson } from '../src/main/hub/people';
import { createPairingCode, revokeDevice } from '../src/main/hub/pairing';
import { type RunningHub, startHub } from '../src/main/hub/server';
import { addSite } from '../src/main/hub/sites';
import { AttendanceService } from '../src/main/services/attendance-service';
import { readHubStatus } from '../src/main/services/hub-status';
import { openDb } from '../src/main/store/db';
import { HubLinkRepo } from '../src/main/store/hub-link-repo';
import { HubOutboxRepo } from '../src/main/store/hub-outbox-repo';
import { PeopleRepo } from '../src/main/store/people-repo';
import { SettingsRepo } from '../src/main/store/settings-repo';
import { TemplatesRepo } from '../src/main/store/templates-repo';
import { repoRoot } from '../src/main/testing/paths';
import { startTestHub, TEST_ACTOR, TEST_PACK, type TestHub, testHubKeyring } from '../src/main/testing/postgres-hub';
import { runHadir } from '../src/main/testing/run-cli';
import { Backoff } from '../src/main/sync/backoff';
import { credentialPath, readCredential } from '../src/main/sync/credential-file';
import { SyncService } from '../src/main/sync/sync-service';

const SITE = 'KANTOR-PUSAT';
const PEOPLE = 40;
const DIM = 16;
const number = (i: number) => `19850101201001${String(i).padStart(4, '0')}`;

/** A recognisable unit vector per person. */
function embedding(i: number): Float32Array {
  const e = new Float32Array(DIM);
  for (let k = 0; k < DIM; k++) e[k] = Math.cos(i * 3.1 + k * 0.7) + 0.01 * i;
  const n = Math.hypot(...e);
  return e.map((x) => x / n);
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kioskDir(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-kiosk-'));
  const file = path.join(dir, 'hadir.db');
  const db = openDb({ file });
  // The kiosk runs the pack the hub's templates are of.
  new SettingsRepo(db).set('activePack', TEST_PACK);
  db.close();
  return { dir, file };
}

const hasPostgres = inject('pgAdminUrl') !== '';

describe.skipIf(!hasPostgres)('a kiosk joined to a real hub', () => {
  let t: TestHub;
  /** The hub serving now (it is stopped and started again on the same database and port). */
  let hub: RunningHub;
  const dirs: string[] = [];

  beforeAll(async () => {
    t = await startTestHub();
    hub = t.hub;
    await addSite(hub.pool, { code: SITE, name: 'Kantor Pusat', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    for (let i = 0; i < PEOPLE; i++) {
      await addPerson(hub.pool, { employeeNumber: number(i), fullName: `Pegawai ${i}`, homeSite: SITE }, TEST_ACTOR);
      await addTemplates(
        hub.pool,
        number(i),
        [{ packId: TEST_PACK, embedding: embedding(i), source: 'import' }],
        TEST_ACTOR,
      );
    }
  });
  afterAll(async () => {
    if (hub !== t?.hub) await hub?.close();
    await t?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const pairingCode = async () => (await createPairingCode(hub.pool, SITE, TEST_ACTOR)).code;
  const hubEvents = async (deviceId: string) =>
    (
      await hub.pool.query(
        'SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct_seq, coalesce(max(seq), 0)::int AS max_seq FROM attendance_events WHERE device_id = $1',
        [deviceId],
      )
    ).rows[0] as { n: number; distinct_seq: number; max_seq: number };

  it('refuses a wrong code and an unreachable hub, each in one line, leaving the kiosk standalone', async () => {
    const k = kioskDir();
    dirs.push(k.dir);
    const env = { HADIR_DATA_DIR: k.dir };
    const wrong = await runHadir(['join', t.url, 'ABCD-EFGH-JKLM'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/pairing code.*wrong, already used or expired/);
    const away = await runHadir(['join', 'http://127.0.0.1:9', await pairingCode()], env);
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(/cannot reach the hub at http:\/\/127\.0\.0\.1:9/);
    expect(() => statSync(credentialPath(k.dir))).toThrow();
  });

  let kiosk: { dir: string; file: string; deviceId: string };

  it('joins with a code, keeps the local people, and lists the site right after', async () => {
    const k = kioskDir();
    dirs.push(k.dir);
    // Enrolled before the hub existed: one the hub also knows (same employee number), one it does not.
    const before = openDb({ file: k.file });
    const people = new PeopleRepo(before);
    const adopted = people.create({ employeeNumber: number(0), fullName: 'Pegawai Nol (lokal)' });
    new TemplatesRepo(before).insert({
      personId: adopted.id,
      packId: TEST_PACK,
      embedding: embedding(900),
      source: 'camera',
    });
    people.create({ employeeNumber: 'LOCAL-1', fullName: 'Tamu Lokal' });
    before.close();

    const env = { HADIR_DATA_DIR: k.dir };
    const r = await runHadir(['join', `${t.url}/`, await pairingCode()], env);
    expect(r.stderr).toMatch(/40 people of the site received/);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(new RegExp(`^Joined hub ${t.url} as device \\S+ of site ${SITE} \\(Kantor Pusat\\)\\n$`));
    const credential = readCredential(k.dir)!;
    expect(statSync(credentialPath(k.dir)).mode & 0o777).toBe(0o600);
    // The credential is in the file only, never in the database.
    expect(readFileSync(k.file).includes(Buffer.from(credential.credential))).toBe(false);

    const list = await runHadir(['people', '--json', '--all'], env);
    expect(list.code).toBe(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { employee_number: string; full_name: string; templates: number });
    expect(rows).toHaveLength(PEOPLE + 1);
    expect(rows.find((p) => p.employee_number === number(0))).toMatchObject({ full_name: 'Pegawai 0', templates: 2 });
    expect(rows.find((p) => p.employee_number === 'LOCAL-1')).toMatchObject({ templates: 0 });
    expect(rows.filter((p) => p.templates === 1)).toHaveLength(PEOPLE - 1);

    const again = await runHadir(['join', t.url, await pairingCode()], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already joined to the hub/);
    kiosk = { ...k, deviceId: credential.device_id };
  });

  it('follows the hub: a person deleted there is gone from the kiosk file, bytes and all', async () => {
    const db = openDb({ file: kiosk.file });
    const sync = new SyncService({
      db,
      credential: readCredential(kiosk.dir)!,
      packId: TEST_PACK,
      backoff: () => new Backoff({ initialMs: 50, maxMs: 300 }),
    });
    try {
      sync.start();
      // The kiosk keeps templates sealed under its own data key: look for the stored (sealed) bytes.
      const person = new PeopleRepo(db).getByEmployeeNumber(number(7))!;
      const stored = db
        .prepare('SELECT embedding FROM face_templates WHERE person_id = ?')
        .pluck()
        .all(person.id) as Buffer[];
      expect(stored.length).toBeGreaterThan(0);
      const bytes = stored[0];
      expect(bytes.includes(Buffer.from(embedding(7).buffer))).toBe(false);
      const onDisk = () => Buffer.concat([readFileSync(kiosk.file), readIfAny(`${kiosk.file}-wal`)]);
      db.pragma('wal_checkpoint(TRUNCATE)');
      expect(onDisk().includes(bytes)).toBe(true);
      await deletePerson(hub.pool, number(7), TEST_ACTOR);
      await waitFor('the deletion to arrive', () => new PeopleRepo(db).getByEmployeeNumber(number(7)) === null);
      expect(onDisk().includes(bytes)).toBe(false);
      expect(readHubStatus(db)).toMatchObject({ state: 'online', outbox_depth: 0, site: { code: SITE } });
    } finally {
      await sync.stop();
      db.close();
    }
  });

  it('check-ins recorded while the hub is stopped arrive exactly once after it starts again', async () => {
    const db = openDb({ file: kiosk.file });
    const sync = new SyncService({
      db,
      credential: readCredential(kiosk.dir)!,
      packId: TEST_PACK,
      backoff: () => new Backoff({ initialMs: 50, maxMs: 300 }),
    });
    try {
      sync.start();
      const attendance = new AttendanceService({ db });
      // The site has no schedule: attendance all day, so these check in whatever the hour.
      expect(attendance.schedule().settings.allDay).toBe(true);
      const port = Number(new URL(t.url).port);
      await hub.close();
      const replicated = new PeopleRepo(db).list().filter((p) => p.employee_number !== 'LOCAL-1');
      for (const p of replicated.slice(0, 12)) {
        expect(attendance.recordRecognition({ person: p, similarity: 0.8, liveness: 0.99, kioskId: 'k1' }).kind).toBe(
          'checked_in',
        );
      }
      const outbox = new HubOutboxRepo(db);
      await waitFor('the kiosk to notice', () => readHubStatus(db)?.state === 'offline');
      expect(outbox.depth()).toBe(12);
      hub = await startHub({ databaseUrl: t.db.url, config: { port }, poolMax: 5, keyring: testHubKeyring() });
      await waitFor('the outbox to drain', () => outbox.depth() === 0);
      const events = await hubEvents(kiosk.deviceId);
      expect(events).toEqual({ n: outbox.lastSeq(), distinct_seq: outbox.lastSeq(), max_seq: outbox.lastSeq() });
      expect(events.n).toBe(12);
      await waitFor('online again', () => readHubStatus(db)?.state === 'online');
      expect(readHubStatus(db)!.offline_since).toBeNull();
    } finally {
      await sync.stop();
      db.close();
    }
  });

  it('a kiosk process killed with SIGKILL while pushing loses and doubles nothing', async () => {
    // A backlog of events (an operator's records over many days), pushed in batches of 500.
    const db = openDb({ file: kiosk.file });
    const attendance = new AttendanceService({ db });
    const person = new PeopleRepo(db).getByEmployeeNumber(number(3))!;
    const cli = { type: 'cli' as const, id: 'test' };
    const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    attendance.addRecords(
      Array.from({ length: 1200 }, (_, i) => ({ person, localDate: day(i), checkInAt: '07:10', checkOutAt: '16:05' })),
      'backlog',
      cli,
    );
    const outbox = new HubOutboxRepo(db);
    const total = outbox.lastSeq();
    expect(outbox.depth()).toBe(2400);

    const first = startChild(kiosk.file);
    await waitFor('a first batch acknowledged', () => outbox.depth() < 2400, 60_000);
    await killHard(first);
    expect(outbox.depth()).toBeGreaterThan(0);
    // More attendance while no sync runs, then a new process picks up where the dead one stopped.
    attendance.addRecords([{ person, localDate: day(1300), checkInAt: '07:00' }], 'late entry', cli);
    const second = startChild(kiosk.file);
    try {
      await waitFor('the outbox to drain', () => outbox.depth() === 0, 60_000);
    } finally {
      await killHard(second);
    }
    const events = await hubEvents(kiosk.deviceId);
    expect(outbox.lastSeq()).toBe(total + 1);
    expect(events).toEqual({ n: total + 1, distinct_seq: total + 1, max_seq: total + 1 });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('a cursor the hub refuses restarts the replica from a snapshot instead of looping', async () => {
    const db = openDb({ file: kiosk.file });
    const before = new PeopleRepo(db).count();
    db.prepare("UPDATE hub_link SET cursor = 'not-a-cursor'").run();
    const sync = new SyncService({ db, credential: readCredential(kiosk.dir)!, packId: TEST_PACK });
    try {
      expect(await sync.pullUntilCaughtUp()).toBeNull();
      expect(new HubLinkRepo(db).get()).toMatchObject({ snapshot_active: false });
      expect(new HubLinkRepo(db).get()!.cursor).not.toBe('not-a-cursor');
      expect(new PeopleRepo(db).count()).toBe(before);
    } finally {
      await sync.stop();
      db.close();
    }
  });

  it('a device revoked at the hub stops syncing and says so, while attendance is still recorded', async () => {
    const db = openDb({ file: kiosk.file });
    const sync = new SyncService({
      db,
      credential: readCredential(kiosk.dir)!,
      packId: TEST_PACK,
      backoff: () => new Backoff({ initialMs: 50, maxMs: 300 }),
    });
    try {
      sync.start();
      await revokeDevice(hub.pool, kiosk.deviceId, TEST_ACTOR);
      // The next push meets the revocation.
      const person = new PeopleRepo(db).getByEmployeeNumber(number(5))!;
      new AttendanceService({ db }).addRecord(
        { person, localDate: '2023-06-01', checkInAt: '07:00' },
        'after revocation',
        { type: 'cli', id: 'test' },
      );
      await waitFor('the revocation to be noticed', () => readHubStatus(db)?.state === 'revoked');
      expect(new HubOutboxRepo(db).depth()).toBe(1);
      await sync.stop();
      // Paired again (same hub, new device): the event that waited goes out, numbered 1 for the new device.
      const again = await runHadir(['join', t.url, await pairingCode()], { HADIR_DATA_DIR: kiosk.dir });
      expect(again.code).toBe(0);
      const device = readCredential(kiosk.dir)!.device_id;
      expect(device).not.toBe(kiosk.deviceId);
      expect(new HubOutboxRepo(db).depth()).toBe(0);
      expect(await hubEvents(device)).toEqual({ n: 1, distinct_seq: 1, max_seq: 1 });
      expect(readHubStatus(db)).toMatchObject({ state: 'online', device_id: device });
    } finally {
      await sync.stop();
      db.close();
    }
  });
});

function readIfAny(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

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
