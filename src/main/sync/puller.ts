import type { ChangesPage } from '../../shared/sync-protocol';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { estimateClockOffset, type HubClient, type HubFailure } from './hub-client';
import { applyPage, type ApplyResult, purgeRemovedBytes } from './replica';

/** Pages are asked for this many items at most (the protocol's limit). */
export const PAGE_LIMIT = 500;
/** Caught up, the hub is asked to hold the request this long for the next change. */
export const LONG_POLL_S = 25;

export type PullOutcome =
  | { kind: 'page'; page: ChangesPage; result: ApplyResult }
  /** The hub refused the stored cursor (400): the replica starts again from a snapshot. */
  | { kind: 'restart'; failure: HubFailure }
  | { kind: 'failed'; failure: HubFailure };

export interface PullerOptions {
  db: Db;
  client: HubClient;
  packId: string;
  now?: () => Date;
}

/**
 * One step of the replica: ask the hub for the changes after the stored cursor and apply the page
 * (with its cursor, in one transaction). The loop around it (sync-service.ts) decides when to ask again.
 */
export class Puller {
  private readonly link: HubLinkRepo;
  private readonly now: () => Date;

  constructor(private readonly o: PullerOptions) {
    this.link = new HubLinkRepo(o.db);
    this.now = o.now ?? (() => new Date());
  }

  async pullOnce(wait: number, signal?: AbortSignal): Promise<PullOutcome> {
    const current = this.link.get();
    if (!current) throw new Error('this kiosk is not joined to a hub');
    const from = current.cursor;
    const r = await this.o.client.changes({ cursor: from, wait, limit: PAGE_LIMIT }, signal);
    if (!r.ok) {
      const f = r.failure;
      // A cursor the hub no longer accepts (its key changed, the log was pruned past it): asking again
      // with it would fail forever, so start over from a snapshot. A refused first request is a failure.
      if (f.kind === 'http' && f.status === 400 && from !== null) {
        this.o.db.transaction(() => this.link.restartSnapshot())();
        return { kind: 'restart', failure: f };
      }
      return { kind: 'failed', failure: f };
    }
    const page = r.value;
    const result = applyPage(this.o.db, page, from, { packId: this.o.packId, now: this.now });
    this.link.markContact(this.now().toISOString(), estimateClockOffset(page.server_time, r.sentAt, r.receivedAt));
    if (result.templatesRemoved > 0) purgeRemovedBytes(this.o.db);
    return { kind: 'page', page, result };
  }
}
