import Database from 'better-sqlite3';
import path from 'node:path';
import { HadirError } from '../../shared/errors';
import { userDataDir } from '../paths';
import { MIGRATIONS, type Migration } from './migrations';
import { openDataKey } from './data-encryption';
import { dataKeyFileFor } from './data-key-file';
import { checkPrivate, createPrivateFile, ensurePrivateDir, type Warn, withPrivateUmask } from './private-files';

export type Db = Database.Database;

export interface OpenOptions {
  /** Database file; default `<data dir>/hadir.db`. ':memory:' for throwaway databases. */
  file?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
  /** Where a warning about a database file open to other users goes (default stderr). */
  warn?: Warn;
  /**
   * The data key file that seals face templates and thumbnails (default `HADIR_DATA_KEY_FILE`, else the
   * per-user one: see data-key-file.ts); created on first use. `null`: open without a key (templates
   * can then be neither read nor written: maintenance and tests of the key checks only).
   */
  keyFile?: string | null;
}

/** The database and the files SQLite keeps beside it, all of which hold its data. */
export const DB_COMPANIONS = ['', '-wal', '-shm', '-journal'] as const;

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
  if (file !== ':memory:' && !opts.readonly) securePlace(file, opts.warn);
  let db: Db;
  try {
    // Born private: SQLite gives its -wal/-shm/-journal files the database file's mode, and the umask
    // covers anything else it creates while opening.
    db = withPrivateUmask(() => {
      const d = new Database(file, { readonly: opts.readonly === true });
      if (!opts.readonly) d.pragma('journal_mode = WAL');
      return d;
    });
  } catch (e) {
    throw new HadirError('INTERNAL', `cannot open the database ${file}: ${(e as Error).message}`, { cause: e });
  }
  db.pragma('foreign_keys = ON');
  db.pragma('secure_delete = ON');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  try {
    if (opts.migrate !== false && !opts.readonly) migrate(db);
    // A wrong or missing key stops the open here, before anything reads a template.
    if (opts.keyFile !== null) {
      openDataKey(db, {
        keyFile: opts.keyFile ?? dataKeyFileFor(file === ':memory:' ? null : file),
        readonly: opts.readonly,
        warn: opts.warn,
      });
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/**
 * The database's folder 0700 when it is created here (or is the user data folder), the file created
 * 0600 before SQLite writes to it, and existing files checked: one open to others is reported, and
 * tightened when this user owns it.
 */
function securePlace(file: string, warn: Warn | undefined): void {
  const dir = path.dirname(path.resolve(file));
  const created = ensurePrivateDir(dir);
  // Only a folder that is Hadir's own is tightened: a database put in a shared folder (a project folder,
  // /srv) leaves the folder's mode to its owner, and its files are private anyway.
  if (!created && dir === path.resolve(userDataDir())) checkPrivate(dir, { dir: true, warn });
  createPrivateFile(file);
  for (const suffix of DB_COMPANIONS) checkPrivate(file + suffix, { warn });
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
