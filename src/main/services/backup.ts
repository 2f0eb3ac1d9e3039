import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import { checkKeyFileFor } from '../store/data-encryption';
import { dataKeyFileFor } from '../store/data-key-file';
import { type Db, openDb, schemaVersion } from '../store/db';
import { inspectDatabaseFile, integrityCheck, openFile, setJournalDelete } from '../store/maintenance';
import { MIGRATIONS } from '../store/migrations';
import { createPrivateFile, PRIVATE_FILE_MODE } from '../store/private-files';

/**
 * Backups and restores of the database while the app may be running.
 *
 * A backup holds everything: people, face templates (biometric data), attendance and the audit log.
 * It is a copy of the database, so its templates and thumbnails are sealed as they are there (see
 * store/data-cipher.ts): nothing is decrypted to write it, and it opens only with the data key file,
 * which lives outside the data folder and is not part of the backup.
 * Data purged by retention lives on in older backups, so backups must be deleted on the same schedule
 * (`hadir backup <folder> --prune-older-than DAYS`), and kept where only administrators can read them.
 */

/** File names of backups written into a folder: `hadir-backup-20250106T010203Z.db` (UTC). */
const BACKUP_NAME = /^hadir-backup-(\d{8}T\d{6}Z)(?:-\d+)?\.db$/;

export interface BackupOptions {
  now?: Date;
  actor?: Actor;
  /** Replace an existing file (default: refuse). */
  overwrite?: boolean;
  /** Pages copied per step before yielding to the event loop (default 1000, i.e. 4 MiB). */
  pagesPerStep?: number;
  /** Called after every step (a progress bar). */
  onProgress?: (p: { totalPages: number; remainingPages: number }) => void;
}

export interface BackupResult {
  file: string;
  bytes: number;
  schemaVersion: number;
  /** Times another process's write made SQLite start the copy again. */
  restarts: number;
}

function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** `dest` as a file: a folder (existing, or written with a trailing separator) gets a dated file name inside. */
export function backupFileFor(dest: string, now: Date): string {
  const isDir = /[\\/]$/.test(dest) || (existsSync(dest) && statSync(dest).isDirectory());
  if (!isDir) return dest;
  let file = path.join(dest, `hadir-backup-${stamp(now)}.db`);
  for (let n = 2; existsSync(file); n++) file = path.join(dest, `hadir-backup-${stamp(now)}-${n}.db`);
  return file;
}

/**
 * Write a consistent copy with SQLite's online backup API while other connections (and processes) go
 * on writing. The copy goes to a temporary file, is switched to a rollback journal so it is one
 * self-contained file, checked (integrity_check), made readable by its owner only, then renamed into
 * place: a backup file that exists is complete.
 */
export async function backupDatabase(db: Db, dest: string, opts: BackupOptions = {}): Promise<BackupResult> {
  const now = opts.now ?? new Date();
  const file = path.resolve(backupFileFor(dest, now));
  if (existsSync(file) && !opts.overwrite)
    throw new HadirError('BAD_REQUEST', `${file} exists; choose another name or a folder`);
  if (path.resolve(db.name) === file)
    throw new HadirError('BAD_REQUEST', 'the backup cannot replace the database itself');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.partial-${process.pid}`;
  let restarts = 0;
  try {
    // Private from its first byte (SQLite keeps the mode, and gives its journal the same one).
    createPrivateFile(tmp);
    const step = Math.max(1, Math.floor(opts.pagesPerStep ?? 1000));
    let lastRemaining = Infinity;
    await db.backup(tmp, {
      // Another process's write restarts the copy; after two restarts copy the rest in one step
      // (holding a read snapshot, which in WAL mode does not block writers), so it always finishes.
      progress: (p) => {
        const { remainingPages } = p;
        opts.onProgress?.(p);
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        return restarts >= 2 ? 0x7fffffff : step;
      },
    });
    const copy = openFile(tmp);
    let version: number;
    try {
      setJournalDelete(copy);
      const integrity = integrityCheck(copy);
      if (integrity[0] !== 'ok')
        throw new HadirError('INTERNAL', `the backup copy failed its integrity check: ${integrity.join('; ')}`);
      version = schemaVersion(copy);
    } finally {
      copy.close();
    }
    chmodSync(tmp, PRIVATE_FILE_MODE);
    renameSync(tmp, file);
    const bytes = statSync(file).size;
    if (opts.actor) {
      new AuditRepo(db).record({
        actor: opts.actor,
        action: 'database.backup',
        targetType: 'file',
        targetId: file,
        details: { bytes, schema_version: version },
        at: now,
      });
    }
    return { file, bytes, schemaVersion: version, restarts };
  } catch (e) {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}-journal`, { force: true });
    throw e;
  }
}

export interface RestoreResult {
  /** The database file that now holds the backup's contents. */
  file: string;
  /** Where the database as it was before the restore was kept (null when there was none). */
  keptAside: string | null;
  /** The backup's schema version, and the version after migrating it to this release. */
  fromVersion: number;
  schemaVersion: number;
}

/**
 * Check a backup file: sound (integrity_check), a Hadir database (its tables), of a schema version this
 * release understands. Throws BAD_REQUEST saying what is wrong.
 */
export function verifyBackupFile(file: string): { schemaVersion: number } {
  let check;
  try {
    check = inspectDatabaseFile(file);
  } catch (e) {
    throw new HadirError('BAD_REQUEST', `${file} is not a readable SQLite database: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (check.integrity[0] !== 'ok')
    throw new HadirError('BAD_REQUEST', `${file} failed its integrity check: ${check.integrity.join('; ')}`);
  const latest = MIGRATIONS.at(-1)!.version;
  if (check.schemaVersion < 1 || !['people', 'attendance', 'audit_log'].every((t) => check.tables.includes(t))) {
    throw new HadirError('BAD_REQUEST', `${file} is not a Hadir database`);
  }
  if (check.schemaVersion > latest) {
    throw new HadirError(
      'BAD_REQUEST',
      `${file} has schema version ${check.schemaVersion}, newer than this release understands (${latest}); update Hadir first`,
    );
  }
  return { schemaVersion: check.schemaVersion };
}

/**
 * Replace the database at `target` with the backup `from`:
 * 1. the backup is checked ({@link verifyBackupFile}) before anything is touched;
 * 2. the current database is copied aside (`<target>.before-restore-<UTC time>`), with the online backup
 *    so the copy is consistent even while the app writes (a raw file copy if it cannot be opened);
 * 3. the backup is copied into `target` with SQLite's backup API, through SQLite's own locking, so
 *    connections that are open (a running app) see the restored database at once, never a mixture;
 * 4. the result is migrated to this release's schema, checked again, and the restore is audited.
 * Stop the kiosk first where possible: writes made during the restore wait (busy timeout) and then fail.
 */
export async function restoreDatabase(
  from: string,
  target: string,
  opts: { now?: Date; actor?: Actor; keyFile?: string } = {},
): Promise<RestoreResult> {
  const now = opts.now ?? new Date();
  const source = path.resolve(from);
  const dest = path.resolve(target);
  if (source === dest) throw new HadirError('BAD_REQUEST', 'the backup and the database are the same file');
  const { schemaVersion: fromVersion } = verifyBackupFile(source);
  // Its templates are sealed: a backup this key file cannot open is refused before anything is replaced.
  checkKeyFileFor(source, opts.keyFile ?? dataKeyFileFor(dest));

  let keptAside: string | null = null;
  if (existsSync(dest)) {
    keptAside = `${dest}.before-restore-${stamp(now)}`;
    let live: Db | null = null;
    try {
      live = openFile(dest);
      await backupDatabase(live, keptAside, { now });
    } catch {
      // The current file cannot be read as a database: keep its bytes as they are.
      createPrivateFile(keptAside);
      copyFileSync(dest, keptAside);
      chmodSync(keptAside, PRIVATE_FILE_MODE);
      if (existsSync(`${dest}-wal`)) {
        createPrivateFile(`${keptAside}-wal`);
        copyFileSync(`${dest}-wal`, `${keptAside}-wal`);
        chmodSync(`${keptAside}-wal`, PRIVATE_FILE_MODE);
      }
    } finally {
      live?.close();
    }
  }

  mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
  createPrivateFile(dest);
  const src = openFile(source, { readonly: true });
  try {
    await src.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    src.close();
  }

  const db = openDb({ file: dest, ...(opts.keyFile ? { keyFile: opts.keyFile } : {}) });
  try {
    const integrity = integrityCheck(db);
    if (integrity[0] !== 'ok')
      throw new HadirError('INTERNAL', `the restored database failed its integrity check: ${integrity.join('; ')}`);
    const version = schemaVersion(db);
    new AuditRepo(db).record({
      actor: opts.actor ?? { type: 'system', id: null },
      action: 'database.restore',
      targetType: 'file',
      targetId: source,
      details: { from_version: fromVersion, schema_version: version, kept_aside: keptAside },
      at: now,
    });
    return { file: dest, keptAside, fromVersion, schemaVersion: version };
  } finally {
    db.close();
  }
}

/**
 * Delete the backups in `folder` (only files named like Hadir's dated backups) older than `days`,
 * judged by the time in their name. Returns the files deleted.
 */
export function pruneBackups(folder: string, days: number, now: Date = new Date()): string[] {
  if (!(Number.isInteger(days) && days >= 1))
    throw new HadirError('BAD_REQUEST', '--prune-older-than must be a whole number of days (at least 1)');
  const cutoff = stamp(new Date(now.getTime() - days * 86_400_000));
  const deleted: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const m = BACKUP_NAME.exec(name);
    if (!m || m[1] >= cutoff) continue;
    const file = path.join(folder, name);
    rmSync(file, { force: true });
    deleted.push(file);
  }
  return deleted;
}
