import { type DataKey, DataKeyError, Keyring, keyIdHex, attachKeyring, keyringOf } from './data-cipher';
import { addKeyToKeyFile, createKeyFile, keyFileKeyring, readKeyFile } from './data-key-file';
import type { Db } from './db';
import { checkpointTruncate, openFile } from './maintenance';
import type { Warn } from './private-files';
import { SettingsRepo } from './settings-repo';
import { TemplatesRepo } from './templates-repo';

/**
 * The data key of one database: checked against the database at open, plaintext rows sealed on the
 * first open with a key, and rotation.
 *
 * The database records a key check value for every key its rows may be sealed with (setting
 * `dataKey.checks`: key id → check value, no key material). At open every recorded key must be in the
 * key file and match: a wrong or missing key file stops the open with a {@link DataKeyError} saying
 * which key is needed, instead of reading garbage or sealing new rows under a second key.
 */

const CHECKS_SETTING = 'dataKey.checks';
/** Schema version from which face_templates has key_id (migration 9). */
const SEALED_SCHEMA = 9;
const DEFAULT_BATCH = 500;

export interface DataKeyOptions {
  /** The key file (see data-key-file.ts). */
  keyFile: string;
  readonly?: boolean;
  warn?: Warn;
  /** Seal plaintext rows now (default true when not read-only). */
  sealPlaintext?: boolean;
}

const checksOf = (db: Db) => new SettingsRepo(db).get<Record<string, string>>(CHECKS_SETTING, {});

function recordCheck(db: Db, key: DataKey): void {
  const checks = checksOf(db);
  if (checks[keyIdHex(key.id)] === key.check) return;
  new SettingsRepo(db).set(CHECKS_SETTING, { ...checks, [keyIdHex(key.id)]: key.check });
}

/** Whether `db` has the tables and columns of sealed templates (else there is nothing to key). */
export function hasSealedSchema(db: Db): boolean {
  return (db.pragma('user_version', { simple: true }) as number) >= SEALED_SCHEMA;
}

/**
 * Verify `keyring` against what `db` records; throws {@link DataKeyError} naming the key needed.
 * Also checks every key id rows actually carry, so rows sealed by a process that recorded nothing
 * cannot slip by.
 */
export function verifyKeyring(db: Db, keyring: Keyring, keyFile: string): void {
  const checks = checksOf(db);
  const needed = new Set([...Object.keys(checks), ...new TemplatesRepo(db).keyIdsInUse().map(keyIdHex)]);
  for (const idHex of needed) {
    const key = keyring.get(parseInt(idHex, 16));
    const holds = keyring.all.map((k) => keyIdHex(k.id)).join(', ');
    if (!key) {
      throw new DataKeyError(
        `the face templates in ${db.name} are sealed with data key ${idHex}, which ${keyFile} does not hold ` +
          `(it holds ${holds}): this is the wrong key file. Point HADIR_DATA_KEY_FILE at the key file this ` +
          'database was used with.',
      );
    }
    if (checks[idHex] !== undefined && checks[idHex] !== key.check) {
      throw new DataKeyError(`${keyFile}: key ${idHex} does not match the check value ${db.name} recorded for it`);
    }
  }
}

/**
 * Load the data key for an open database and attach it (TemplatesRepo seals and opens with it).
 * First use of a database with no sealed data creates the key file; a database with sealed data and
 * no key file is refused. Rows still plaintext (a database from before migration 9) are then sealed.
 */
export function openDataKey(db: Db, opts: DataKeyOptions): Keyring | null {
  if (!hasSealedSchema(db)) return null;
  const checks = checksOf(db);
  const sealedIds = new TemplatesRepo(db).keyIdsInUse();
  let keys = readKeyFile(opts.keyFile, opts.warn);
  if (!keys) {
    const needed = [...new Set([...Object.keys(checks), ...sealedIds.map(keyIdHex)])];
    if (needed.length > 0) {
      throw new DataKeyError(
        `the face templates in ${db.name} are sealed with data key ${needed.join(', ')}, but the key file ` +
          `${opts.keyFile} does not exist. Restore it (or point HADIR_DATA_KEY_FILE at it): without it the ` +
          'templates cannot be read, and Hadir will not make a new key for a database that has one.',
      );
    }
    if (opts.readonly) return null;
    keys = createKeyFile(opts.keyFile);
  }
  const keyring = keyFileKeyring(opts.keyFile, keys);
  verifyKeyring(db, keyring, opts.keyFile);
  if (!opts.readonly) recordCheck(db, keyring.current);
  attachKeyring(db, keyring);
  if (!opts.readonly && opts.sealPlaintext !== false) sealRows(db, { plaintextOnly: true });
  return keyring;
}

/**
 * Whether `keyFile` opens the sealed templates of the database file `file` (a backup about to be
 * restored), checked read-only; throws {@link DataKeyError} saying which key is needed.
 */
export function checkKeyFileFor(file: string, keyFile: string): void {
  const db = openFile(file, { readonly: true });
  try {
    if (!hasSealedSchema(db)) return;
    const needed = [...new Set([...Object.keys(checksOf(db)), ...new TemplatesRepo(db).keyIdsInUse().map(keyIdHex)])];
    if (needed.length === 0) return;
    const keys = readKeyFile(keyFile);
    if (!keys) {
      throw new DataKeyError(
        `the face templates in ${file} are sealed with data key ${needed.join(', ')}, and the key file ${keyFile} does not exist`,
      );
    }
    verifyKeyring(db, new Keyring(keys), keyFile);
  } finally {
    db.close();
  }
}

export interface SealProgress {
  done: number;
  remaining: number;
}

/**
 * Seal every row not sealed with the current key (`plaintextOnly`: rows not sealed at all), `batch`
 * rows per transaction: a killed run leaves whole batches done and the rest as they were, and the next
 * run picks up from `key_id`. The WAL is then checkpointed so old page images (plaintext, or the old
 * key's ciphertext) do not linger there. Returns how many rows it sealed.
 */
export function sealRows(
  db: Db,
  opts: { plaintextOnly?: boolean; batch?: number; onBatch?: (p: SealProgress) => void } = {},
): number {
  const keyring = keyringOf(db);
  if (!keyring) throw new DataKeyError(`${db.name} was opened without the data key`);
  const templates = new TemplatesRepo(db);
  const batch = Math.max(1, Math.floor(opts.batch ?? DEFAULT_BATCH));
  const plaintextOnly = opts.plaintextOnly === true;
  let done = 0;
  let after = 0;
  for (;;) {
    const n = db
      .transaction(() => {
        const rows = templates.unsealedBatch(after, batch, keyring.current.id, plaintextOnly);
        for (const r of rows) templates.reseal(r);
        if (rows.length) after = rows[rows.length - 1].id;
        return rows.length;
      })
      .immediate();
    if (n === 0) break;
    done += n;
    opts.onBatch?.({ done, remaining: templates.countNotSealedWith(plaintextOnly ? null : keyring.current.id) });
  }
  if (done > 0) checkpointTruncate(db);
  return done;
}

export interface RotationResult {
  /** The key rows are now sealed with. */
  keyId: string;
  /** Whether a new key was made (false: an interrupted rotation was finished with the key it had made). */
  newKey: boolean;
  resealed: number;
}

/**
 * `hadir keys rotate-data-key`: re-seal every template and thumbnail under a new key, in place.
 *
 * 1. When every row is already sealed with the current key, a new key is put first in the key file
 *    (the old ones stay: other data folders and older backups open with them) and its check value is
 *    recorded. When rows under other keys remain, a rotation was interrupted: no new key, finish it.
 * 2. Rows are re-sealed in batches, one transaction each (see {@link sealRows}).
 * A kill at any point leaves every row readable (old key or new, both in the key file), and running
 * the command again finishes the job.
 */
export function rotateDataKey(
  db: Db,
  keyFile: string,
  opts: { batch?: number; onBatch?: (p: SealProgress) => void; now?: Date } = {},
): RotationResult {
  const keyring = keyringOf(db);
  if (!keyring) throw new DataKeyError(`${db.name} was opened without the data key`);
  keyring.reload();
  const templates = new TemplatesRepo(db);
  let newKey = false;
  if (templates.countNotSealedWith(keyring.current.id) === 0) {
    const key = addKeyToKeyFile(keyFile, opts.now);
    keyring.reload();
    if (keyring.current.id !== key.id) throw new DataKeyError(`${keyFile} changed while the new key was written`);
    newKey = true;
  }
  recordCheck(db, keyring.current);
  const resealed = sealRows(db, { batch: opts.batch, onBatch: opts.onBatch });
  return { keyId: keyIdHex(keyring.current.id), newKey, resealed };
}
