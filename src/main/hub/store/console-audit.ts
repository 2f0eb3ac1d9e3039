import type { Sql } from './db';

export interface AuditQuery {
  /** Entries with a smaller id (the next, older page); null: from the newest. */
  before: number | null;
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
  /** An action ("person.delete"), or every action under a prefix that ends with a dot ("person."). */
  action: string | null;
  /** The actor's id ("siti", an API key's id) or "type:id" ("operator:siti"). */
  actor: string | null;
  limit: number;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: unknown;
}

/** Newest first, keyset by id: one more row than asked tells whether an older page exists. */
export async function auditPage(sql: Sql, q: AuditQuery): Promise<{ rows: AuditRow[]; more: boolean }> {
  const { rows } = await sql.query<AuditRow>(
    `SELECT id, at, actor_type, actor_id, action, target_type, target_id, details FROM audit_log
      WHERE ($1::bigint IS NULL OR id < $1)
        AND ($2::timestamptz IS NULL OR at >= $2)
        AND ($3::timestamptz IS NULL OR at < $3)
        AND ($4::text IS NULL OR action = $4 OR (right($4, 1) = '.' AND starts_with(action, $4)))
        AND ($5::text IS NULL OR actor_id = $5 OR actor_type || ':' || coalesce(actor_id, '') = $5)
      ORDER BY id DESC
      LIMIT $6`,
    [q.before, q.from?.toISOString() ?? null, q.to?.toISOString() ?? null, q.action, q.actor, q.limit + 1],
  );
  return { rows: rows.slice(0, q.limit), more: rows.length > q.limit };
}
