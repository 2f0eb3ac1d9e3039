import { addDays, localParts } from '../../shared/local-time';
import type { Db } from '../store/db';
import { HubDaysRepo } from '../store/hub-days-repo';
import { HubLinkRepo } from '../store/hub-link-repo';
import type { HubClient, HubFailure } from './hub-client';

/** The local days a kiosk keeps the hub's record of: today and the six before, in the site's zone. */
export const HUB_DAYS_BACK = 7;

export type HubDaysOutcome =
  | { kind: 'fetched'; from: string; to: string; days: number }
  | { kind: 'failed'; failure: HubFailure }
  /** Not joined, or revoked: nothing asked. */
  | { kind: 'skipped' };

/**
 * Ask the hub for its record of the last {@link HUB_DAYS_BACK} local days of the site's people and
 * keep exactly that (the range's rows replaced in one transaction). A failure changes nothing.
 */
export async function refreshHubDays(
  db: Db,
  client: HubClient,
  now: Date,
  signal?: AbortSignal,
): Promise<HubDaysOutcome> {
  const link = new HubLinkRepo(db).get();
  if (!link || link.revoked_at) return { kind: 'skipped' };
  const to = localParts(now, link.site.time_zone).date;
  const from = addDays(to, -(HUB_DAYS_BACK - 1));
  const r = await client.days({ from, to }, signal);
  if (!r.ok) return { kind: 'failed', failure: r.failure };
  new HubDaysRepo(db).replaceRange(r.value.from, r.value.to, r.value.days, now.toISOString());
  return { kind: 'fetched', from: r.value.from, to: r.value.to, days: r.value.days.length };
}
