import type { Sql } from './db';

export type HubRole = 'admin' | 'personnel' | 'site-head';

export async function insertOperator(
  sql: Sql,
  o: { username: string; displayName: string; role: HubRole; secretHash: string; siteIds: readonly number[] },
): Promise<{ id: number }> {
  const { rows } = await sql.query<{ id: number }>(
    `INSERT INTO operators (username, display_name, role, secret_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
    [o.username, o.displayName, o.role, o.secretHash],
  );
  if (o.siteIds.length) {
    await sql.query('INSERT INTO operator_sites (operator_id, site_id) SELECT $1, unnest($2::bigint[])', [
      rows[0].id,
      [...new Set(o.siteIds)],
    ]);
  }
  return rows[0];
}

export async function insertApiKey(
  sql: Sql,
  k: { name: string; prefix: string; keyHash: string; scopes: readonly string[] },
): Promise<{ id: number; created_at: Date }> {
  const { rows } = await sql.query<{ id: number; created_at: Date }>(
    `INSERT INTO api_keys (name, prefix, key_hash, scopes) VALUES ($1, $2, $3, $4::text[]) RETURNING id, created_at`,
    [k.name, k.prefix, k.keyHash, k.scopes],
  );
  return rows[0];
}

/** The key's scopes, when it exists and is not revoked (marking it used). */
export async function useApiKey(
  sql: Sql,
  keyHash: string,
): Promise<{ id: number; name: string; scopes: string[] } | null> {
  const { rows } = await sql.query<{ id: number; name: string; scopes: string[] }>(
    `UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL RETURNING id, name, scopes`,
    [keyHash],
  );
  return rows[0] ?? null;
}
