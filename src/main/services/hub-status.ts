import type { HubStatus } from '../../shared/hub-status';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { HubOutboxRepo } from '../store/hub-outbox-repo';
import { HubUploadsRepo } from '../store/hub-uploads-repo';
import { SettingsRepo } from '../store/settings-repo';

/** Settings key: outbox depth above which the status says `outbox_full` (nothing is ever dropped). */
export const OUTBOX_SOFT_LIMIT_SETTING = 'hub.outboxSoftLimit';
export const DEFAULT_OUTBOX_SOFT_LIMIT = 100_000;

/**
 * The hub link's state, read from the store alone (null when standalone), so every process over the
 * file — the kiosk app, `hadir serve`, the CLI — tells the same story as the one that syncs.
 */
export function readHubStatus(db: Db): HubStatus | null {
  const link = new HubLinkRepo(db).get();
  if (!link) return null;
  const depth = new HubOutboxRepo(db).depth();
  const uploads = new HubUploadsRepo(db).counts();
  const limit = new SettingsRepo(db).get<number>(OUTBOX_SOFT_LIMIT_SETTING, DEFAULT_OUTBOX_SOFT_LIMIT);
  const state: HubStatus['state'] = link.revoked_at
    ? 'revoked'
    : link.offline_since
      ? 'offline'
      : link.snapshot_active
        ? 'syncing'
        : 'online';
  return {
    joined: true,
    hub_url: link.hub_url,
    site: { code: link.site.code, name: link.site.name },
    device_id: link.device_id,
    state,
    last_contact_at: link.last_contact_at,
    offline_since: link.offline_since,
    outbox_depth: depth,
    outbox_full: depth > limit,
    uploads_pending: uploads.pending,
    uploads_refused: uploads.refused,
    last_upload_refusal: uploads.lastRefusal,
    snapshot_progress:
      link.snapshot_active && link.snapshot_total !== null
        ? { done: link.snapshot_done ?? 0, total: link.snapshot_total }
        : null,
    last_error: link.last_error,
  };
}
