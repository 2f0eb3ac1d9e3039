import type {
  ApiServerSettings,
  CalibratedThreshold,
  KioskConfig,
  Language,
  ModelPackInfo,
  ModelStatus,
  RecognitionSettings,
  ScheduleConfig,
  SettingsPatch,
  SettingsView,
  SetupStatus,
} from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { acceptLicense, licenseAccepted } from '../engine/license-acceptance';
import { packLivenessThreshold } from '../engine/liveness';
import { getPack, loadManifest, type ModelPack } from '../engine/manifest';
import { checkPackFiles } from '../engine/model-files';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { SettingsRepo } from '../store/settings-repo';
import { UnitsRepo } from '../store/units-repo';
import type { AttendanceService } from './attendance-service';
import type { CheckinPolicySettings } from './checkin-policy';
import { type Clock, systemClock } from './clock';
import { IDENTIFY_UNITS_KEY, storedScopeUnits } from './identify-scope';
import { ACTIVE_PACK_KEY, activePackId } from './packs';
import { type ScheduleSettings } from './schedule';
import { DEFAULT_IDLE_TIMEOUT_MS } from './sessions';
import {
  DEFAULT_TARGET_FPIR,
  MARGIN_KEY,
  TARGET_FPIR_KEY,
  manualThresholdKey,
  matchPolicy,
  thresholdsKey,
  type MatchPolicy,
  type StoredThresholds,
} from './thresholds';

/** Settings keys this service owns (the others are named where they are used). */
export const SETTING_KEYS = {
  language: 'ui.language',
  kiosk: 'kiosk',
  requiredFrames: 'checkin.requiredFrames',
  requireLiveness: 'checkin.requireLiveness',
  headTurnChallenge: 'checkin.headTurnChallenge',
  livenessThreshold: 'liveness.threshold',
  api: 'api.server',
  idleSignOutMinutes: 'auth.idleSignOutMinutes',
  setupComplete: 'setup.complete',
} as const;

export const DEFAULT_KIOSK_CONFIG: KioskConfig = {
  cardSeconds: 5,
  noticeSeconds: 4,
  sound: true,
  fullScreen: false,
  maxFrameWidth: 640,
  volume: 70,
  spokenGreeting: false,
  startAtLogin: false,
  updateUrl: null,
  updateIdleMinutes: 10,
};

export const DEFAULT_LANGUAGE: Language = 'id';

/** The site's liveness threshold, read before the engine starts (it decides real/spoof with it). */
export function storedLivenessThreshold(db: Db): number | undefined {
  const v = new SettingsRepo(db).get<number>(SETTING_KEYS.livenessThreshold);
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : undefined;
}

/** The API bind an admin stored in the settings (used at start when no flag or variable says otherwise). */
export function storedApiSettings(db: Db): Partial<ApiRuntime> {
  return new SettingsRepo(db).get<Partial<ApiRuntime>>(SETTING_KEYS.api, {});
}
export const DEFAULT_REQUIRED_FRAMES = 3;

/** What the running server listens on: the API settings answer these until an admin stores others. */
export interface ApiRuntime {
  host: string;
  port: number;
  legacyRoutes: boolean;
  /** Reverse proxies whose forwarding headers are believed (none by default). */
  trustedProxies?: string[];
  /** HTTPS on the running listener and its certificate's fingerprint (absent: plain HTTP). */
  tls?: ApiServerSettings['tls'];
}

/** The execution provider in use (from the engine), for the models section. */
export interface ProviderInfo {
  provider: string | null;
  providerFallback: string | null;
}

export interface SiteSettingsOptions {
  db: Db;
  attendance: AttendanceService;
  /** The pack the engine runs now. */
  pack: ModelPack;
  api: ApiRuntime;
  provider?: () => ProviderInfo;
  /**
   * The match policy in force (FaceService.policy(), which knows the gallery's size); without it the
   * policy is computed for a gallery of one.
   */
  policy?: () => MatchPolicy;
  /** Told after a new liveness threshold is stored (undefined: back to the pack's), so the engine judges the next request by it. */
  onLivenessThreshold?: (threshold: number | undefined) => void;
  clock?: Clock;
}

/**
 * The site's settings as the settings screen and `PATCH /api/v1/settings` see them: language, kiosk
 * behaviour, recognition and check-in policy, schedule, API bind, model packs, sign-out time, and the
 * first-run state. Each value is one row of the settings table; every change is audited with its
 * actor, before and after. Recognition and liveness settings apply from the next request (the engine
 * is told of a new liveness threshold); the API bind and port and the active pack take effect when the
 * server next starts (the listener and the engine's models are built from them).
 */
export class SiteSettingsService {
  readonly repo: SettingsRepo;
  private readonly policy: () => MatchPolicy;
  private readonly db: Db;
  private readonly audit: AuditRepo;
  private readonly attendance: AttendanceService;
  private readonly pack: ModelPack;
  private readonly api: ApiRuntime;
  private readonly provider: () => ProviderInfo;
  private readonly onLivenessThreshold: (threshold: number | undefined) => void;

  constructor(opts: SiteSettingsOptions) {
    const clock = opts.clock ?? systemClock;
    const now = () => clock.now();
    this.db = opts.db;
    this.repo = new SettingsRepo(opts.db, now);
    this.audit = new AuditRepo(opts.db, now);
    this.attendance = opts.attendance;
    this.pack = opts.pack;
    this.api = opts.api;
    this.provider = opts.provider ?? (() => ({ provider: null, providerFallback: null }));
    this.onLivenessThreshold = opts.onLivenessThreshold ?? (() => {});
    this.policy = opts.policy ?? (() => matchPolicy(this.repo, this.pack));
  }

  // ─── Reading ───────────────────────────────────────────────────────────────────────────────────

  language(): Language {
    const v = this.repo.get<string>(SETTING_KEYS.language);
    return v === 'en' || v === 'id' ? v : DEFAULT_LANGUAGE;
  }

  kiosk(): KioskConfig {
    return { ...DEFAULT_KIOSK_CONFIG, ...this.repo.get<Partial<KioskConfig>>(SETTING_KEYS.kiosk, {}) };
  }

  /** The check-in policy the kiosk and `POST /attendance/check` apply. */
  checkinPolicy(): CheckinPolicySettings {
    return {
      requiredFrames: this.repo.get<number>(SETTING_KEYS.requiredFrames, DEFAULT_REQUIRED_FRAMES),
      requireLiveness: this.repo.get<boolean>(SETTING_KEYS.requireLiveness, true),
      challenge: this.repo.get<boolean>(SETTING_KEYS.headTurnChallenge, false) ? {} : null,
    };
  }

  /** p_real at or above which a face counts as live: the site's setting, else the pack's. */
  livenessThreshold(): number | null {
    const stored = this.repo.get<number>(SETTING_KEYS.livenessThreshold);
    if (stored !== undefined) return stored;
    return this.pack.liveness?.length ? packLivenessThreshold(this.pack) : null;
  }

  idleSignOutMs(): number {
    const m = this.repo.get<number>(SETTING_KEYS.idleSignOutMinutes);
    return m === undefined ? DEFAULT_IDLE_TIMEOUT_MS : m * 60_000;
  }

  schedule(): ScheduleConfig {
    return this.attendance.schedule().settings;
  }

  recognition(): RecognitionSettings {
    const policy = this.policy();
    const calibrated: CalibratedThreshold[] = [];
    const stored = this.repo.get<StoredThresholds>(thresholdsKey(this.pack.id));
    if (stored && Number.isFinite(stored.match))
      calibrated.push({ far: stored.far, threshold: stored.match, tar: null });
    const t = this.pack.thresholds;
    if (t && Number.isFinite(t.match) && t.matchFar !== undefined) {
      calibrated.push({ far: t.matchFar, threshold: t.match, tar: null });
    }
    if (t?.strict !== undefined && t.strict !== null && t.strictFar !== undefined) {
      calibrated.push({ far: t.strictFar, threshold: t.strict, tar: null });
    }
    const checkin = this.checkinPolicy();
    return {
      threshold: policy.threshold,
      thresholdSource:
        policy.thresholdSource === 'manual'
          ? 'manual'
          : policy.thresholdSource === 'settings'
            ? 'calibrated'
            : policy.thresholdSource === 'gallery'
              ? 'gallery'
              : 'pack_default',
      gallery: policy.gallery
        ? {
            people: policy.gallery.gallerySize,
            targetFpir: policy.gallery.targetFpir,
            basis: policy.gallery.basis,
            pairs: policy.gallery.pairs,
            tailPairs: policy.gallery.tailPairs,
            expectedFnir: policy.gallery.expectedFnir,
          }
        : null,
      targetFpir: this.repo.get<number>(TARGET_FPIR_KEY) ?? DEFAULT_TARGET_FPIR,
      calibrated,
      margin: policy.margin,
      requiredFrames: checkin.requiredFrames,
      requireLiveness: checkin.requireLiveness,
      livenessThreshold: this.livenessThreshold(),
      headTurnChallenge: checkin.challenge !== null,
      units: this.scopeUnits(),
    };
  }

  /** The units check-in is limited to, as the managed list names them now (deleted ones drop out). */
  private scopeUnits(): { id: number; name: string }[] {
    const ids = new Set(storedScopeUnits(this.repo));
    if (ids.size === 0) return [];
    return new UnitsRepo(this.db)
      .list()
      .filter((u) => ids.has(u.id))
      .map((u) => ({ id: u.id, name: u.name }));
  }

  apiSettings(): ApiServerSettings {
    const stored = this.repo.get<Partial<ApiRuntime>>(SETTING_KEYS.api, {});
    // TLS is what the running listener uses (flags, variables), not a stored choice.
    return {
      trustedProxies: [],
      ...this.api,
      ...stored,
      tls: this.api.tls ?? { enabled: false, fingerprint: null },
    };
  }

  async models(): Promise<ModelStatus> {
    return { packs: await this.packs(), ...this.provider() };
  }

  async packs(): Promise<ModelPackInfo[]> {
    const manifest = loadManifest();
    const active = activePackId(this.repo, manifest.defaultPack);
    return Promise.all(
      manifest.packs.map(async (p): Promise<ModelPackInfo> => {
        const files = await checkPackFiles(p, { verify: false });
        return {
          id: p.id,
          name: p.name,
          license: p.license.id,
          licenseNote: p.license.summary,
          licenseAccepted: await licenseAccepted(p.id, p.license.id),
          installed: files.every((f) => f.optional || f.state !== 'missing'),
          active: p.id === active,
          recommended: p.id === manifest.defaultPack,
        };
      }),
    );
  }

  async view(): Promise<SettingsView> {
    return {
      language: this.language(),
      kiosk: this.kiosk(),
      recognition: this.recognition(),
      schedule: this.schedule(),
      api: this.apiSettings(),
      models: await this.models(),
      idleSignOutMinutes: Math.round(this.idleSignOutMs() / 60_000),
    };
  }

  // ─── Changing ──────────────────────────────────────────────────────────────────────────────────

  /** Apply the parts of a validated patch that are given, each audited; answers the new view. */
  async update(patch: SettingsPatch, actor: Actor): Promise<SettingsView> {
    if (patch.activePack !== undefined && patch.activePack !== this.activePack()) {
      // A pack switch re-embeds or retires every template and restarts the engine: not a settings toggle.
      throw new HadirError(
        'BAD_REQUEST',
        `activePack: switching from ${this.activePack()} to ${patch.activePack} needs the engine restarted on the new pack and the gallery re-embedded; this server does not do it while running`,
      );
    }
    if (patch.schedule) this.attendance.setSchedule(patch.schedule as ScheduleSettings, actor);
    this.db
      .transaction(() => {
        if (patch.language !== undefined) this.change(SETTING_KEYS.language, patch.language, actor);
        if (patch.kiosk) this.change(SETTING_KEYS.kiosk, { ...this.kiosk(), ...patch.kiosk }, actor);
        if (patch.idleSignOutMinutes !== undefined) {
          this.change(SETTING_KEYS.idleSignOutMinutes, patch.idleSignOutMinutes, actor);
        }
        if (patch.api) {
          const stored = this.repo.get<Partial<ApiRuntime>>(SETTING_KEYS.api, {});
          this.change(SETTING_KEYS.api, { ...stored, ...patch.api }, actor);
        }
        const r = patch.recognition;
        if (r) {
          if (r.threshold !== undefined) {
            const key = manualThresholdKey(this.pack.id);
            if (r.threshold === null) this.remove(key, actor);
            else this.change(key, r.threshold, actor);
          }
          if (r.margin !== undefined) this.change(MARGIN_KEY, r.margin, actor);
          if (r.targetFpir !== undefined) this.change(TARGET_FPIR_KEY, r.targetFpir, actor);
          if (r.requiredFrames !== undefined) this.change(SETTING_KEYS.requiredFrames, r.requiredFrames, actor);
          if (r.requireLiveness !== undefined) this.change(SETTING_KEYS.requireLiveness, r.requireLiveness, actor);
          if (r.headTurnChallenge !== undefined) {
            this.change(SETTING_KEYS.headTurnChallenge, r.headTurnChallenge, actor);
          }
          if (r.livenessThreshold !== undefined) {
            if (r.livenessThreshold === null) this.remove(SETTING_KEYS.livenessThreshold, actor);
            else this.change(SETTING_KEYS.livenessThreshold, r.livenessThreshold, actor);
          }
          if (r.units !== undefined) {
            const known = new Set(new UnitsRepo(this.db).list().map((u) => u.id));
            const unknown = r.units.filter((id) => !known.has(id));
            if (unknown.length) {
              throw new HadirError('BAD_REQUEST', `recognition.units: no unit with id ${unknown.join(', ')}`);
            }
            if (r.units.length === 0) this.remove(IDENTIFY_UNITS_KEY, actor);
            else
              this.change(
                IDENTIFY_UNITS_KEY,
                [...r.units].sort((a, b) => a - b),
                actor,
              );
          }
        }
      })
      .immediate();
    const liveness = patch.recognition?.livenessThreshold;
    if (liveness !== undefined) this.onLivenessThreshold(liveness ?? undefined);
    return this.view();
  }

  // ─── First run ─────────────────────────────────────────────────────────────────────────────────

  setupComplete(): boolean {
    return this.repo.get<boolean>(SETTING_KEYS.setupComplete, false);
  }

  activePack(): string {
    return activePackId(this.repo, loadManifest().defaultPack);
  }

  async setupStatus(hasAdmin: boolean): Promise<SetupStatus> {
    return {
      complete: this.setupComplete(),
      packs: await this.packs(),
      activePack: this.activePack(),
      hasAdmin,
      schedule: this.schedule(),
      language: this.language(),
    };
  }

  /**
   * The wizard's first step: the operator accepts the pack's licence, and the pack becomes the site's
   * pack (nobody is enrolled yet, so nothing needs re-embedding; an engine on another pack picks it up
   * on its next start).
   */
  async chooseModelPack(packId: string, actor: Actor): Promise<void> {
    const manifest = loadManifest();
    if (!manifest.packs.some((p) => p.id === packId)) {
      throw new HadirError(
        'BAD_REQUEST',
        `packId: no model pack "${packId}" (known: ${manifest.packs.map((p) => p.id).join(', ')})`,
      );
    }
    const pack = getPack(packId, manifest);
    const files = await checkPackFiles(pack, { verify: false });
    if (!files.every((f) => f.optional || f.state !== 'missing')) {
      throw new HadirError('BAD_REQUEST', `model pack ${packId} is not installed (hadir models import)`);
    }
    await acceptLicense(pack.id, pack.license.id);
    this.db
      .transaction(() => {
        this.audit.record({
          actor,
          action: 'pack.license_accept',
          targetType: 'pack',
          targetId: pack.id,
          details: { license: pack.license.id },
        });
        if (packId !== this.activePack()) this.change(ACTIVE_PACK_KEY, packId, actor);
      })
      .immediate();
  }

  /** The wizard's last step: the schedule and language, and setup is marked finished. */
  completeSetup(schedule: ScheduleConfig, language: Language, actor: Actor): void {
    // A kiosk joined to a hub in the wizard follows its site's schedule (the replica keeps it): the
    // wizard's schedule is not this kiosk's to set.
    if (!new HubLinkRepo(this.db).joined()) this.attendance.setSchedule(schedule as ScheduleSettings, actor);
    this.db
      .transaction(() => {
        this.change(SETTING_KEYS.language, language, actor);
        this.change(SETTING_KEYS.setupComplete, true, actor);
      })
      .immediate();
  }

  private change(key: string, value: unknown, actor: Actor): void {
    const before = this.repo.get<unknown>(key) ?? null;
    this.repo.set(key, value);
    this.audit.record({
      actor,
      action: 'settings.update',
      targetType: 'settings',
      targetId: key,
      details: { before, after: value },
    });
  }

  private remove(key: string, actor: Actor): void {
    const before = this.repo.get<unknown>(key) ?? null;
    if (!this.repo.delete(key)) return;
    this.audit.record({
      actor,
      action: 'settings.update',
      targetType: 'settings',
      targetId: key,
      details: { before, after: null },
    });
  }
}
