import type { Db } from './db';

/** A pairing code as stored: never the code itself. */
export interface PairingCodeRow {
  id: number;
  name: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  key_id: number | null;
}

/** The SQL of door-tablet pairing codes (hashed, single use). */
export class PairingRepo {
  constructor(private readonly db: Db) {}

  insert(c: { code_hash: string; name: string; created_by: string | null; at: string; expires_at: string }): number {
    const info = this.db
      .prepare(
        `INSERT INTO kiosk_pairing_codes (code_hash, name, created_by, created_at, expires_at)
         VALUES (@code_hash, @name, @created_by, @at, @expires_at)`,
      )
      .run(c);
    return Number(info.lastInsertRowid);
  }

  /**
   * Spend the code with this hash, if it is unused and not expired at `now`: one statement, so two
   * tablets racing with the same code cannot both win. Null when there was nothing to spend.
   */
  spend(codeHash: string, now: string): PairingCodeRow | null {
    const r = this.db
      .prepare(
        `UPDATE kiosk_pairing_codes SET used_at = @now
          WHERE code_hash = @hash AND used_at IS NULL AND expires_at > @now
          RETURNING id, name, created_by, created_at, expires_at, used_at, key_id`,
      )
      .get({ hash: codeHash, now }) as PairingCodeRow | undefined;
    return r ?? null;
  }

  /** Record the key a spent code was traded for. */
  linkKey(id: number, keyId: number): void {
    this.db.prepare('UPDATE kiosk_pairing_codes SET key_id = ? WHERE id = ?').run(keyId, id);
  }

  /** Forget codes that expired before `before` (spent or not): they can no longer be used. */
  purgeExpired(before: string): number {
    return this.db.prepare('DELETE FROM kiosk_pairing_codes WHERE expires_at < ?').run(before).changes;
  }
}
