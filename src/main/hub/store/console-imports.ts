import type { ImportRejectionView, ImportView } from '../../../shared/hub-admin';
import type { Sql } from './db';

/** The SQL of the console's photo imports (migration 8): a summary row per upload, counted as it goes. */

/** At most this many rejections are kept per import (the counts stay exact): the row stays small. */
export const MAX_KEPT_REJECTIONS = 1000;

/**
 * A `running` import not heard from for this long is reported `failed`: the process that ran it is
 * gone (killed, crashed) and no other process will finish it. Each person updates the row, and one
 * person takes seconds.
 */
const STALE = "interval '10 minutes'";

interface ImportRow {
  id: string;
  site: string;
  started_by: string;
  state: ImportView['state'];
  total: number;
  done: number;
  enrolled: number;
  skipped: number;
  rejected: number;
  failed: number;
  rejections: ImportRejectionView[];
  failures: ImportView['failures'];
  problems: string[];
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

const SELECT = `
  SELECT i.id, s.code AS site, i.started_by,
         CASE WHEN i.state = 'running' AND i.updated_at < now() - ${STALE} THEN 'failed' ELSE i.state END AS state,
         i.total, i.done, i.enrolled, i.skipped, i.rejected, i.failed, i.rejections, i.failures, i.problems,
         CASE WHEN i.state = 'running' AND i.updated_at < now() - ${STALE}
              THEN 'interrupted: the hub process running it stopped' ELSE i.error END AS error,
         i.started_at, i.finished_at
    FROM console_imports i JOIN sites s ON s.id = i.site_id`;

function view(r: ImportRow): ImportView {
  return { ...r, started_at: r.started_at.toISOString(), finished_at: r.finished_at?.toISOString() ?? null };
}

export async function insertImport(
  sql: Sql,
  e: { id: string; siteId: number; startedBy: string; total: number; problems: string[] },
): Promise<void> {
  await sql.query(
    `INSERT INTO console_imports (id, site_id, started_by, total, problems) VALUES ($1, $2, $3, $4, $5)`,
    [e.id, e.siteId, e.startedBy, e.total, JSON.stringify(e.problems.slice(0, 200))],
  );
}

export type ItemOutcome =
  | { kind: 'enrolled' | 'skipped' }
  | { kind: 'rejected'; rejection: ImportRejectionView }
  | { kind: 'failed'; failure: ImportView['failures'][number] };

/** One more person finished. */
export async function countItem(sql: Sql, id: string, o: ItemOutcome): Promise<void> {
  const rejection = o.kind === 'rejected' ? JSON.stringify([o.rejection]) : null;
  const failure = o.kind === 'failed' ? JSON.stringify([o.failure]) : null;
  await sql.query(
    `UPDATE console_imports SET
       done = done + 1,
       enrolled = enrolled + ($2 = 'enrolled')::int,
       skipped = skipped + ($2 = 'skipped')::int,
       rejected = rejected + ($2 = 'rejected')::int,
       failed = failed + ($2 = 'failed')::int,
       rejections = CASE WHEN $3::jsonb IS NOT NULL AND jsonb_array_length(rejections) < $5
                         THEN rejections || $3::jsonb ELSE rejections END,
       failures = CASE WHEN $4::jsonb IS NOT NULL AND jsonb_array_length(failures) < $5
                       THEN failures || $4::jsonb ELSE failures END,
       updated_at = now()
     WHERE id = $1`,
    [id, o.kind, rejection, failure, MAX_KEPT_REJECTIONS],
  );
}

export async function finishImport(sql: Sql, id: string, error: string | null): Promise<void> {
  await sql.query(
    `UPDATE console_imports SET state = $2, error = $3, finished_at = now(), updated_at = now() WHERE id = $1`,
    [id, error === null ? 'done' : 'failed', error],
  );
}

export async function importById(sql: Sql, id: string): Promise<ImportView | null> {
  const { rows } = await sql.query<ImportRow>(`${SELECT} WHERE i.id = $1`, [id]);
  return rows[0] ? view(rows[0]) : null;
}

/** The newest imports of the given sites (null: all). */
export async function recentImports(sql: Sql, sites: string[] | null, limit: number): Promise<ImportView[]> {
  const { rows } = await sql.query<ImportRow>(
    `${SELECT} WHERE $1::text[] IS NULL OR s.code = ANY($1) ORDER BY i.started_at DESC, i.id LIMIT $2`,
    [sites, limit],
  );
  return rows.map(view);
}
