import type { ApiKeyInfo, ApiKeyScope } from '../../shared/access';
import type { Db } from './db';

interface ApiKeyRow extends Omit<ApiKeyInfo, 'scopes'> {
  scopes: string;
}

const toInfo = (r: ApiKeyRow): ApiKeyInfo => ({ ...r, scopes: JSON.parse(r.scopes) as ApiKeyScope[] });

const COLUMNS = 'id, name, prefix, scopes, created_at, revoked_at, last_used_at';

/** The SQL of API keys. Only hashes are stored. */
export class ApiKeysRepo {
  constructor(private readonly db: Db) {}

  insert(k: { name: string; prefix: string; key_hash: string; scopes: ApiKeyScope[]; at: string }): ApiKeyInfo {
    const info = this.db
      .prepare('INSERT INTO api_keys (name, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(k.name, k.prefix, k.key_hash, JSON.stringify(k.scopes), k.at);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): ApiKeyInfo | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).get(id) as ApiKeyRow | undefined;
    return r && toInfo(r);
  }

  /** The key with this hash, when it is not revoked. */
  findActiveByHash(keyHash: string): ApiKeyInfo | undefined {
    const r = this.db
      .prepare(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`)
      .get(keyHash) as ApiKeyRow | undefined;
    return r && toInfo(r);
  }

  list(): ApiKeyInfo[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM api_keys ORDER BY id`).all() as ApiKeyRow[]).map(toInfo);
  }

  countActive(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }).n;
  }

  revoke(id: number, at: string): boolean {
    return (
      this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0
    );
  }

  touch(id: number, at: string): void {
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
  }
}
