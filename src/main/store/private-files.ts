import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Files that hold personal data (the database, its WAL and shared-memory files, backups and their
 * partial copies) or secrets (TLS keys) are readable by their owner only: 0600, in 0700 folders. On
 * POSIX they are created that way — before a byte of data is written, not chmod-ed afterwards — and an
 * existing file found open to others is reported, and tightened when this user owns it. Windows has no
 * mode bits (its ACLs follow the user profile folder the data lives in): nothing to do there.
 */

const POSIX = process.platform !== 'win32';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Where a warning about a file open to others goes (default: stderr). */
export type Warn = (message: string) => void;

const defaultWarn: Warn = (m) => process.stderr.write(`hadir: warning: ${m}\n`);

const ownedByMe = (uid: number) => typeof process.getuid !== 'function' || process.getuid() === uid;

/** Create `dir` (and parents) as 0700 where it does not exist; returns whether it was created. */
export function ensurePrivateDir(dir: string): boolean {
  if (existsSync(dir)) return false;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return true;
}

/** Create an empty file with mode 0600 unless it exists (SQLite then opens it and keeps its mode). */
export function createPrivateFile(file: string): void {
  if (!POSIX) return;
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/**
 * Check that `target` (a file, or a folder with `dir: true`) is closed to group and others; if not, warn
 * and, when this user owns it and `tighten` is not false, chmod it to 0600/0700. Missing: nothing.
 * Returns the mode it has afterwards (null when missing or not POSIX).
 */
export function checkPrivate(
  target: string,
  opts: { dir?: boolean; tighten?: boolean; warn?: Warn } = {},
): number | null {
  if (!POSIX || !existsSync(target)) return null;
  const st = statSync(target);
  const mode = st.mode & 0o777;
  if ((mode & 0o077) === 0) return mode;
  const want = opts.dir ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
  const warn = opts.warn ?? defaultWarn;
  if (opts.tighten !== false && ownedByMe(st.uid)) {
    chmodSync(target, want);
    warn(`${target} was readable by other users (mode ${mode.toString(8)}); it is now ${want.toString(8)}`);
    return want;
  }
  warn(
    `${target} is readable by other users (mode ${mode.toString(8)}) and belongs to someone else: ` +
      `make it ${want.toString(8)} (it holds personal data)`,
  );
  return mode;
}

/**
 * Run `fn` with the process umask at 077, so whatever it creates (SQLite's -wal/-shm/-journal files, a
 * backup's copy) is born private. The umask is process-wide, so `fn` must be synchronous; worker
 * threads cannot change it and run `fn` as it is.
 */
export function withPrivateUmask<T>(fn: () => T): T {
  if (!POSIX) return fn();
  let previous: number | null = null;
  try {
    previous = process.umask(0o077);
  } catch {
    previous = null; // a worker thread: no umask to set
  }
  try {
    return fn();
  } finally {
    if (previous !== null) process.umask(previous);
  }
}

/**
 * Delete the copies a restore kept aside beside the database (`<db>.before-restore-<time>`, with any
 * `-wal`/`-shm`): they hold every person as they were, photos and templates included, so a person's
 * deletion must not live on in them. Returns the names removed.
 */
export function removePreRestoreCopies(dbFile: string): string[] {
  const dir = path.dirname(dbFile);
  const prefix = `${path.basename(dbFile)}.before-restore-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
  for (const n of names) rmSync(path.join(dir, n), { force: true });
  return names;
}
