import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { HubOutboxRepo } from '../store/hub-outbox-repo';
import { estimateClockOffset, type HubClient, type HubFailure } from './hub-client';

/** Events per push (oldest first). */
export const PUSH_BATCH = 500;

export type PushOutcome =
  | { kind: 'empty' }
  | { kind: 'pushed'; sent: number; acked: number; stored: number; remaining: number }
  | { kind: 'failed'; failure: HubFailure };

export interface PusherOptions {
  db: Db;
  client: HubClient;
  now?: () => Date;
}

/**
 * One step of the outbox: send the oldest events, stamped with the latest clock offset, and delete
 * those the hub acknowledges (seq ≤ acked_seq) in one transaction. A batch the hub stored but whose
 * answer was lost is simply sent again: (device, seq) makes the second copy harmless.
 */
export class Pusher {
  private readonly link: HubLinkRepo;
  private readonly outbox: HubOutboxRepo;
  private readonly now: () => Date;

  constructor(private readonly o: PusherOptions) {
    this.link = new HubLinkRepo(o.db);
    this.outbox = new HubOutboxRepo(o.db);
    this.now = o.now ?? (() => new Date());
  }

  depth(): number {
    return this.outbox.depth();
  }

  async pushOnce(signal?: AbortSignal): Promise<PushOutcome> {
    const events = this.outbox.oldest(PUSH_BATCH);
    if (events.length === 0) return { kind: 'empty' };
    const offset = this.link.get()?.clock_offset_ms ?? null;
    const r = await this.o.client.push({ events: events.map((e) => ({ ...e, clock_offset_ms: offset })) }, signal);
    if (!r.ok) return { kind: 'failed', failure: r.failure };
    const { acked_seq, stored, server_time } = r.value;
    const acked = this.o.db
      .transaction(() => {
        const n = this.outbox.acknowledge(acked_seq);
        this.link.markContact(this.now().toISOString(), estimateClockOffset(server_time, r.sentAt, r.receivedAt));
        return n;
      })
      .immediate();
    if (acked_seq < events[0].seq) {
      // The hub holds nothing from this batch's first event on: it is missing an earlier one this
      // kiosk no longer has. Resending would not help; say so and let the loop back off.
      return {
        kind: 'failed',
        failure: {
          kind: 'invalid',
          message: `the hub acknowledges events up to ${acked_seq} only, but this kiosk's outbox starts at ${events[0].seq}`,
        },
      };
    }
    return { kind: 'pushed', sent: events.length, acked, stored, remaining: this.outbox.depth() };
  }
}
