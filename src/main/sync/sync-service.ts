import path from 'node:path';
import type { HubStatus } from '../../shared/hub-status';
import { HADIR_VERSION } from '../../shared/version';
import { readHubStatus } from '../services/hub-status';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { Backoff } from './backoff';
import { type HubCredential, readCredential } from './credential-file';
import { estimateClockOffset, failureText, HubClient, type HubFailure } from './hub-client';
import { type HubDaysOutcome, refreshHubDays } from './hub-days';
import { LONG_POLL_S, Puller, type PullOutcome } from './puller';
import { Pusher } from './pusher';
import { Uploader } from './uploader';

export interface SyncServiceOptions {
  db: Db;
  credential: HubCredential;
  /** The pack the kiosk runs (it receives that pack's templates). */
  packId: string;
  /** For the heartbeat: whether the engine can judge liveness. */
  livenessAvailable?: () => boolean;
  /** Progress and state changes (default: nowhere). */
  log?: (line: string) => void;
  now?: () => Date;
  /** Backoff factory (tests make it fast). */
  backoff?: () => Backoff;
  /** How often an idle outbox is looked at (default 1 s). */
  outboxPollMs?: number;
  /** The hub's days: asked at most this often after pushes that sent events (default 30 s)… */
  hubDaysDebounceMs?: number;
  /** …and this often otherwise (default 10 minutes). */
  hubDaysEveryMs?: number;
}

/** Heartbeats go with sync cycles, but no more often than this. */
const HEARTBEAT_MIN_MS = 5_000;
/** Enrollment uploads sent per round of the push loop, so a long queue never holds attendance back. */
const UPLOADS_PER_ROUND = 50;
const HUB_DAYS_DEBOUNCE_MS = 30_000;
const HUB_DAYS_EVERY_MS = 10 * 60_000;

/**
 * The kiosk's side of the hub: three loops over one credential.
 * - The replica: pull the changes after the stored cursor, apply each page with its cursor, ask again
 *   at once while there is more, long-poll when caught up.
 * - The outbox: push the oldest events as soon as there are any (looked at every second: a cheap read,
 *   and it sees events written by any process), delete what the hub acknowledges. Each round first
 *   uploads the enrollments made here since the join (uploader.ts), so a new person usually reaches
 *   the hub before their first check-in does; a failing upload never holds the events back.
 * - The hub's days: its record of the last 7 local days of the site's people (hub-days.ts), asked
 *   after a push round that sent events (at most once per 30 s) and every 10 minutes otherwise; the
 *   kiosk's attendance views show the hub's record where it has one.
 * A network failure backs off (1 s doubling to 30 s, with jitter) and marks the link offline since the
 * first one; the next answer clears it. DEVICE_REVOKED stops every loop for good (state `revoked`).
 * Attendance never waits for the hub: it is recorded locally and its event waits in the outbox.
 */
export class SyncService {
  readonly client: HubClient;
  private readonly puller: Puller;
  private readonly pusher: Pusher;
  private readonly uploader: Uploader;
  private readonly link: HubLinkRepo;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private stopped = false;
  private lastHeartbeat = 0;
  private wakePush: (() => void) | null = null;
  private wakeDays: (() => void) | null = null;
  /** A push sent events since the hub's days were last asked for. */
  private daysStale = false;
  private lastDaysFetch = 0;

  constructor(private readonly o: SyncServiceOptions) {
    this.now = o.now ?? (() => new Date());
    this.log = o.log ?? (() => {});
    this.client = new HubClient({
      hubUrl: o.credential.hub_url,
      credential: o.credential.credential,
      fingerprint: o.credential.fingerprint,
      now: () => this.now().getTime(),
    });
    this.puller = new Puller({ db: o.db, client: this.client, packId: o.packId, now: this.now });
    this.pusher = new Pusher({ db: o.db, client: this.client, now: this.now });
    this.uploader = new Uploader({ db: o.db, client: this.client, now: this.now });
    this.link = new HubLinkRepo(o.db);
  }

  /**
   * The service of a data folder's kiosk, or null when it never joined a hub (no credential file).
   * The data folder is the one the SQLite file lives in.
   */
  static forDb(opts: Omit<SyncServiceOptions, 'credential'>): SyncService | null {
    const credential = readCredential(dataDirOf(opts.db));
    if (!credential) return null;
    return new SyncService({ ...opts, credential });
  }

  status(): HubStatus | null {
    return readHubStatus(this.o.db);
  }

  /** Start both loops (a revoked or unlinked kiosk starts none, and says why). */
  start(): void {
    const link = this.link.get();
    if (!link) {
      this.log(`hub: ${dataDirOf(this.o.db)} has a hub credential but the database no hub link; join again`);
      return;
    }
    if (link.revoked_at) {
      this.log(`hub: this device was revoked by ${link.hub_url} at ${link.revoked_at}; nothing is synced`);
      return;
    }
    if (link.device_id !== this.o.credential.device_id) {
      this.log('hub: the credential file and the database name different devices; join again');
      return;
    }
    this.log(`hub: syncing with ${link.hub_url} (site ${link.site_code}, device ${link.device_id})`);
    this.loops = [this.pullLoop(), this.pushLoop(), this.daysLoop()];
  }

  /** Stop both loops: in-flight requests are abandoned (whatever they applied is committed or not, whole). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wakePush?.();
    this.wakeDays?.();
    await Promise.allSettled(this.loops);
    this.client.close();
  }

  /** Look at the outbox now instead of at the next poll (an event was just recorded). */
  nudge(): void {
    this.wakePush?.();
  }

  /**
   * Pull until caught up (the first sync after `hadir join`), without long polls. Returns the failure
   * that stopped it, or null when the replica is current.
   */
  async pullUntilCaughtUp(onPage?: (o: Extract<PullOutcome, { kind: 'page' }>) => void): Promise<HubFailure | null> {
    let restarts = 0;
    for (;;) {
      const out = await this.puller.pullOnce(0, this.abort.signal);
      if (out.kind === 'failed') {
        this.onFailure(out.failure, 'pull');
        return out.failure;
      }
      if (out.kind === 'restart') {
        if (++restarts > 1) return out.failure;
        continue;
      }
      onPage?.(out);
      for (const w of out.result.warnings) this.log(`hub: ${w}`);
      if (!out.page.more && !this.link.get()?.snapshot_active) return null;
    }
  }

  /** Upload every pending enrollment, then push until the outbox is empty or a push fails; returns the failure, or null. */
  async pushAll(): Promise<HubFailure | null> {
    for (;;) {
      const up = await this.uploadPending();
      if (up.failure) {
        this.onFailure(up.failure, 'upload');
        return up.failure;
      }
      if (!up.more) break;
    }
    for (;;) {
      const out = await this.pusher.pushOnce(this.abort.signal);
      if (out.kind === 'empty') return null;
      if (out.kind === 'failed') {
        this.onFailure(out.failure, 'push');
        return out.failure;
      }
      if (out.remaining === 0) return null;
    }
  }

  /**
   * Ask the hub for its record of the last 7 local days now and keep it (replacing those days whole).
   * Offline, nothing changes.
   */
  async refreshHubDays(): Promise<HubDaysOutcome> {
    this.lastDaysFetch = Date.now();
    this.daysStale = false;
    const out = await refreshHubDays(this.o.db, this.client, this.now(), this.abort.signal);
    if (out.kind === 'failed' && !this.stopped) {
      const f = out.failure;
      // Offline or revoked is the link's state; any other refusal (a hub older than this route) is only logged.
      if (f.kind === 'unreachable' || (f.kind === 'http' && f.reason === 'DEVICE_REVOKED')) this.onFailure(f, 'days');
      else this.log(`hub: the hub's days were not kept: ${failureText(f)}`);
    }
    return out;
  }

  /** Tell the hub's device list how this kiosk is (best effort). */
  async heartbeat(): Promise<void> {
    this.lastHeartbeat = Date.now();
    const r = await this.client.status(
      {
        app_version: HADIR_VERSION,
        pack_id: this.o.packId,
        liveness: this.o.livenessAvailable?.() ?? false,
        outbox_depth: this.pusher.depth(),
        camera: 'unknown',
      },
      this.abort.signal,
    );
    if (!r.ok) {
      if (!this.stopped) this.onFailure(r.failure, 'status');
      return;
    }
    // A quick exchange: the best moment to measure the clock offset stamped on the next events.
    const serverTime = (r.value as { server_time?: unknown } | null)?.server_time;
    if (typeof serverTime === 'string') {
      this.link.markContact(this.now().toISOString(), estimateClockOffset(serverTime, r.sentAt, r.receivedAt));
    }
  }

  private async pullLoop(): Promise<void> {
    const backoff = this.o.backoff?.() ?? new Backoff();
    let more = true;
    while (!this.stopped) {
      const link = this.link.get();
      if (!link || link.revoked_at) return;
      // While a snapshot runs, or the hub said there is more, ask at once; caught up, long-poll.
      const wait = more || link.snapshot_active ? 0 : LONG_POLL_S;
      let out: PullOutcome;
      try {
        out = await this.puller.pullOnce(wait, this.abort.signal);
      } catch (e) {
        // A store error (locked, full disk): the page was not applied; try again later.
        if (this.stopped) return;
        this.log(`hub: could not apply changes: ${(e as Error).message}`);
        await this.sleep(backoff.next());
        continue;
      }
      if (this.stopped) return;
      if (out.kind === 'page') {
        if (backoff.consecutiveFailures > 0) this.log(`hub: ${link.hub_url} answers again`);
        backoff.reset();
        more = out.page.more;
        for (const w of out.result.warnings) this.log(`hub: ${w}`);
        if (Date.now() - this.lastHeartbeat >= HEARTBEAT_MIN_MS) void this.heartbeat();
        continue;
      }
      if (out.kind === 'restart') {
        this.log(
          `hub: the hub refused the stored cursor (${failureText(out.failure)}); starting again from a snapshot`,
        );
        more = true;
        continue;
      }
      if (this.onFailure(out.failure, 'pull') === 'revoked') return;
      await this.sleep(backoff.next(), out.failure);
    }
  }

  private async pushLoop(): Promise<void> {
    const backoff = this.o.backoff?.() ?? new Backoff();
    const pollMs = this.o.outboxPollMs ?? 1000;
    while (!this.stopped) {
      if (this.link.get()?.revoked_at) return;
      let out;
      let up;
      try {
        up = await this.uploadPending();
        out = await this.pusher.pushOnce(this.abort.signal);
      } catch (e) {
        if (this.stopped) return;
        this.log(`hub: could not read or update the outbox: ${(e as Error).message}`);
        await this.sleep(backoff.next());
        continue;
      }
      if (this.stopped) return;
      if (up.failure && out.kind !== 'failed') {
        // The events went (or there were none); the uploads wait with the backoff.
        if (this.onFailure(up.failure, 'upload') === 'revoked') return;
        await this.sleep(backoff.next(), up.failure);
        continue;
      }
      if (out.kind === 'empty') {
        if (!up.more) await this.sleep(pollMs, undefined, true);
        continue;
      }
      if (out.kind === 'pushed') {
        backoff.reset();
        if (out.sent > 0) {
          // The hub's verdict on those events' days: asked soon (debounced by the days loop).
          this.daysStale = true;
          this.wakeDays?.();
        }
        if (out.remaining === 0 && !up.more) await this.sleep(pollMs, undefined, true);
        continue;
      }
      if (this.onFailure(out.failure, 'push') === 'revoked') return;
      await this.sleep(backoff.next(), out.failure);
    }
  }

  /**
   * The hub's days: asked once a push has sent events and the last ask is 30 s old, and every 10
   * minutes anyway. A failure waits for the next occasion (the other loops back off and mark the link).
   */
  private async daysLoop(): Promise<void> {
    const debounceMs = this.o.hubDaysDebounceMs ?? HUB_DAYS_DEBOUNCE_MS;
    const everyMs = this.o.hubDaysEveryMs ?? HUB_DAYS_EVERY_MS;
    while (!this.stopped) {
      if (this.link.get()?.revoked_at) return;
      const since = Date.now() - this.lastDaysFetch;
      const wait = (this.daysStale ? debounceMs : everyMs) - since;
      if (wait > 0) {
        await this.sleep(wait, undefined, 'days');
        continue;
      }
      try {
        await this.refreshHubDays();
      } catch (e) {
        // A store error (locked, full disk): the days stay as they were until the next occasion.
        if (this.stopped) return;
        this.log(`hub: could not keep the hub's days: ${(e as Error).message}`);
      }
    }
  }

  /**
   * Send up to a round's worth of pending enrollment uploads, oldest first; stops at the first that
   * fails (it is retried next round, with the same upload id). Refusals are final and logged.
   */
  private async uploadPending(): Promise<{ failure: HubFailure | null; more: boolean }> {
    for (let i = 0; i < UPLOADS_PER_ROUND; i++) {
      const out = await this.uploader.uploadOnce(this.abort.signal);
      if (out.kind === 'empty') return { failure: null, more: false };
      if (out.kind === 'failed') return { failure: out.failure, more: true };
      if (out.kind === 'refused') this.log(`hub: an enrollment was refused by the hub and stays local: ${out.reason}`);
      else for (const w of out.warnings) this.log(`hub: ${w}`);
      if (this.stopped) return { failure: null, more: false };
    }
    return { failure: null, more: true };
  }

  /** Record a failure on the link; a revoked device stops syncing. */
  private onFailure(f: HubFailure, where: string): 'revoked' | 'retry' {
    if (this.stopped && f.kind === 'unreachable') return 'retry';
    const at = this.now().toISOString();
    if (f.kind === 'http' && f.status === 401 && f.reason === 'DEVICE_REVOKED') {
      this.link.markRevoked(at, failureText(f));
      this.log(`hub: this device was revoked by the hub; syncing stops (${f.message})`);
      this.stopped = true;
      this.abort.abort();
      this.wakePush?.();
      this.wakeDays?.();
      return 'revoked';
    }
    const before = this.link.get();
    this.link.markFailure(at, `${where}: ${failureText(f)}`, true);
    if (before && !before.offline_since) this.log(`hub: offline (${where}: ${failureText(f)})`);
    return 'retry';
  }

  /**
   * Wait `ms` (less when stopped, or — for the outbox poll, `wakeable` true, and the days loop, 'days'
   * — when nudged).
   */
  private sleep(ms: number, failure?: HubFailure, wakeable: boolean | 'days' = false): Promise<void> {
    const retryAfter = failure?.kind === 'http' && failure.retryAfterS ? failure.retryAfterS * 1000 : 0;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        if (wakeable === 'days') this.wakeDays = null;
        else if (wakeable) this.wakePush = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(ms, retryAfter));
      this.abort.signal.addEventListener('abort', done, { once: true });
      if (wakeable === 'days') this.wakeDays = done;
      else if (wakeable) this.wakePush = done;
    });
  }
}

/** The data folder of a database: where its hub credential lives. */
export function dataDirOf(db: Db): string {
  return path.dirname(path.resolve(db.name));
}
