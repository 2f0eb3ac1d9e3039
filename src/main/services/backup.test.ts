import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { migrate, openDb, schemaVersion } from '../store/db';
import { integrityCheck, openFile } from '../store/maintenance';
import { MIGRATIONS } from '../store/migrations';
import { PeopleRepo } from '../store/people-repo';
import { tempDb } from '../testing/temp-db';
import { startWriter } from '../testing/writer-process';
import { AttendanceService } from './attendance-service';
import { backupDatabase, pruneBackups, restoreDatabase, verifyBackupFile } from './backup';
import { DEFAULT_SCHEDULE } from './schedule';

const CLI: Actor = { type: 'cli', id: 'root' };
const LATEST = MIGRATIONS.at(-1)!.version;

let env: ReturnType<typeof tempDb>;
beforeEach(() => {
  env = tempDb('hadir-backup-');
});
afterEach(() => env.cleanup());

function perDateCounts(svc: AttendanceService, unit: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of svc.query({ from: '2001-01-01', to: '2999-12-31', unit }))
    m.set(r.local_date, (m.get(r.local_date) ?? 0) + 1);
  return m;
}

describe('online backup', () => {
  it('writes a consistent copy while another process and this connection keep writing', async () => {
    const writer = startWriter(env.file, 25, 2);
    const svc = new AttendanceService({ db: env.db, schedule: DEFAULT_SCHEDULE });
    const me = new PeopleRepo(env.db).create({ employeeNumber: 'P1', fullName: 'Parent', unit: 'Parent' });
    let day = 0;
    try {
      await writer.waitFor(40);
      // This connection writes between the backup's steps too.
      const timer = setInterval(() => {
        const d = new Date(Date.UTC(2010, 0, 1 + day++)).toISOString().slice(0, 10);
        svc.addRecord({ person: me, localDate: d, checkInAt: '07:00' }, 'parent write', CLI);
      }, 0);
      const before = writer.committed();
      let result;
      try {
        // Small, slow steps, so the other process (writing every 25 ms) commits while the copy is under
        // way: 5 ms per two pages keeps the copy going for well over one of its intervals on a fast machine
        // (the copy finishes in one step after two restarts, so slower never means endless).
        const pause = new Int32Array(new SharedArrayBuffer(4));
        result = await backupDatabase(env.db, path.join(env.dir, 'copy.db'), {
          pagesPerStep: 2,
          actor: CLI,
          onProgress: () => Atomics.wait(pause, 0, 0, 5),
        });
      } finally {
        clearInterval(timer);
      }
      // The other process really wrote during the copy: SQLite had to start it again.
      expect(result.restarts).toBeGreaterThanOrEqual(1);
      expect(writer.committed()).toBeGreaterThanOrEqual(before);
      expect(day).toBeGreaterThan(0); // and so did this connection
      expect(result).toMatchObject({ file: path.join(env.dir, 'copy.db'), schemaVersion: LATEST });
      expect(statSync(result.file).mode & 0o777).toBe(0o600);
      expect(readdirSync(env.dir).filter((f) => f.includes('partial'))).toEqual([]);

      const copy = openFile(result.file, { readonly: true });
      try {
        expect(integrityCheck(copy)).toEqual(['ok']);
        expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
        const copySvc = new AttendanceService({ db: copy, schedule: DEFAULT_SCHEDULE });
        const counts = perDateCounts(copySvc, 'Crash');
        expect(counts.size).toBeGreaterThanOrEqual(40);
        expect([...new Set(counts.values())]).toEqual([25]); // no half batch
        const records = copySvc.query({ from: '2001-01-01', to: '2999-12-31' });
        expect(new AuditRepo(copy).list({ action: 'attendance.create', limit: 1e6 })).toHaveLength(records.length);
      } finally {
        copy.close();
      }
      expect(new AuditRepo(env.db).list({ action: 'database.backup' })[0]).toMatchObject({
        actor_type: 'cli',
        target_id: result.file,
      });
      await expect(backupDatabase(env.db, result.file)).rejects.toThrow(/exists/);
    } finally {
      await writer.kill();
    }
  }, 60_000);

  it('names backups in a folder by date and prunes only old Hadir backups', async () => {
    const dir = path.join(env.dir, 'backups');
    mkdirSync(dir);
    const r = await backupDatabase(env.db, dir, { now: new Date('2025-01-06T01:02:03.456Z') });
    expect(path.basename(r.file)).toBe('hadir-backup-20250106T010203Z.db');
    for (const name of [
      'hadir-backup-20241101T000000Z.db',
      'hadir-backup-20241230T000000Z.db',
      'notes.db',
      'hadir-backup-x.db',
    ]) {
      writeFileSync(path.join(dir, name), 'x');
    }
    const deleted = pruneBackups(dir, 30, new Date('2025-01-06T12:00:00Z'));
    expect(deleted.map((f) => path.basename(f))).toEqual(['hadir-backup-20241101T000000Z.db']);
    expect(readdirSync(dir).sort()).toEqual([
      'hadir-backup-20241230T000000Z.db',
      'hadir-backup-20250106T010203Z.db',
      'hadir-backup-x.db',
      'notes.db',
    ]);
    expect(() => pruneBackups(dir, 0)).toThrow(/whole number/);
  });
});

describe('restore', () => {
  it('checks the backup, keeps the current database aside, and replaces it under open connections', async () => {
    const svc = new AttendanceService({ db: env.db, schedule: DEFAULT_SCHEDULE });
    const people = new PeopleRepo(env.db);
    const ani = people.create({ employeeNumber: '1', fullName: 'Ani', unit: 'U' });
    svc.addRecord({ person: ani, localDate: '2025-01-06', checkInAt: '07:00' }, 'before backup', CLI);
    const backup = await backupDatabase(env.db, path.join(env.dir, 'good.db'));
    // Life goes on after the backup.
    const budi = people.create({ employeeNumber: '2', fullName: 'Budi', unit: 'U' });
    svc.addRecord({ person: budi, localDate: '2025-01-07', checkInAt: '07:00' }, 'after backup', CLI);
    const app = openDb({ file: env.file }); // a running app's connection stays open throughout
    try {
      const result = await restoreDatabase(backup.file, env.file, {
        now: new Date('2025-02-01T00:00:00Z'),
        actor: CLI,
      });
      expect(result).toEqual({
        file: env.file,
        keptAside: `${env.file}.before-restore-20250201T000000Z`,
        fromVersion: LATEST,
        schemaVersion: LATEST,
      });
      // Both open connections see the restored database.
      for (const db of [env.db, app]) {
        expect(new PeopleRepo(db).list().map((p) => p.full_name)).toEqual(['Ani']);
        expect(integrityCheck(db)).toEqual(['ok']);
      }
      expect(env.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(new AuditRepo(app).list({ action: 'database.restore' })[0]).toMatchObject({
        actor_id: 'root',
        target_id: backup.file,
      });
      // The database as it was is kept, complete.
      const aside = openFile(result.keptAside!, { readonly: true });
      try {
        expect(new PeopleRepo(aside).list().map((p) => p.full_name)).toEqual(['Ani', 'Budi']);
      } finally {
        aside.close();
      }
    } finally {
      app.close();
    }
  });

  it('refuses a damaged file, a foreign database and a newer schema, touching nothing', async () => {
    new PeopleRepo(env.db).create({ employeeNumber: '1', fullName: 'Ani' });
    const garbage = path.join(env.dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 7));
    await expect(restoreDatabase(garbage, env.file)).rejects.toThrow(/not a readable SQLite database|integrity/);

    const foreign = path.join(env.dir, 'foreign.db');
    const f = openDb({ file: foreign, migrate: false });
    f.exec('CREATE TABLE t (x)');
    f.pragma('user_version = 3');
    f.close();
    await expect(restoreDatabase(foreign, env.file)).rejects.toThrow(/not a Hadir database/);

    const newer = (await backupDatabase(env.db, path.join(env.dir, 'newer.db'))).file;
    const n = openFile(newer);
    n.pragma('user_version = 999');
    n.close();
    expect(() => verifyBackupFile(newer)).toThrow(/newer than this release/);
    await expect(restoreDatabase(newer, env.file)).rejects.toThrow(/newer/);

    // Damaged pages in an otherwise valid backup.
    const damaged = (await backupDatabase(env.db, path.join(env.dir, 'damaged.db'))).file;
    const bytes = readFileSync(damaged);
    for (let page = 1; page * 4096 < bytes.length; page++) bytes[page * 4096] = 0xab; // every b-tree page header but the first
    writeFileSync(damaged, bytes);
    await expect(restoreDatabase(damaged, env.file)).rejects.toThrow();

    expect(readdirSync(env.dir).filter((x) => x.includes('before-restore'))).toEqual([]);
    expect(new PeopleRepo(env.db).list().map((p) => p.full_name)).toEqual(['Ani']);
  });

  it('restores an older schema and migrates it; restores into a missing file', async () => {
    const oldFile = path.join(env.dir, 'old.db');
    const old = openDb({ file: oldFile, migrate: false });
    migrate(old, MIGRATIONS, 4);
    new PeopleRepo(old).create({ employeeNumber: '9', fullName: 'Lama' });
    old.close();
    const fresh = path.join(env.dir, 'fresh', 'hadir.db');
    mkdirSync(path.dirname(fresh));
    const r = await restoreDatabase(oldFile, fresh);
    expect(r).toMatchObject({ keptAside: null, fromVersion: 4, schemaVersion: LATEST });
    const db = openDb({ file: fresh });
    try {
      expect(schemaVersion(db)).toBe(LATEST);
      expect(new PeopleRepo(db).list().map((p) => p.full_name)).toEqual(['Lama']);
    } finally {
      db.close();
    }
    expect(existsSync(`${fresh}.before-restore`)).toBe(false);
  });
});
