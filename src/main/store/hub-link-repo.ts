import type { SyncSite } from '../../shared/sync-protocol';
import type { Db } from './db';

/** The kiosk's link to its hub (one row, or none for a standalone kiosk). */
export interface HubLink {
  hub_url: string;
  hub_id: string;
  device_id: string;
  site_code: string;
  site: SyncSite;
  /** The cursor of the last applied page; null: the next pull starts a snapshot. */
  cursor: string | null;
  pack_id: string;
  joined_at: string;
  last_contact_at: string | null;
  offline_since: string | null;
  last_error: string | null;
  revoked_at: string | null;
  clock_offset_ms: number | null;
  /** True from the first page of a snapshot until its last one is applied. */
  snapshot_active: boolean;
  snapshot_done: number | null;
  snapshot_total: number | null;
}

export interface NewHubLink {
  hub_url: string;
  hub_id: string;
  device_id: string;
  site: SyncSite;
  pack_id: string;
  joined_at: string;
  clock_offset_ms: number | null;
}

interface HubLinkRow extends Omit<HubLink, 'site' | 'snapshot_active'> {
  site: string;
  snapshot_active: number;
}

/** The hub link's SQL. Callers own the transactions. */
export class HubLinkRepo {
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT * FROM hub_link WHERE id = 1');
  }

  get(): HubLink | null {
    const r = this.getStmt.get() as (HubLinkRow & { id: number }) | undefined;
    if (!r) return null;
    const { id: _id, ...rest } = r;
    return { ...rest, site: JSON.parse(r.site) as SyncSite, snapshot_active: r.snapshot_active === 1 };
  }

  /** Whether this kiosk is joined to a hub (cheap: for the checks that refuse local edits). */
  joined(): boolean {
    return this.db.prepare('SELECT 1 FROM hub_link').pluck().get() !== undefined;
  }

  /**
   * Link the kiosk to a hub (replacing a previous, revoked link). The replica starts from a snapshot,
   * and the outbox is renumbered from 1: the hub acknowledges each device's events contiguously from
   * seq 1, and a new device id starts a new sequence (events still pending from before go first).
   */
  create(link: NewHubLink): void {
    this.db.prepare('DELETE FROM hub_link').run();
    this.db
      .prepare(
        `INSERT INTO hub_link (id, hub_url, hub_id, device_id, site_code, site, cursor, pack_id, joined_at,
           clock_offset_ms, snapshot_active)
         VALUES (1, @hub_url, @hub_id, @device_id, @site_code, @site, NULL, @pack_id, @joined_at, @clock_offset_ms, 1)`,
      )
      .run({ ...link, site_code: link.site.code, site: JSON.stringify(link.site) });
    this.db.prepare('DELETE FROM hub_snapshot_seen').run();
    const first = this.db.prepare('SELECT min(seq) FROM hub_outbox').pluck().get() as number | null;
    if (first !== null && first > 1) this.db.prepare('UPDATE hub_outbox SET seq = seq - ?').run(first - 1);
    this.db
      .prepare(
        "UPDATE sqlite_sequence SET seq = (SELECT coalesce(max(seq), 0) FROM hub_outbox) WHERE name = 'hub_outbox'",
      )
      .run();
  }

  /**
   * Move to the next page's cursor if the link is still at `from` (another process — a `hadir join`
   * beside a running kiosk — may have applied the page first). Returns whether it moved.
   */
  advance(
    from: string | null,
    to: string,
    snapshot: { active: boolean; done: number | null; total: number | null },
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE hub_link SET cursor = @to, snapshot_active = @active, snapshot_done = @done, snapshot_total = @total
           WHERE id = 1 AND cursor IS @from`,
        )
        .run({ from, to, active: snapshot.active ? 1 : 0, done: snapshot.done, total: snapshot.total }).changes > 0
    );
  }

  /** Start again from a snapshot (the hub refused the cursor). */
  restartSnapshot(): void {
    this.db
      .prepare(
        'UPDATE hub_link SET cursor = NULL, snapshot_active = 1, snapshot_done = NULL, snapshot_total = NULL WHERE id = 1',
      )
      .run();
  }

  setSite(site: SyncSite): void {
    this.db.prepare('UPDATE hub_link SET site = ?, site_code = ? WHERE id = 1').run(JSON.stringify(site), site.code);
  }

  /** The hub answered: online again; the clock offset is updated when measured. */
  markContact(at: string, clockOffsetMs?: number): void {
    this.db
      .prepare(
        `UPDATE hub_link SET last_contact_at = @at, offline_since = NULL, last_error = NULL,
           clock_offset_ms = coalesce(@offset, clock_offset_ms) WHERE id = 1`,
      )
      .run({ at, offset: clockOffsetMs === undefined ? null : Math.round(clockOffsetMs) });
  }

  /** A failure: offline since the first one after the last answer. */
  markFailure(at: string, message: string, offline: boolean): void {
    this.db
      .prepare(
        `UPDATE hub_link SET last_error = @message,
           offline_since = CASE WHEN @offline = 1 THEN coalesce(offline_since, @at) ELSE offline_since END
         WHERE id = 1`,
      )
      .run({ at, message, offline: offline ? 1 : 0 });
  }

  markRevoked(at: string, message: string): void {
    this.db.prepare('UPDATE hub_link SET revoked_at = ?, last_error = ? WHERE id = 1').run(at, message);
  }

  // --- The snapshot's sweep ------------------------------------------------------------------------

  clearSeen(): void {
    this.db.prepare('DELETE FROM hub_snapshot_seen').run();
  }

  markSeen(hubId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO hub_snapshot_seen (hub_id) VALUES (?)').run(hubId);
  }

  /** Replicated people the finished snapshot did not send: the site no longer has them. */
  unseenPeople(): { id: number; hub_id: string; employee_number: string }[] {
    return this.db
      .prepare(
        `SELECT id, hub_id, employee_number FROM people
         WHERE hub_id IS NOT NULL AND hub_id NOT IN (SELECT hub_id FROM hub_snapshot_seen) ORDER BY id`,
      )
      .all() as { id: number; hub_id: string; employee_number: string }[];
  }
}
