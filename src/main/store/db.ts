import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { HadirError } from '../../shared/errors';
import { userDataDir } from '../paths';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Database file; default `<data dir>/hadir.db`. ':memory:' for throwaway databases. */
  file?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
}

export function defaultDbFile(): string {
  return path.join(userDataDir(), 'hadir.db');
}

/**
 * Open the store: WAL (the kiosk writes while the CLI or a backup reads), foreign keys on,
 * `secure_delete` so deleted biometric data does not linger in free pages, full sync because
 * an attendance record must survive a power cut, and a busy timeout for the other process.
 */
export function openDb(opts: OpenOptions = {}): Db {
  const file = opts.file ?? defaultDbFile();
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly === true });
  } catch (e) {
    throw new HadirError('INTERNAL', `cannot open the database ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('secure_delete = ON');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  if (opts.migrate !== false && !opts.readonly) migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Apply every migration newer than the database, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS, upTo = Infinity): number[] {
  const applied: number[] = [];
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new HadirError(
      'INTERNAL',
      `the database schema (version ${current}) is newer than this version of Hadir understands (${latest}); update Hadir`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current || m.version > upTo) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
