import { FaceService } from '../services/face-service';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { SyncService } from './sync-service';

/**
 * Start syncing with the hub when this kiosk joined one (its data folder has a hub credential); null
 * for a standalone kiosk. Never throws: a damaged credential is logged and the kiosk runs standalone,
 * recording as always (its outbox keeps every event for when sync works again).
 */
export function startHubSync(o: {
  db: Db;
  /** The pack the engine runs (default: the site's active pack). */
  packId?: string;
  livenessAvailable?: () => boolean;
  log: (line: string) => void;
}): SyncService | null {
  try {
    const packId = o.packId ?? FaceService.activePack(o.db);
    const sync = SyncService.forDb({ db: o.db, packId, livenessAvailable: o.livenessAvailable, log: o.log });
    if (!sync) return null;
    const link = new HubLinkRepo(o.db).get();
    if (link && link.pack_id !== packId) {
      o.log(
        `hub: this kiosk joined with pack ${link.pack_id} but runs ${packId}: the hub sends ${link.pack_id} templates, ` +
          'which this engine cannot compare; join again after switching packs',
      );
    }
    sync.start();
    return sync;
  } catch (e) {
    o.log(`hub: not syncing: ${(e as Error).message}`);
    return null;
  }
}
