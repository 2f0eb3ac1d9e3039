import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSelfSigned } from './tls';
import { backupDatabase, restoreDatabase } from '../services/backup';
import { openDb } from '../store/db';

/**
 * Files holding personal data or secrets are created owner-only on POSIX, and existing ones found open
 * to others are tightened. Real files, stat-ed: the tests run as root, so they check modes, not access.
 * Here in api/ because it covers all three layers that write such files: the store (the database), the
 * services (backups) and the API (its TLS key).
 */

const mode = (f: string) => statSync(f).mode & 0o777;

describe.skipIf(process.platform === 'win32')('private files', () => {
  let root: string;
  let savedUmask: number;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'hadir-modes-'));
    // The usual desktop umask: without care, files would be born 0644 and folders 0755.
    savedUmask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(savedUmask);
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the database, its WAL and shared-memory files 0600 in a new 0700 folder', () => {
    const dir = path.join(root, 'data');
    const file = path.join(dir, 'hadir.db');
    const db = openDb({ file });
    try {
      db.prepare('SELECT count(*) FROM people').get();
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(mode(dir)).toBe(0o700);
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    } finally {
      db.close();
    }
    // The umask of the process is as it was.
    expect(process.umask(0o022)).toBe(0o022);
  });

  it('tightens an existing database found readable by others, and says so', () => {
    const file = path.join(root, 'hadir.db');
    openDb({ file }).close();
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const db = openDb({ file, warn: (m) => warnings.push(m) });
    db.close();
    expect(mode(file)).toBe(0o600);
    expect(warnings.join('\n')).toMatch(/hadir\.db was readable by other users \(mode 644\)/);
  });

  it('writes backups, their partial copies and the copy kept before a restore 0600', async () => {
    const file = path.join(root, 'hadir.db');
    const db = openDb({ file });
    const seen = new Set<number>();
    const backups = path.join(root, 'backups') + path.sep;
    const result = await backupDatabase(db, backups, {
      onProgress: () => {
        for (const name of readdirSync(backups)) seen.add(mode(path.join(backups, name)));
      },
    });
    db.close();
    expect(mode(result.file)).toBe(0o600);
    expect(mode(path.dirname(result.file))).toBe(0o700);
    // The .partial file was private while it was being written.
    expect([...seen]).toEqual([0o600]);

    const restored = await restoreDatabase(result.file, file);
    expect(restored.keptAside).not.toBeNull();
    expect(mode(restored.keptAside!)).toBe(0o600);
    expect(mode(file)).toBe(0o600);
  });

  it('keeps the self-signed TLS key and certificate private, and tightens a key left open', async () => {
    const dir = path.join(root, 'tls');
    const first = await ensureSelfSigned(dir, ['127.0.0.1']);
    const files = readdirSync(dir).map((n) => path.join(dir, n));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect([f, mode(f)]).toEqual([f, 0o600]);
    expect(mode(dir)).toBe(0o700);
    const key = files.find((f) => /key/.test(path.basename(f)))!;
    chmodSync(key, 0o644);
    const again = await ensureSelfSigned(dir, ['127.0.0.1']);
    expect(again.fingerprint256).toBe(first.fingerprint256);
    expect(mode(key)).toBe(0o600);
  });

  it('leaves the mode of a folder it did not create alone, but still makes the files private', () => {
    chmodSync(root, 0o755);
    const file = path.join(root, 'elsewhere.db');
    openDb({ file }).close();
    expect(mode(root)).toBe(0o755);
    expect(mode(file)).toBe(0o600);
  });
});
