import type { AppStatus, EngineStatus as ContractEngineStatus } from '../../shared/contract';
import { HADIR_VERSION } from '../../shared/version';
import type { ModelPack } from '../engine/manifest';
import type { EngineStatus } from '../engine/pool';
import { type FaceAnalyzer } from './analyzer';
import type { AttendanceService } from './attendance-service';
import type { Clock } from './clock';
import { EnrollmentSessions } from './enrollment-sessions';
import type { FaceService } from './face-service';
import { readHubStatus } from './hub-status';
import { KioskService } from './kiosk-service';
import { DEFAULT_KIOSK_CONFIG, type SiteSettingsService } from './site-settings';

/**
 * What the kiosk screens need, built once over the store's services and the engine, and shared by the
 * HTTP routes (web mode) and the IPC handlers (Electron): the frame policy, the camera enrollment
 * sessions, and the status the page reads before anything else.
 */
export interface KioskFront {
  frames: KioskService;
  enrollment: EnrollmentSessions;
  /** The page's first question: is the engine ready, the database readable, setup finished? */
  status(): AppStatus;
}

export interface KioskFrontOptions {
  engine: { status(): EngineStatus };
  /** The engine as the services use it (decoded pixels in, faces out). */
  analyzer: FaceAnalyzer;
  pack: ModelPack;
  faces: FaceService;
  attendance: AttendanceService;
  settings: SiteSettingsService;
  /** The liveness threshold the engine applies now (the site's, else the pack's; it follows the setting). */
  livenessThreshold?: () => number | null;
  clock?: Clock;
}

export function createKioskFront(o: KioskFrontOptions): KioskFront {
  const livenessAvailable = () => o.engine.status().livenessAvailable;
  const threshold = o.livenessThreshold ?? (() => o.settings.livenessThreshold());
  const frames = new KioskService({
    analyzer: o.analyzer,
    identifier: o.faces,
    attendance: o.attendance,
    audit: o.faces.audit,
    settings: () => o.settings.checkinPolicy(),
    livenessThreshold: threshold,
    clock: o.clock,
  });
  const enrollment = new EnrollmentSessions({
    face: o.faces,
    requireLiveness: () => o.settings.checkinPolicy().requireLiveness,
    livenessAvailable,
    livenessThreshold: threshold,
    clock: o.clock,
  });
  return {
    frames,
    enrollment,
    status: () =>
      buildAppStatus({
        engine: o.engine.status(),
        pack: o.pack,
        store: {
          ping: () => o.faces.db.prepare('SELECT 1').pluck().get(),
          setupComplete: () => o.settings.setupComplete(),
          gallerySize: () => o.faces.gallerySize(),
          language: () => o.settings.language(),
          timeZone: () => o.attendance.schedule().timeZone,
          kiosk: () => o.settings.kiosk(),
          hub: () => readHubStatus(o.faces.db),
        },
      }),
  };
}

/** The parts of the store the status reads; each may throw (a locked or damaged database). */
export interface StatusStore {
  ping(): unknown;
  setupComplete(): boolean;
  gallerySize(): number;
  language(): AppStatus['language'];
  timeZone(): AppStatus['timeZone'];
  kiosk(): AppStatus['kiosk'];
  /** The hub link (absent: not reported). */
  hub?(): AppStatus['hub'];
}

/**
 * The status as the page sees it. Never throws: a database that cannot be read is reported as such
 * (the kiosk shows its full-screen database state) instead of failing the request.
 */
export function buildAppStatus(input: {
  engine: EngineStatus | null;
  pack: ModelPack | null;
  store: StatusStore | null;
}): AppStatus {
  const { engine, pack, store } = input;
  const engineStatus: ContractEngineStatus = {
    state: !engine
      ? 'no_models'
      : engine.ready
        ? 'ready'
        : engine.liveWorkers === 0 && engine.restarts > 0
          ? 'error'
          : 'starting',
    ready: engine?.ready ?? false,
    packId: pack?.id ?? null,
    provider: engine?.provider?.active ?? null,
    providerFallback: engine?.provider?.fallbackReason ?? null,
    livenessAvailable: engine?.livenessAvailable ?? false,
    message: !engine
      ? 'No model pack is loaded.'
      : engine.ready
        ? null
        : engine.warnings.length > 0
          ? engine.warnings.join('; ')
          : 'The face engine is starting.',
  };
  const base: AppStatus = {
    version: HADIR_VERSION,
    setupComplete: false,
    engine: engineStatus,
    database: { ok: false, message: 'This server has no database.' },
    gallerySize: 0,
    language: 'id',
    timeZone: 'Asia/Jakarta',
    kiosk: DEFAULT_KIOSK_CONFIG,
  };
  if (!store) return base;
  try {
    store.ping();
    return {
      ...base,
      setupComplete: store.setupComplete(),
      database: { ok: true, message: null },
      gallerySize: store.gallerySize(),
      language: store.language(),
      timeZone: store.timeZone(),
      kiosk: store.kiosk(),
      ...(store.hub ? { hub: store.hub() } : {}),
    };
  } catch (e) {
    // Anyone may read the status: SQLite's message (and the file's path in it) goes to the log only.
    console.error('[hadir] the database cannot be read:', e);
    return {
      ...base,
      database: { ok: false, message: 'The database cannot be read; the server log has the details.' },
    };
  }
}
