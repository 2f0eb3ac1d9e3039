import type { AttendanceEvent } from '../../shared/sync-protocol';
import type { Db } from './db';

/** An outbox row as the triggers of migration 007 wrote it; the clock offset is stamped at push time. */
export type OutboxEvent = Omit<AttendanceEvent, 'clock_offset_ms'>;

/**
 * The outbox of attendance events waiting for the hub. Rows are written only by the attendance
 * triggers (migration 007); this repository reads them oldest first and deletes what the hub
 * acknowledged. Nothing here ever drops an unacknowledged event.
 */
export class HubOutboxRepo {
  private readonly depthStmt;
  private readonly oldestStmt;
  private readonly ackStmt;

  constructor(private readonly db: Db) {
    // Acknowledgement deletes a prefix and the triggers append without gaps, so the rows are always one
    // contiguous range of seq: its length is the depth, read from the two ends of the index.
    this.depthStmt = db
      .prepare('SELECT coalesce((SELECT max(seq) FROM hub_outbox) - (SELECT min(seq) FROM hub_outbox) + 1, 0)')
      .pluck();
    this.oldestStmt = db.prepare('SELECT seq, event FROM hub_outbox ORDER BY seq LIMIT ?');
    this.ackStmt = db.prepare('DELETE FROM hub_outbox WHERE seq <= ?');
  }

  /** Events waiting. */
  depth(): number {
    return this.depthStmt.get() as number;
  }

  /** The oldest `limit` events, in seq order. */
  oldest(limit: number): OutboxEvent[] {
    const rows = this.oldestStmt.all(limit) as { seq: number; event: string }[];
    return rows.map((r) => ({ seq: r.seq, ...(JSON.parse(r.event) as Omit<OutboxEvent, 'seq'>) }));
  }

  /** Delete every event with seq ≤ `ackedSeq` (stored at the hub); returns how many. */
  acknowledge(ackedSeq: number): number {
    return this.ackStmt.run(ackedSeq).changes;
  }

  /** The last seq handed out (0 before any). */
  lastSeq(): number {
    return (
      (this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'hub_outbox'").pluck().get() as
        number | undefined) ?? 0
    );
  }
}
