import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, openDb } from '../store/db';

/** A real SQLite file in a fresh temp folder, for tests; `cleanup` closes it and removes the folder. */
export function tempDb(prefix = 'hadir-test-'): { db: Db; dir: string; file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'hadir.db');
  const db = openDb({ file });
  return {
    db,
    dir,
    file,
    cleanup: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
