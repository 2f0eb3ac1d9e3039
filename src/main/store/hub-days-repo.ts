import type { HubDay } from '../../shared/sync-protocol';
import type { Db } from './db';

/**
 * A day as the kiosk keeps the hub's record of it (migration 12): the wire's day (sync-protocol.ts) with
 * its two moments flattened into columns, the person's hub id under its column name, and when it came.
 */
export type HubDayRow = Pick<
  HubDay,
  | 'employee_number'
  | 'date'
  | 'late'
  | 'late_seconds'
  | 'early'
  | 'early_seconds'
  | 'corrected'
  | 'correction_reason'
  | 'status'
> & {
  person_hub_id: string;
  /** ISO-8601 UTC. */
  first_in_at: string | null;
  first_in_site: string | null;
  /** ISO-8601 UTC. */
  last_out_at: string | null;
  last_out_site: string | null;
  fetched_at: string;
};

type Raw = Omit<HubDayRow, 'late' | 'early' | 'corrected'> & {
  late: number | null;
  early: number;
  corrected: number;
};

const utc = (iso: string) => new Date(iso).toISOString();

/** The SQL of the hub's days (the sync service writes them; attendance-repo.ts reads them with the records). */
export class HubDaysRepo {
  constructor(private readonly db: Db) {}

  /**
   * The dates [from, to] become exactly `days` (what the hub answered for them): a day it no longer
   * has, such as one a correction emptied or of someone no longer the site's, leaves. One transaction.
   */
  replaceRange(from: string, to: string, days: readonly HubDay[], fetchedAt: string): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO hub_days (employee_number, date, person_hub_id, first_in_at, first_in_site, last_out_at,
         last_out_site, late, late_seconds, early, early_seconds, corrected, correction_reason, status, fetched_at)
       VALUES (@employee_number, @date, @hub_id, @first_in_at, @first_in_site, @last_out_at, @last_out_site, @late,
         @late_seconds, @early, @early_seconds, @corrected, @correction_reason, @status, @fetched_at)`,
    );
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM hub_days WHERE date BETWEEN ? AND ?').run(from, to);
        for (const d of days) {
          insert.run({
            employee_number: d.employee_number,
            date: d.date,
            hub_id: d.hub_id,
            first_in_at: d.first_in ? utc(d.first_in.time) : null,
            first_in_site: d.first_in?.site ?? null,
            last_out_at: d.last_out ? utc(d.last_out.time) : null,
            last_out_site: d.last_out?.site ?? null,
            late: d.late === null ? null : d.late ? 1 : 0,
            late_seconds: d.late_seconds,
            early: d.early ? 1 : 0,
            early_seconds: d.early_seconds,
            corrected: d.corrected ? 1 : 0,
            correction_reason: d.correction_reason,
            status: d.status,
            fetched_at: fetchedAt,
          });
        }
      })
      .immediate();
  }

  /** Everything the hub said of a person (deleted by replication: deletion deletes everywhere). */
  deleteForPerson(hubId: string, employeeNumber: string): number {
    return this.db
      .prepare('DELETE FROM hub_days WHERE person_hub_id = ? OR employee_number = ?')
      .run(hubId, employeeNumber).changes;
  }

  get(employeeNumber: string, date: string): HubDayRow | null {
    const r = this.db
      .prepare('SELECT * FROM hub_days WHERE employee_number = ? AND date = ?')
      .get(employeeNumber, date) as Raw | undefined;
    return r
      ? { ...r, late: r.late === null ? null : r.late === 1, early: r.early === 1, corrected: r.corrected === 1 }
      : null;
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM hub_days').pluck().get() as number;
  }
}
