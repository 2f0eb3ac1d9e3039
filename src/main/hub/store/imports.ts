import type { ImportStatus } from '../../store/import-repo';
import type { Sql } from './db';

/** The SQL of `hadir hub import`: its progress table (migration 6) and what it asks of people's templates. */

export interface ImportItemRow {
  source: string;
  run_id: string;
  status: ImportStatus;
  person_id: number | null;
  reason: string | null;
  updated_at: Date;
}

export async function importItem(sql: Sql, source: string): Promise<ImportItemRow | null> {
  const { rows } = await sql.query<ImportItemRow>(
    'SELECT source, run_id, status, person_id, reason, updated_at FROM import_items WHERE source = $1',
    [source],
  );
  return rows[0] ?? null;
}

/** One item's outcome; the latest run's word replaces an earlier one (a retried rejection). */
export async function recordImportItem(
  sql: Sql,
  e: { source: string; runId: string; status: ImportStatus; personId: number | null; reason: string | null },
): Promise<void> {
  await sql.query(
    `INSERT INTO import_items (source, run_id, status, person_id, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (source) DO UPDATE SET run_id = excluded.run_id, status = excluded.status,
       person_id = excluded.person_id, reason = excluded.reason, updated_at = now()`,
    [e.source, e.runId, e.status, e.personId, e.reason],
  );
}

export async function importItems(sql: Sql, runId?: string): Promise<ImportItemRow[]> {
  const { rows } = await sql.query<ImportItemRow>(
    `SELECT source, run_id, status, person_id, reason, updated_at FROM import_items
      WHERE $1::text IS NULL OR run_id = $1 ORDER BY source`,
    [runId ?? null],
  );
  return rows;
}

/** A person's templates of one pack. */
export async function templateCount(sql: Sql, personId: number, packId: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    'SELECT count(*) AS n FROM face_templates WHERE person_id = $1 AND pack_id = $2',
    [personId, packId],
  );
  return rows[0].n;
}
