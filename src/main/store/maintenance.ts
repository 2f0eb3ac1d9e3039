import Database from 'better-sqlite3';
import type { Db } from './db';

/** Database-wide checks and housekeeping (backups, restores, purges). */

/** `PRAGMA integrity_check`: ['ok'] when the file is sound, else the problems it found (at most `max`). */
export function integrityCheck(db: Db, max = 20): string[] {
  return (db.pragma(`integrity_check(${Math.max(1, Math.floor(max))})`) as { integrity_check: string }[]).map(
    (r) => r.integrity_check,
  );
}

/**
 * Move everything in the write-ahead log into the database file and truncate the log, so rows just
 * deleted (with secure_delete on) are not left behind in old WAL frames. Best effort: a reader in
 * another process can keep part of the log alive until it finishes.
 */
export function checkpointTruncate(db: Db): { busy: boolean; log: number; checkpointed: number } {
  const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  return { busy: r.busy === 1, log: r.log, checkpointed: r.checkpointed };
}

/** Switch a (copied) database file to a rollback journal, so it is one self-contained file. */
export function setJournalDelete(db: Db): void {
  db.pragma('journal_mode = DELETE');
}

export interface FileCheck {
  integrity: string[];
  schemaVersion: number;
  tables: string[];
}

/** Open a database file read-only and check it: integrity, schema version and tables. */
export function inspectDatabaseFile(file: string): FileCheck {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: integrityCheck(db),
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      tables: (
        db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]
      ).map((r) => r.name),
    };
  } finally {
    db.close();
  }
}

/** Open a database file without migrating it (a backup copy, a restore's source or target). */
export function openFile(file: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: opts.readonly === true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}
