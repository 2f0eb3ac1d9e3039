import type { Sql } from './db';

/** Lock key taken by every transaction that appends to the change log (see {@link recordChange}). */
export const CHANGE_LOG_LOCK = 0x6861646972_02;
/** The channel hub processes LISTEN on; a notification carries nothing but "look again". */
export const CHANGES_CHANNEL = 'hadir_changes';

export type ChangeKind = 'person' | 'site';

export interface ChangeInput {
  kind: ChangeKind;
  /** people.id or sites.id */
  key: number;
  /** The person's uuid, kept so a kiosk can be told to delete someone who no longer exists. */
  personHubId?: string | null;
  /** Every site whose kiosks must hear of it: for a person, the sites before and after the change. */
  sites: readonly number[];
}

/**
 * Append to the change log; call inside the transaction that made the change.
 *
 * The advisory lock is what makes "everything after seq N" a safe question. A bigserial value is
 * taken at INSERT, not at COMMIT: without the lock, transaction A could take seq 5, transaction B seq
 * 6, B commit first, and a kiosk reading then would move its cursor to 6 and never see 5 when A
 * commits. Holding one transaction-scoped lock from before the INSERT until COMMIT means log numbers
 * are handed out in commit order, so whatever a reader sees is a prefix of the final log (rolled-back
 * numbers are gaps that stay gaps). Writers of the log serialise on it; their transactions are short.
 *
 * The NOTIFY is delivered at COMMIT and only wakes waiting readers, who re-read from their cursors.
 */
export async function recordChange(tx: Sql, c: ChangeInput): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOG_LOCK]);
  const { rows } = await tx.query<{ seq: number }>(
    'INSERT INTO changes (kind, key, person_hub_id, sites) VALUES ($1, $2, $3, $4::bigint[]) RETURNING seq',
    [c.kind, c.key, c.personHubId ?? null, [...new Set(c.sites)]],
  );
  await tx.query(`SELECT pg_notify('${CHANGES_CHANNEL}', '')`);
  return rows[0].seq;
}

/**
 * Append many entries at once (an import, a seeded test hub), under the same lock and notification as
 * {@link recordChange}: one statement, however many people. Call inside the transaction that made them.
 */
export async function recordChanges(tx: Sql, changes: readonly ChangeInput[]): Promise<void> {
  if (!changes.length) return;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOG_LOCK]);
  // Each entry's sites travel as a comma-separated text (unnest flattens a two-dimensional array).
  await tx.query(
    `INSERT INTO changes (kind, key, person_hub_id, sites)
     SELECT k, key, hub, string_to_array(sites, ',')::bigint[]
       FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[]) AS c(k, key, hub, sites)`,
    [
      changes.map((c) => c.kind),
      changes.map((c) => c.key),
      changes.map((c) => c.personHubId ?? null),
      changes.map((c) => [...new Set(c.sites)].join(',')),
    ],
  );
  await tx.query(`SELECT pg_notify('${CHANGES_CHANNEL}', '')`);
}

/** The newest committed log position (0 for an empty log). */
export async function headSeq(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ head: number }>('SELECT coalesce(max(seq), 0) AS head FROM changes');
  return rows[0].head;
}

export interface ChangeRow {
  seq: number;
  kind: ChangeKind;
  key: number;
  person_hub_id: string | null;
}

/** The log entries in (after, upto] that concern `siteId`, oldest first. */
export async function changesForSite(
  sql: Sql,
  siteId: number,
  after: number,
  upto: number,
  limit: number,
): Promise<ChangeRow[]> {
  const { rows } = await sql.query<ChangeRow>(
    `SELECT seq, kind, key, person_hub_id FROM changes
      WHERE seq > $2 AND seq <= $3 AND sites @> ARRAY[$1::bigint]
      ORDER BY seq LIMIT $4`,
    [siteId, after, upto, limit],
  );
  return rows;
}
