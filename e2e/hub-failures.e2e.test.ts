/**
 * The hub's failure behaviour against real processes: a `hadir hub serve` child process, a kiosk's
 * sync in a child process of its own (pushing a backlog of thousands of events), and a PostgreSQL
 * cluster of this file's own, restarted with pg_ctl while a push is inside its transaction. After each
 * failure the rows are counted on both sides: the kiosk's SQLite and the hub's PostgreSQL.
 *
 * The same batch delivered twice, batches out of order and two pushes racing are in
 * src/main/hub/ingest.test.ts; a kiosk killed with SIGKILL while pushing is in kiosk-hub-sync.e2e.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPairingCode } from '../src/main/hub/pairing';
import { addPerson } from '../src/main/hub/people';
import { addSite } from '../src/main/hub/sites';
import { openHubPool } from '../src/main/hub/store/db';
import { AttendanceService } from '../src/main/services/attendance-service';
import { openDb } from '../src/main/store/db';
import { HubOutboxRepo } from '../src/main/store/hub-outbox-repo';
import { PeopleRepo } from '../src/main/store/people-repo';
import { SettingsRepo } from '../src/main/store/settings-repo';
import { repoRoot } from '../src/main/testing/paths';
import { freePort, startThrowawayCluster, type ThrowawayCluster, withDatabase } from '../src/main/testing/postgres';
import { TEST_ACTOR, TEST_HUB_KEY_ENV, TEST_PACK } from '../src/main/testing/postgres-hub';
import { runHadir } from '../src/main/testing/run-cli';
import { readCredential } from '../src/main/sync/credential-file';

const SITE = 'GUDANG';
const hasPostgres = inject('pgAdminUrl') !== '';

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; kiosk log:\n${kioskLog.slice(-2000)}\nhub log:\n${hubLog.slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `hadir hub serve` as a child process; resolves once it listens. */
async function startHubProcess(databaseUrl: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), 'hub', 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, ...TEST_HUB_KEY_ENV, HADIR_HUB_DATABASE_URL: databaseUrl, HADIR_HUB_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const log = (b: Buffer) => {
    out += b.toString();
    hubLog += b.toString();
  };
  child.stdout!.on('data', log);
  child.stderr!.on('data', log);
  await waitFor('the hub to listen', () => {
    if (child.exitCode !== null) throw new Error(`hub exited ${child.exitCode}: ${out}`);
    return /listening on/.test(out);
  });
  return child;
}

function startKioskSync(dbFile: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/run-ts.mjs'), path.join(repoRoot, 'src/main/testing/kiosk-sync-child.ts'), dbFile],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (b: Buffer) => (kioskLog += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (kioskLog += b.toString()));
  return child;
}

/** What the kiosk sync and hub processes printed, shown when a wait times out. */
let kioskLog = '';
let hubLog = '';

async function killHard(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

describe.skipIf(!hasPostgres)('the hub under failure (real processes)', () => {
  let cluster: ThrowawayCluster;
  let databaseUrl: string;
  let pool: pg.Pool;
  let port: number;
  let hubUrl: string;
  let hub: ChildProcess | null = null;
  const dirs: string[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // A cluster of this file's own: restarting the run's shared one would break every other test file.
    cluster = await startThrowawayCluster();
    const admin = new pg.Client({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE hub_failures');
    await admin.end();
    databaseUrl = withDatabase(cluster.adminUrl, 'hub_failures');
    port = await freePort();
    hubUrl = `http://127.0.0.1:${port}`;
    hub = await startHubProcess(databaseUrl, port);
    pool = openHubPool(databaseUrl, { max: 3, applicationName: 'hadir-test' });
    await addSite(pool, { code: SITE, name: 'Gudang', timeZone: 'Asia/Jakarta' }, TEST_ACTOR);
    for (let i = 0; i < 5; i++) {
      await addPerson(pool, { employeeNumber: `G${i}`, fullName: `Pekerja ${i}`, homeSite: SITE }, TEST_ACTOR);
    }
  });
  afterAll(async () => {
    for (const c of children) await killHard(c);
    await killHard(hub);
    await pool?.end();
    await cluster?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A kiosk joined to the hub (with `hadir join`), holding a backlog of `days` × (in, out) events. */
  async function kioskWithBacklog(days: number): Promise<{ file: string; deviceId: string; total: number }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hadir-kiosk-'));
    dirs.push(dir);
    const file = path.join(dir, 'hadir.db');
    const db = openDb({ file });
    new SettingsRepo(db).set('activePack', TEST_PACK);
    db.close();
    const { code } = await createPairingCode(pool, SITE, TEST_ACTOR);
    const joined = await runHadir(['join', hubUrl, code], { HADIR_DATA_DIR: dir });
    expect(joined.stderr).toMatch(/5 people of the site received/);
    expect(joined.code).toBe(0);
    const kiosk = openDb({ file });
    try {
      const person = new PeopleRepo(kiosk).getByEmployeeNumber('G1')!;
      const day = (i: number) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
      new AttendanceService({ db: kiosk }).addRecords(
        Array.from({ length: days }, (_, i) => ({
          person,
          localDate: day(i),
          checkInAt: '07:10',
          checkOutAt: '16:05',
        })),
        'backlog',
        { type: 'cli', id: 'test' },
      );
      const total = new HubOutboxRepo(kiosk).depth();
      expect(total).toBe(days * 2);
      return { file, deviceId: readCredential(dir)!.device_id, total };
    } finally {
      kiosk.close();
    }
  }

  /** Rows on both sides: the kiosk's outbox and attendance, the hub's events of this device. */
  async function counts(file: string, deviceId: string) {
    const kiosk = openDb({ file });
    try {
      const outbox = new HubOutboxRepo(kiosk);
      const sqliteEvents = kiosk
        .prepare('SELECT coalesce(sum((check_in_at IS NOT NULL) + (check_out_at IS NOT NULL)), 0) AS n FROM attendance')
        .pluck()
        .get() as number;
      const { rows } = await pool.query<{ n: number; distinct_seq: number; max_seq: number; acked: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct_seq, coalesce(max(seq), 0)::int AS max_seq,
                (SELECT acked_seq FROM devices WHERE id = $1)::int AS acked
           FROM attendance_events WHERE device_id = $1`,
        [deviceId],
      );
      return { depth: outbox.depth(), lastSeq: outbox.lastSeq(), sqliteEvents, hub: rows[0] };
    } finally {
      kiosk.close();
    }
  }

  const depthOf = (file: string) => {
    const db = openDb({ file });
    try {
      return new HubOutboxRepo(db).depth();
    } finally {
      db.close();
    }
  };

  /**
   * Make the device's next batch stop inside the hub's transaction: another connection takes a SHARE
   * lock on the events table (reads go on, inserts wait). The hub's push, once it has begun, locked the
   * device row and resolved the people, then waits in its INSERT, so a failure now strikes mid-push.
   * Resolves once a hub connection is seen waiting there.
   */
  async function holdPushMidway(): Promise<pg.Client> {
    const blocker = new pg.Client({ connectionString: databaseUrl });
    blocker.on('error', () => {}); // cut by a restart: expected
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE attendance_events IN SHARE MODE');
    await waitFor('a push to wait inside its transaction', async () => {
      const { rows } = await pool.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE application_name = 'hadir-hub' AND wait_event_type = 'Lock'
            AND query LIKE '%INSERT INTO attendance_events%'`,
      );
      return rows.length > 0;
    });
    return blocker;
  }

  /** Once the outbox drains: every event the kiosk recorded is at the hub exactly once, on both counts. */
  async function expectAllDelivered(k: { file: string; deviceId: string; total: number }, sync: ChildProcess) {
    await waitFor('the outbox to drain', () => depthOf(k.file) === 0, 90_000);
    await killHard(sync);
    const end = await counts(k.file, k.deviceId);
    expect(end.lastSeq).toBe(k.total);
    expect(end.sqliteEvents).toBe(k.total);
    expect(end.hub).toEqual({ n: k.total, distinct_seq: k.total, max_seq: k.total, acked: k.total });
  }

  it('a hub killed with SIGKILL in the middle of a batch, then restarted: counts equal, no duplicates', async () => {
    const k = await kioskWithBacklog(5000); // 10,000 events, 20 batches of 500
    const sync = startKioskSync(k.file);
    children.push(sync);
    await waitFor('a first batch acknowledged', () => depthOf(k.file) < k.total);

    // 1. Killed while a push waits inside its transaction.
    const blocker = await holdPushMidway();
    await killHard(hub);
    await blocker.query('ROLLBACK');
    await blocker.end();
    const atKill = await counts(k.file, k.deviceId);
    expect(atKill.depth).toBeGreaterThan(0);
    expect(atKill.hub.acked).toBe(k.total - atKill.depth);
    expect(atKill.hub.n).toBe(atKill.hub.distinct_seq);
    hub = await startHubProcess(databaseUrl, port);

    // 2. Killed again at whatever point the pushing has reached, without warning.
    const before = depthOf(k.file);
    await waitFor('another batch acknowledged', () => depthOf(k.file) < before);
    await killHard(hub);
    hub = await startHubProcess(databaseUrl, port);

    await expectAllDelivered(k, sync);
  });

  it('PostgreSQL restarted (immediate stop) in the middle of a push: nothing lost, nothing doubled', async () => {
    const k = await kioskWithBacklog(2500); // 5,000 events
    const sync = startKioskSync(k.file);
    children.push(sync);
    await waitFor('a first batch acknowledged', () => depthOf(k.file) < k.total);
    await holdPushMidway();
    // Every connection is cut, the hub's pool and its LISTEN connection included; the hub process lives on.
    await cluster.restart('immediate');
    const mid = await counts(k.file, k.deviceId);
    expect(mid.depth).toBeGreaterThan(0);
    expect(mid.hub.n).toBe(mid.hub.distinct_seq);

    await expectAllDelivered(k, sync);
    // The hub process survived the restart and serves the replica again.
    expect(hub!.exitCode).toBeNull();
    const r = await fetch(`${hubUrl}/api/v1/sync/changes`, {
      headers: { authorization: `Bearer ${readCredential(path.dirname(k.file))!.credential}` },
    });
    expect(r.status).toBe(200);
  });
});
