import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { userDataDir } from '../paths';
import {
  type DataKey,
  DataKeyError,
  dataKeyFromBytes,
  KEY_BYTES,
  Keyring,
  keyIdHex,
  newDataKeyBytes,
} from './data-cipher';
import { checkPrivate, ensurePrivateDir, PRIVATE_FILE_MODE, type Warn } from './private-files';

/**
 * Where the data key lives, and how it is read and written.
 *
 * The app, the CLI and the headless server share one key file per user, OUTSIDE the data folder (a
 * copy of the data folder or a backup must not carry its key): `HADIR_DATA_KEY_FILE`, else
 * `<per-user config>/hadir-keys/data.key` (`%APPDATA%\Hadir Keys\data.key` on Windows,
 * `~/Library/Application Support/Hadir Keys/data.key` on macOS). 0600 in a 0700 folder.
 *
 * The file is JSON: `{"format": "hadir.data-key/1", "keys": [{"id", "key", "created_at"}]}`, the first
 * key current. Rotation puts a new key first and keeps the older ones: rows not yet re-encrypted, another
 * data folder of the same user, and backups made before the rotation still open with them.
 *
 * The hub reads its keys from `HADIR_HUB_DATA_KEY` (base64 keys, comma-separated, current first) or
 * `HADIR_HUB_DATA_KEY_FILE` (this file format), never from PostgreSQL.
 */

const FORMAT = 'hadir.data-key/1';

interface KeyFileEntry {
  id: string;
  key: string;
  created_at: string;
}

export function defaultDataKeyFile(): string {
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Hadir Keys', 'data.key');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Hadir Keys', 'data.key');
    default:
      return path.join(process.env.XDG_CONFIG_HOME || path.join(home, '.config'), 'hadir-keys', 'data.key');
  }
}

const isInside = (file: string, dir: string) => {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/**
 * The key file for a database: `HADIR_DATA_KEY_FILE` or the default. Refused inside the data folder or
 * the database's own folder, where a copy of the folder would take the key along.
 */
export function dataKeyFileFor(dbFile: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const file = path.resolve(env.HADIR_DATA_KEY_FILE || defaultDataKeyFile());
  for (const dir of [userDataDir(), ...(dbFile ? [path.dirname(path.resolve(dbFile))] : [])]) {
    if (isInside(file, dir)) {
      throw new DataKeyError(
        `the data key file ${file} is inside the data folder ${dir}: a copy of the folder would carry the key. ` +
          'Move it elsewhere (HADIR_DATA_KEY_FILE), e.g. to the default place ' +
          defaultDataKeyFile(),
      );
    }
  }
  return file;
}

function parseKeyFile(file: string, text: string): DataKey[] {
  let doc: { format?: unknown; keys?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    throw new DataKeyError(`the data key file ${file} is not valid JSON`, { cause: e });
  }
  if (doc.format !== FORMAT || !Array.isArray(doc.keys) || doc.keys.length === 0) {
    throw new DataKeyError(`the data key file ${file} is not a Hadir data key file (${FORMAT}) with at least one key`);
  }
  return (doc.keys as Partial<KeyFileEntry>[]).map((e, i) => {
    const raw = typeof e.key === 'string' ? Buffer.from(e.key, 'base64') : Buffer.alloc(0);
    if (raw.length !== KEY_BYTES)
      throw new DataKeyError(`the data key file ${file}: key ${i + 1} is not ${KEY_BYTES} bytes`);
    const key = dataKeyFromBytes(raw);
    if (e.id !== keyIdHex(key.id)) {
      throw new DataKeyError(`the data key file ${file}: key ${i + 1} does not match its id ${String(e.id)} (damaged)`);
    }
    return key;
  });
}

/** The keys in `file` (current first), or null when it does not exist. The file's mode is checked. */
export function readKeyFile(file: string, warn?: Warn): DataKey[] | null {
  if (!existsSync(file)) return null;
  checkPrivate(path.dirname(file), { dir: true, warn });
  checkPrivate(file, { warn });
  return parseKeyFile(file, readFileSync(file, 'utf8'));
}

/** Write the entries to `file` atomically (a private temporary file, fsync, rename). */
function writeKeyFile(file: string, entries: KeyFileEntry[], opts: { exclusive?: boolean } = {}): void {
  ensurePrivateDir(path.dirname(file));
  const body = JSON.stringify({ format: FORMAT, keys: entries }, null, 2) + '\n';
  if (opts.exclusive) {
    // First use: two processes starting at once must not each make a key. 'wx' lets one win.
    const fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

const entryFor = (raw: Buffer, now: Date): KeyFileEntry => ({
  id: keyIdHex(dataKeyFromBytes(raw).id),
  key: raw.toString('base64'),
  created_at: now.toISOString(),
});

/** Make the key file with one new key (first use). If another process made it meanwhile, read theirs. */
export function createKeyFile(file: string, now: Date = new Date()): DataKey[] {
  try {
    writeKeyFile(file, [entryFor(newDataKeyBytes(), now)], { exclusive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return readKeyFile(file)!;
}

/** Put a new key first in `file`, keeping the others; returns the new key. */
export function addKeyToKeyFile(file: string, now: Date = new Date()): DataKey {
  const text = readFileSync(file, 'utf8');
  parseKeyFile(file, text);
  const entries = (JSON.parse(text) as { keys: KeyFileEntry[] }).keys;
  const raw = newDataKeyBytes();
  writeKeyFile(file, [entryFor(raw, now), ...entries]);
  return dataKeyFromBytes(raw);
}

/** A keyring over a key file, re-read when the file changes (a rotation by another process). */
export function keyFileKeyring(file: string, keys: readonly DataKey[]): Keyring {
  const stamp = () => {
    try {
      const s = statSync(file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return '';
    }
  };
  let seen = stamp();
  return new Keyring(keys, {
    reload: () => {
      seen = stamp();
      try {
        return readKeyFile(file);
      } catch {
        return null; // a damaged file mid-run: keep the keys already held
      }
    },
    changed: () => stamp() !== seen,
  });
}

/**
 * The hub's keys: `HADIR_HUB_DATA_KEY` (one or more base64 keys, comma-separated, the current first) or
 * `HADIR_HUB_DATA_KEY_FILE` (a key file as above). Never from PostgreSQL: a dump of the database must
 * not carry its key. Throws {@link DataKeyError} when neither is set or the key is malformed.
 */
export function hubKeyring(env: NodeJS.ProcessEnv = process.env): Keyring {
  if (env.HADIR_HUB_DATA_KEY) {
    const keys = env.HADIR_HUB_DATA_KEY.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s, i) => {
        const raw = Buffer.from(s, 'base64');
        if (raw.length !== KEY_BYTES) {
          throw new DataKeyError(`HADIR_HUB_DATA_KEY: key ${i + 1} is not ${KEY_BYTES} bytes of base64`);
        }
        return dataKeyFromBytes(raw);
      });
    return new Keyring(keys);
  }
  if (env.HADIR_HUB_DATA_KEY_FILE) {
    const file = path.resolve(env.HADIR_HUB_DATA_KEY_FILE);
    const keys = readKeyFile(file);
    if (!keys) throw new DataKeyError(`HADIR_HUB_DATA_KEY_FILE: ${file} does not exist`);
    return keyFileKeyring(file, keys);
  }
  throw new DataKeyError(
    'the hub needs its data key: set HADIR_HUB_DATA_KEY (base64, e.g. from `openssl rand -base64 32`) ' +
      'or HADIR_HUB_DATA_KEY_FILE; it is never read from PostgreSQL',
  );
}
