import type { ModelPack } from '../engine/manifest';
import type { InferencePool } from '../engine/pool';
import type { Db } from '../store/db';
import { poolAnalyzer } from './analyzer';
import { ApiKeyService } from './api-keys';
import { KioskPairingService } from './kiosk-pairing';
import { AttendanceService } from './attendance-service';
import { type Clock, systemClock } from './clock';
import { FaceService } from './face-service';
import { createKioskFront, type KioskFront } from './kiosk-front';
import { OperatorService } from './operators';
import { SessionService } from './sessions';
import { type ApiRuntime, SiteSettingsService } from './site-settings';

/**
 * Every service of a running Hadir over one database and one engine, built once at start-up and
 * shared by whatever serves them: the HTTP API (`hadir serve`), the Electron window's IPC handlers, or
 * both in the app. One instance of each, so a cooldown, a session or a kiosk's tracked face is the same
 * whichever way the request came in.
 */
export interface AppServices {
  db: Db;
  faces: FaceService;
  attendance: AttendanceService;
  operators: OperatorService;
  keys: ApiKeyService;
  /** Door tablets trade one-time codes for `kiosk` keys. */
  pairing: KioskPairingService;
  sessions: SessionService;
  settings: SiteSettingsService;
  kiosk: KioskFront;
}

export interface AppServicesOptions {
  db: Db;
  /** The started engine (its status tells whether liveness can be judged). */
  engine: InferencePool;
  /** The pack the engine runs. */
  pack: ModelPack;
  /** What the API listens on, for the settings screen. */
  api: ApiRuntime;
  clock?: Clock;
}

export function openAppServices(o: AppServicesOptions): AppServices {
  const clock = o.clock ?? systemClock;
  const analyzer = poolAnalyzer(o.engine, o.pack);
  const faces = FaceService.open({ db: o.db, analyzer, now: () => clock.now() });
  const attendance = new AttendanceService({ db: o.db, clock });
  const operators = new OperatorService({ db: o.db, clock });
  const keys = new ApiKeyService(o.db, clock);
  const pairing = new KioskPairingService(o.db, keys, clock);
  const settings = new SiteSettingsService({
    db: o.db,
    attendance,
    pack: o.pack,
    api: o.api,
    clock,
    policy: () => faces.policy(),
    onLivenessThreshold: (t) => o.engine.setLivenessThreshold(t),
    provider: () => {
      const p = o.engine.status().provider;
      return { provider: p?.active ?? null, providerFallback: p?.fallbackReason ?? null };
    },
  });
  const sessions = new SessionService({ db: o.db, operators, clock, idleTimeoutMs: () => settings.idleSignOutMs() });
  const kiosk = createKioskFront({
    engine: o.engine,
    analyzer,
    pack: o.pack,
    faces,
    attendance,
    settings,
    livenessThreshold: () => o.engine.livenessThreshold,
    clock,
  });
  return { db: o.db, faces, attendance, operators, keys, pairing, sessions, settings, kiosk };
}
