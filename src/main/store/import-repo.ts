import type { Db } from './db';

export type ImportStatus = 'enrolled' | 'rejected' | 'skipped';

export interface ImportItem {
  source: string;
  run_id: string;
  status: ImportStatus;
  person_id: number | null;
  reason: string | null;
  updated_at: string;
}

/** Progress of bulk imports: one row per imported person (a folder, or a group of files). */
export class ImportRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(source: string): ImportItem | null {
    return (
      (this.db.prepare('SELECT * FROM import_items WHERE source = ?').get(source) as ImportItem | undefined) ?? null
    );
  }

  /** Record the outcome of one item; call inside the transaction that enrolled the person. */
  record(item: {
    source: string;
    runId: string;
    status: ImportStatus;
    personId?: number | null;
    reason?: string | null;
  }): void {
    this.db
      .prepare(
        `INSERT INTO import_items (source, run_id, status, person_id, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (source) DO UPDATE SET run_id = excluded.run_id, status = excluded.status,
           person_id = excluded.person_id, reason = excluded.reason, updated_at = excluded.updated_at`,
      )
      .run(item.source, item.runId, item.status, item.personId ?? null, item.reason ?? null, this.now().toISOString());
  }

  /** Forget the import rows of a deleted person (their source paths name the person's photos). */
  deleteForPerson(personId: number): number {
    return this.db.prepare('DELETE FROM import_items WHERE person_id = ?').run(personId).changes;
  }

  list(runId?: string): ImportItem[] {
    return (
      runId === undefined
        ? this.db.prepare('SELECT * FROM import_items ORDER BY source').all()
        : this.db.prepare('SELECT * FROM import_items WHERE run_id = ? ORDER BY source').all(runId)
    ) as ImportItem[];
  }
}
