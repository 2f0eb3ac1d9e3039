import os from 'node:os';
import type { HubJoinRequest, HubJoinResult, HubLinkView } from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { readHubStatus } from '../services/hub-status';
import { localPeopleToOffer, offerLocalPeople } from '../services/hub-uploads';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { Backoff } from './backoff';
import { failureText } from './hub-client';
import { joinHub, type JoinOutcome } from './join';
import { startHubSync } from './start';
import { dataDirOf, SyncService } from './sync-service';

export interface HubConnectionOptions {
  db: Db;
  /** The pack the engine runs: a join asks the hub for that pack's templates. */
  packId: string;
  livenessAvailable?: () => boolean;
  log: (line: string) => void;
  /** Retry delays of the first sync before the people enrolled here are offered (tests make it fast). */
  backoff?: () => Backoff;
}

/**
 * The running process's side of its hub link: the one sync service of a kiosk (the app or `hadir
 * serve`), started at start-up when the kiosk has joined, and started at once when an admin joins from
 * the screens or the API, so the kiosk syncs without a restart. The join itself is `joinHub`, the same
 * code path as `hadir join`; the credential it writes never leaves its file.
 */
export class HubConnection {
  private sync: SyncService | null = null;
  private joining = false;
  private stopped = false;
  /** The first sync that must finish before the people enrolled here are offered to the hub. */
  private firstSync: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly o: HubConnectionOptions) {}

  /** Start syncing when this kiosk has joined a hub (nothing for a standalone one). */
  start(): void {
    if (this.sync || this.stopped) return;
    this.sync = startHubSync({
      db: this.o.db,
      packId: this.o.packId,
      livenessAvailable: this.o.livenessAvailable,
      log: this.o.log,
    });
  }

  /** The link as the store has it (every process over the file tells the same story). */
  view(): HubLinkView {
    return readHubStatus(this.o.db) ?? { joined: false };
  }

  /**
   * Join a hub with a pairing code, then sync at once. People enrolled here before are kept local, or —
   * when the admin chose `upload` — offered to the hub once the site's people have arrived (the first
   * sync links those the hub knows by employee number; only the others are uploaded), as `hadir join
   * --upload-existing` does. Refusals are HadirErrors with a stable code and a reason the screens
   * translate; a kiosk that already belongs to a hub is CONFLICT.
   */
  async join(req: HubJoinRequest, actor: Actor): Promise<HubJoinResult> {
    if (this.stopped) throw new HadirError('SHUT_DOWN', 'the kiosk is shutting down');
    if (this.joining) {
      throw new HadirError('CONFLICT', 'a join is already under way', { reason: 'hub_join_in_progress' });
    }
    this.joining = true;
    try {
      const out = await joinHub({
        db: this.o.db,
        dataDir: dataDirOf(this.o.db),
        hubUrl: req.hubUrl.trim(),
        code: req.code.trim(),
        packId: this.o.packId,
        name: req.name ?? os.hostname(),
        fingerprint: req.fingerprint,
        actor,
      });
      if (!out.ok) throw joinRefusal(out);
      if (out.pinnedOnFirstUse) {
        this.o.log(`hub: pinned the hub's TLS certificate, SHA-256 ${out.pinnedOnFirstUse}, as first seen`);
      }
      this.o.log(`hub: joined ${out.link.hub_url} as device ${out.link.device_id} of site ${out.link.site_code}`);
      // A service left from a revoked link has stopped for good: the new credential gets a new one.
      await this.sync?.stop();
      this.sync = null;
      const choice = req.existing ?? 'keep';
      const local = localPeopleToOffer(this.o.db, this.o.packId);
      const sync = SyncService.forDb({
        db: this.o.db,
        packId: this.o.packId,
        livenessAvailable: this.o.livenessAvailable,
        log: this.o.log,
      });
      if (!sync) throw new HadirError('INTERNAL', 'joined, but the hub credential file cannot be found');
      this.sync = sync;
      if (choice === 'upload' && local > 0) this.firstSync = this.offerAfterFirstSync(sync, actor);
      else {
        if (local > 0) {
          this.o.log(`hub: ${local} ${local === 1 ? 'person' : 'people'} enrolled here before joining stay local`);
        }
        sync.start();
      }
      return {
        link: readHubStatus(this.o.db)!,
        pinnedFingerprint: out.pinnedOnFirstUse,
        localPeople: { count: local, choice },
      };
    } finally {
      this.joining = false;
    }
  }

  /** Stop syncing (in-flight requests are abandoned; what they applied is whole). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.sync?.stop();
    await this.firstSync;
    this.sync = null;
  }

  /**
   * Pull until caught up (retrying while the hub is unreachable), offer the local people the hub does
   * not know, then sync as usual. Offered before the first sync, a person the hub knows by number would
   * be uploaded as someone new.
   */
  private async offerAfterFirstSync(sync: SyncService, actor: Actor): Promise<void> {
    const backoff = this.o.backoff?.() ?? new Backoff();
    for (;;) {
      const failure = await sync.pullUntilCaughtUp();
      if (this.stopped || this.sync !== sync) return;
      if (!failure) break;
      if (new HubLinkRepo(this.o.db).get()?.revoked_at) return;
      this.o.log(`hub: the first sync stopped (${failureText(failure)}); the people enrolled here wait for it`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff.next());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (this.stopped || this.sync !== sync) return;
    }
    const offered = offerLocalPeople(this.o.db, { packId: this.o.packId, actor });
    if (!offered.ok) this.o.log(`hub: ${offered.message}`);
    else this.o.log(`hub: ${offered.queued} ${offered.queued === 1 ? 'person' : 'people'} queued for the hub`);
    sync.start();
  }
}

/** A refused join as the API's error: a stable code, and a reason the screens translate. */
function joinRefusal(out: Extract<JoinOutcome, { ok: false }>): HadirError {
  switch (out.reason) {
    case 'ALREADY_JOINED':
      return new HadirError('CONFLICT', out.message, { reason: 'hub_already_joined' });
    case 'CODE_REJECTED':
      return new HadirError('BAD_REQUEST', out.message, { reason: 'hub_code_rejected' });
    case 'FINGERPRINT_MISMATCH':
      return new HadirError('BAD_REQUEST', out.message, { reason: 'hub_fingerprint_mismatch' });
    case 'UNREACHABLE':
      return new HadirError('HUB_UNREACHABLE', out.message, { reason: 'hub_unreachable' });
    case 'REFUSED':
    case 'INVALID':
      return new HadirError('HUB_REFUSED', out.message, { reason: 'hub_refused' });
  }
}
