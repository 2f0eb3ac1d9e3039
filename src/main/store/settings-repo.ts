import type { Db } from './db';

/**
 * Site settings: one JSON value per key. Keys are dotted names; a few are well known:
 * `activePack`, `keepThumbnails`, `identify.margin`, `thresholds.<packId>`.
 */
export class SettingsRepo {
  private readonly getStmt;
  private readonly setStmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.setStmt = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  /** The stored value, or `fallback` when the key is absent. The caller vouches for the type. */
  get<T>(key: string): T | undefined;
  get<T>(key: string, fallback: T): T;
  get<T>(key: string, fallback?: T): T | undefined {
    const raw = this.getStmt.get(key) as string | undefined;
    return raw === undefined ? fallback : (JSON.parse(raw) as T);
  }

  set(key: string, value: unknown): void {
    if (value === undefined) throw new TypeError(`setting ${key}: undefined is not a value (use delete)`);
    this.setStmt.run(key, JSON.stringify(value), this.now().toISOString());
  }

  delete(key: string): boolean {
    return this.db.prepare('DELETE FROM settings WHERE key = ?').run(key).changes > 0;
  }

  /** Every setting whose key starts with `prefix` (all when omitted). */
  all(prefix = ''): Record<string, unknown> {
    const rows = this.db
      .prepare('SELECT key, value FROM settings WHERE substr(key, 1, length(?)) = ? ORDER BY key')
      .all(prefix, prefix) as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  }
}
