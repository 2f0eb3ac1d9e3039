/**
 * A stand-in for the server side of the contract, for browser tests of the renderer alone. It routes
 * by `HTTP_ROUTES` (so the page's HTTP client is held to the documented mapping), checks JSON bodies
 * with the contract's own validators, and answers with fixed, plausible data. The real server's tests
 * replace it with the real API.
 */
import {
  HTTP_ROUTES,
  SESSION_HEADER,
  SETUP_HEADER,
  type AppStatus,
  type AttendancePage,
  type ContractMethod,
  type EnrollmentSampleFeedback,
  type FrameResult,
  type HttpRoute,
  type HubLinkView,
  type KioskEvent,
  type ModelPackInfo,
  type Operator,
  type PersonListItem,
  type ScheduleConfig,
  type Session,
  type SettingsView,
  type SetupStatus,
} from '../../src/shared/contract';
import type { AttendanceStats } from '../../src/shared/attendance';
import { type UnitInfo, matchUnit, normalizeUnitName } from '../../src/shared/units';
import { REQUEST_VALIDATORS } from '../../src/shared/contract-validation';
import type { ApiReply, ApiRequest } from './static-server';

const DAY = {
  checkIn: ['06:00', '10:00'],
  onTimeUntil: '07:30',
  checkOut: ['15:30', '20:00'],
} as ScheduleConfig['week']['mon'];

export const STUB_SCHEDULE: ScheduleConfig = {
  timeZone: 'Asia/Jakarta',
  week: {
    sun: null,
    mon: DAY,
    tue: DAY,
    wed: DAY,
    thu: DAY,
    fri: { ...DAY!, checkOut: ['16:00', '20:00'] },
    sat: null,
  },
  cooldownSeconds: 60,
  recordOnHolidays: false,
  recordOnLeave: false,
};

export function readyStatus(): AppStatus {
  return {
    version: 'test',
    setupComplete: true,
    engine: {
      state: 'ready',
      ready: true,
      packId: 'buffalo_l',
      provider: 'cpu',
      providerFallback: null,
      livenessAvailable: true,
      message: null,
    },
    database: { ok: true, message: null },
    gallerySize: 3,
    language: 'id',
    timeZone: 'Asia/Jakarta',
    kiosk: {
      cardSeconds: 30,
      noticeSeconds: 4,
      sound: true,
      fullScreen: false,
      maxFrameWidth: 640,
      volume: 70,
      spokenGreeting: false,
      startAtLogin: false,
      updateUrl: null,
      updateIdleMinutes: 10,
    },
  };
}

const PEOPLE: PersonListItem[] = [
  {
    id: 1,
    employee_number: '198503142010012001',
    full_name: 'Dr. Siti Rahmawati, M.Si.',
    unit: 'Bagian Umum',
    active: true,
    templates: 5,
    created_at: '2025-01-02T01:00:00Z',
    updated_at: '2025-01-02T01:00:00Z',
    last_seen_at: '2025-01-06T00:21:00Z',
  },
  {
    id: 2,
    employee_number: '199001012015031002',
    full_name: 'Budi Santoso, S.Kom.',
    unit: 'Keuangan',
    active: true,
    templates: 4,
    created_at: '2025-01-02T01:00:00Z',
    updated_at: '2025-01-02T01:00:00Z',
    last_seen_at: null,
  },
  {
    id: 3,
    employee_number: '197712252003121003',
    full_name: 'Ahmad Fauzi',
    unit: 'Keuangan',
    active: false,
    templates: 0,
    created_at: '2025-01-02T01:00:00Z',
    updated_at: '2025-01-03T01:00:00Z',
    last_seen_at: '2024-12-20T09:01:00Z',
  },
];

const PACK: ModelPackInfo = {
  id: 'buffalo_l',
  name: 'InsightFace buffalo_l',
  license: 'insightface-noncommercial',
  licenseNote: 'The weights may not be used commercially without a licence from InsightFace.',
  licenseAccepted: false,
  installed: true,
  active: false,
  recommended: true,
};

function attendance(from: string, to: string): AttendancePage {
  const base = {
    unit: 'Bagian Umum',
    kiosk_id: 'kiosk-1',
    similarity: 0.71,
    liveness: 0.98,
    check_out_kiosk_id: null,
    check_out_similarity: null,
    check_out_liveness: null,
    decided_by: 'face' as const,
    clock_flag: null,
    note: null,
    created_at: `${from}T00:21:00Z`,
    updated_at: `${from}T00:21:00Z`,
  };
  return {
    records: [
      {
        ...base,
        id: 1,
        person_id: 1,
        employee_number: PEOPLE[0].employee_number,
        full_name: PEOPLE[0].full_name,
        local_date: from,
        check_in_at: `${from}T00:21:00Z`,
        check_out_at: `${from}T09:05:00Z`,
        late: false,
      },
      {
        ...base,
        id: 2,
        person_id: 2,
        employee_number: PEOPLE[1].employee_number,
        full_name: PEOPLE[1].full_name,
        unit: 'Keuangan',
        local_date: from,
        check_in_at: `${from}T00:47:00Z`,
        check_out_at: null,
        late: true,
      },
      {
        // Seen only on the way out: flagged, not counted as plainly present.
        ...base,
        id: 3,
        person_id: 3,
        employee_number: PEOPLE[2].employee_number,
        full_name: PEOPLE[2].full_name,
        unit: 'Keuangan',
        local_date: from,
        check_in_at: null,
        check_out_at: `${from}T09:31:00Z`,
        late: false,
      },
    ],
    summary:
      from === to
        ? {
            date: from,
            holiday: null,
            workday: true,
            active: 3,
            present: 3,
            late: 1,
            absent: 0,
            on_leave: 0,
            not_checked_out: 1,
            no_check_in: 1,
            absent_people: [],
          }
        : null,
    next_cursor: null,
  };
}

/**
 * Plausible chart data: 30 days up to `to` (weekends closed, one holiday, a few late arrivals each day)
 * and arrivals of `to` between 06:00 and 10:00 peaking before the 07:30 limit.
 */
export function stubStats(from: string, to: string): AttendanceStats {
  const days: AttendanceStats['days'] = [];
  for (let d = from, i = 0; d <= to; i++) {
    const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
    const holiday = i === 7 ? 'Hari Raya Nyepi' : null;
    const workday = weekday !== 0 && weekday !== 6 && holiday === null;
    const late = workday ? 2 + ((i * 7) % 5) : 0;
    const onTime = workday ? 34 - late - (i % 3) : 0;
    days.push({ date: d, present: onTime + late, on_time: onTime, late, workday, holiday });
    d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  const counts = [0, 1, 2, 4, 6, 9, 7, 3, 2, 1, 1, 0, 1, 0, 0, 0];
  return {
    from,
    to,
    unit: null,
    days,
    arrivals: {
      date: to,
      bin_minutes: 15,
      bins: counts.map((count, i) => ({
        start: `${String(6 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`,
        count,
      })),
      on_time_until: '07:30',
    },
  };
}

function settings(): SettingsView {
  return {
    language: 'id',
    kiosk: readyStatus().kiosk,
    recognition: {
      threshold: 0.412,
      thresholdSource: 'calibrated',
      gallery: null,
      targetFpir: 0.001,
      calibrated: [
        { far: 1e-3, threshold: 0.352, tar: 0.991 },
        { far: 1e-4, threshold: 0.412, tar: 0.978 },
        { far: 1e-5, threshold: 0.468, tar: 0.951 },
      ],
      margin: 0.05,
      requiredFrames: 3,
      requireLiveness: true,
      livenessThreshold: 0.5,
      headTurnChallenge: false,
      units: [],
    },
    schedule: STUB_SCHEDULE,
    api: {
      host: '127.0.0.1',
      port: 5010,
      legacyRoutes: false,
      tls: { enabled: false, fingerprint: null },
      trustedProxies: [],
    },
    models: {
      packs: [{ ...PACK, licenseAccepted: true, active: true }],
      provider: 'cpu',
      providerFallback: 'CUDA is not available on this machine',
    },
    idleSignOutMinutes: 10,
  };
}

function stubOperator(o: Pick<Operator, 'id' | 'username' | 'display_name' | 'role'>): Operator {
  return {
    ...o,
    active: true,
    failed_attempts: 0,
    locked_until: null,
    last_sign_in_at: null,
    created_at: '2025-01-02T01:00:00Z',
  };
}

function pathPattern(path: string): RegExp {
  return new RegExp(`^${path.replace(/:([A-Za-z]+)/g, '(?<$1>[^/]+)')}$`);
}

const ROUTES = (Object.entries(HTTP_ROUTES) as [ContractMethod, HttpRoute][]).map(([method, route]) => ({
  method,
  route,
  pattern: pathPattern(route.path),
}));

/** The pairing code the stub hub refuses (as wrong, used or expired). */
export const STUB_WRONG_CODE = 'SALAH-SALAH';

export function stubHubLink(hubUrl: string): Extract<HubLinkView, { joined: true }> {
  return {
    joined: true,
    hub_url: hubUrl.replace(/\/+$/, ''),
    site: { code: 'JKT', name: 'Kantor Pusat Jakarta' },
    device_id: 'dev-7f3a',
    state: 'online',
    last_contact_at: new Date().toISOString(),
    offline_since: null,
    outbox_depth: 0,
    outbox_full: false,
    uploads_pending: 0,
    uploads_refused: 0,
    last_upload_refusal: null,
    snapshot_progress: null,
    last_error: null,
  };
}

export type FaceMode = 'none' | 'match';

export class StubApi {
  status: AppStatus = readyStatus();
  setup: SetupStatus = {
    complete: true,
    packs: [PACK],
    activePack: null,
    hasAdmin: false,
    schedule: STUB_SCHEDULE,
    language: 'id',
  };
  faceMode: FaceMode = 'match';
  /** The frame (1-based) whose reply carries a check-in; later frames get the cooldown. */
  checkInOnFrame = 4;
  /** The event of the frames after the check-in (the cooldown, as the server words it). */
  cooldownEvent: KioskEvent = { kind: 'cooldown', retryAfterSeconds: 55 };
  frames: { width: number; height: number; kioskId: string; bytes: number; jpeg: boolean }[] = [];
  samples = 0;
  calls: ContractMethod[] = [];
  /** Requests whose JSON body the contract's validators refused (should stay empty). */
  invalid: string[] = [];
  /** The kiosk's hub link: standalone until a join with any code but {@link STUB_WRONG_CODE}. */
  hub: HubLinkView = { joined: false };
  /** Local people a join reports (what the settings screen's join would offer to upload). */
  localPeople = 0;
  /** The settings as saved so far (PATCH merges each part given, as the server does). */
  settings: SettingsView = settings();

  private session: Session | null = null;

  /** The first-run token the setup link carries, as `hadir serve` prints it (see {@link firstRun}). */
  readonly setupToken = 'stub-setup-token-0123456789';

  /** Puts the stub into first-run mode (the wizard shows; the setup calls need {@link setupToken}). */
  firstRun(): void {
    this.status = { ...readyStatus(), setupComplete: false, gallerySize: 0 };
    this.setup = { ...this.setup, complete: false, activePack: null, hasAdmin: false, packs: [PACK] };
  }

  handle = (req: ApiRequest): ApiReply => {
    const candidates = ROUTES.filter((r) => r.route.method === req.method && r.pattern.test(req.url.pathname));
    if (candidates.length === 0) return this.error(404, 'NOT_FOUND', `stub: no ${req.method} ${req.url.pathname}`);
    let json: Record<string, unknown> = {};
    if (req.headers['content-type'] === 'application/json')
      json = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    // Two methods share PATCH /people/:id: the body tells them apart.
    const match =
      candidates.length > 1
        ? candidates.find((c) => (c.method === 'setPersonActive') === 'active' in json)!
        : candidates[0];
    const params = Object.fromEntries(
      Object.entries(match.pattern.exec(req.url.pathname)?.groups ?? {}).map(([k, v]) => [
        k,
        /^\d+$/.test(v) ? Number(v) : decodeURIComponent(v),
      ]),
    );
    if (match.route.body === 'json') {
      try {
        REQUEST_VALIDATORS[match.method]({ ...params, ...json }, '');
      } catch (e) {
        this.invalid.push(`${match.method}: ${(e as Error).message}`);
        return this.error(400, 'BAD_REQUEST', (e as Error).message);
      }
    }
    // As the real server: first-run setup over HTTP only with the token of the setup link.
    if (match.route.auth === 'setup' && req.headers[SETUP_HEADER.toLowerCase()] !== this.setupToken) {
      return this.error(403, 'FORBIDDEN', 'stub: first-run setup needs the setup link');
    }
    if (match.route.auth === 'operator' || match.route.auth === 'admin') {
      if (!this.session || req.headers[SESSION_HEADER.toLowerCase()] !== this.session.token) {
        return this.error(401, 'UNAUTHORIZED', 'sign in first');
      }
    }
    this.calls.push(match.method);
    return this.answer(match.method, req, params, json);
  };

  private error(status: number, code: string, message: string): ApiReply {
    return { status, body: { error: { code, message } } };
  }

  private newSession(username: string): Session {
    this.session = {
      token: `tok-${username}-${Date.now()}`,
      username,
      displayName: username === 'admin' ? 'Admin Kantor' : username,
      role: 'admin',
      expiresAt: new Date(Date.now() + 8 * 3600_000).toISOString(),
      idleTimeoutSeconds: 600,
    };
    return this.session;
  }

  private answer(
    method: ContractMethod,
    req: ApiRequest,
    params: Record<string, unknown>,
    json: Record<string, unknown>,
  ): ApiReply {
    const ok = (body: unknown): ApiReply => ({ status: 200, body });
    const q = req.url.searchParams;
    switch (method) {
      case 'getStatus':
        return ok(this.status);
      case 'submitFrame':
        return ok(this.frame(req));
      case 'signIn': {
        const { username, secret } = json as { username: string; secret: string };
        if (username === 'locked')
          return ok({ kind: 'locked', until: new Date(Date.now() + 15 * 60_000).toISOString() });
        if (secret !== 'rahasia') return ok({ kind: 'invalid', attemptsLeft: 2 });
        return ok({ kind: 'signed_in', session: this.newSession(username) });
      }
      case 'getSession':
        return ok(null);
      case 'signOut':
        this.session = null;
        return { status: 204 };
      case 'getSetupStatus':
        return ok(this.setup);
      case 'chooseModelPack':
        this.setup = {
          ...this.setup,
          activePack: json.packId as string,
          packs: this.setup.packs.map((p) => ({
            ...p,
            licenseAccepted: p.id === json.packId,
            active: p.id === json.packId,
          })),
        };
        return ok(this.setup);
      case 'createFirstAdmin':
        this.setup = { ...this.setup, hasAdmin: true };
        return ok(this.newSession(json.username as string));
      case 'completeSetup':
        this.setup = { ...this.setup, complete: true };
        this.status = { ...this.status, setupComplete: true };
        return ok(this.setup);
      case 'getHubLink':
        return ok(this.hub);
      case 'joinHub': {
        if (this.hub.joined) return this.error(409, 'CONFLICT', 'stub: already joined');
        if (json.code === STUB_WRONG_CODE) {
          return {
            status: 400,
            body: {
              error: {
                code: 'BAD_REQUEST',
                message:
                  'the hub does not accept this pairing code (wrong, already used or expired); ask for a new one',
                reason: 'hub_code_rejected',
              },
            },
          };
        }
        const link = stubHubLink(String(json.hubUrl));
        this.hub = link;
        this.status = { ...this.status, hub: link };
        return ok({
          link,
          pinnedFingerprint: null,
          localPeople: { count: this.localPeople, choice: (json.existing as string | undefined) ?? 'keep' },
        });
      }
      case 'startEnrollment':
        this.samples = 0;
        return ok({
          sessionId: 'enr-1',
          minSamples: 3,
          maxSamples: 5,
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
        });
      case 'addEnrollmentSample':
        return ok(this.sample(req));
      case 'removeEnrollmentSample':
        this.samples = Math.max(0, this.samples - 1);
        return ok({ samples: this.samples, ready: this.samples >= 3 });
      case 'commitEnrollment': {
        this.status = { ...this.status, gallerySize: this.status.gallerySize + 1 };
        const person = (json.person as { create?: { employee_number: string; full_name: string; unit: string | null } })
          .create;
        return ok({
          ok: true,
          person: {
            id: 4,
            ...person,
            active: true,
            created_at: new Date().toISOString(),
            updated_at: new Date().toISOString(),
          },
          templates: this.samples,
          samples: [],
        });
      }
      case 'cancelEnrollment':
        return { status: 204 };
      case 'listPeople': {
        const query = (q.get('query') ?? '').toLowerCase();
        const items = PEOPLE.filter(
          (p) =>
            (q.get('includeInactive') === 'true' || p.active) &&
            (!query || p.full_name.toLowerCase().includes(query) || p.employee_number.includes(query)),
        );
        return ok({ items, total: items.length });
      }
      case 'getPerson':
        return ok({ person: PEOPLE.find((p) => p.id === params.id), templates: [], consents: [] });
      case 'getPersonFace':
        // As a site that keeps no thumbnails (the default): the screens show their placeholder.
        return this.error(404, 'NOT_FOUND', `no face picture of person ${String(params.id)} is kept`);
      case 'updatePerson':
      case 'setPersonActive':
        return ok({ ...PEOPLE.find((p) => p.id === params.id), ...json });
      case 'deletePerson':
        return q.get('confirm') === 'true' ? { status: 204 } : this.error(400, 'BAD_REQUEST', 'confirm');
      case 'listUnits':
        return ok(this.units.map((u) => u.name));
      case 'listUnitDetails':
        return ok(this.units);
      case 'addUnit': {
        // As the server: a name the list has in another case or spacing is that unit.
        const name = normalizeUnitName(String(json.name));
        const same = matchUnit(
          this.units.map((u) => u.name),
          name,
        );
        if (same) return ok(this.units.find((u) => u.name === same));
        const unit = { id: this.units.length + 1, name, people: 0 };
        this.units = [...this.units, unit].sort((a, b) => a.name.localeCompare(b.name));
        return { status: 201, body: unit };
      }
      case 'renameUnit':
      case 'deleteUnit':
        return this.error(501, 'INTERNAL', `stub: ${method} is not modelled`);
      case 'queryAttendance':
        return ok(attendance(q.get('from') ?? '', q.get('to') ?? ''));
      case 'attendanceStats':
        return ok(stubStats(q.get('from') ?? '', q.get('to') ?? ''));
      case 'addAttendanceRecord':
      case 'correctAttendanceRecord':
      case 'voidAttendanceRecord':
        // Not modelled here: e2e/attendance-manual.e2e.test.ts runs these against the real server.
        return this.error(501, 'INTERNAL', `stub: ${method} is not modelled`);
      case 'exportAttendance':
        this.exportQueries.push(new URLSearchParams(q));
        return {
          status: 200,
          raw: Buffer.from('employee_number,full_name,local_date\n198503142010012001,Siti,2025-01-06\n'),
          headers: {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': `attachment; filename="hadir-${q.get('from')}-${q.get('to')}.${q.get('format')}"`,
          },
        };
      case 'getSettings':
        return ok(this.settings);
      case 'updateSettings': {
        const merged: Record<string, unknown> = { ...this.settings };
        for (const [key, value] of Object.entries(json)) {
          const before = merged[key];
          const nested = key !== 'schedule' && value && typeof value === 'object' && !Array.isArray(value);
          merged[key] = nested && before && typeof before === 'object' ? { ...before, ...value } : value;
        }
        // The patch names units by id; the view names them (as the server does).
        const unitIds = (json as { recognition?: { units?: number[] } }).recognition?.units;
        if (unitIds) {
          merged.recognition = {
            ...(merged.recognition as object),
            units: this.units.filter((u) => unitIds.includes(u.id)).map((u) => ({ id: u.id, name: u.name })),
          };
        }
        this.settings = merged as unknown as SettingsView;
        this.status = { ...this.status, kiosk: this.settings.kiosk };
        return ok(this.settings);
      }
      case 'listApiKeys':
        return ok([
          {
            id: 1,
            name: 'SIMPEG',
            scopes: ['read'],
            prefix: 'hk_3f9a',
            created_at: '2025-01-02T01:00:00Z',
            last_used_at: '2025-01-06T02:00:00Z',
            revoked_at: null,
          },
        ]);
      case 'createApiKey':
        return ok({
          key: {
            id: 2,
            name: json.name,
            scopes: json.scopes,
            prefix: 'hk_77c1',
            created_at: new Date().toISOString(),
            last_used_at: null,
            revoked_at: null,
          },
          secret: 'hk_77c1.stub-secret',
        });
      case 'revokeApiKey':
        return ok({
          id: params.id,
          name: 'SIMPEG',
          scopes: ['read'],
          prefix: 'hk_3f9a',
          created_at: '',
          last_used_at: null,
          revoked_at: new Date().toISOString(),
        });
      case 'listOperators':
        return ok([
          stubOperator({ id: 1, username: 'admin', display_name: 'Admin Kantor', role: 'admin' }),
          stubOperator({ id: 2, username: 'petugas', display_name: 'Petugas Depan', role: 'operator' }),
        ]);
      case 'createOperator':
        // As the operator service: a short PIN is refused with a reason the screen translates.
        if (/^\d{1,5}$/.test(String(json.secret))) {
          return {
            status: 400,
            body: {
              error: {
                code: 'BAD_REQUEST',
                message: 'a PIN must have at least 6 digits',
                reason: 'pin_too_short',
                params: { min: 6 },
              },
            },
          };
        }
        return ok(stubOperator({ id: 3, username: 'x', display_name: 'x', role: 'operator' }));
      case 'updateOperator':
        return ok(stubOperator({ id: 3, username: 'x', display_name: 'x', role: 'operator' }));
    }
  }

  /** A face roughly where f4455149f488.jpeg's face is in the 640×480 fake camera, scaled to the frame. */
  private face(width: number): FrameResult['faces'][number] {
    const s = width / 640;
    return {
      bbox: [235 * s, 85 * s, 370 * s, 265 * s],
      landmarks: [
        [270 * s, 160 * s],
        [335 * s, 165 * s],
        [305 * s, 200 * s],
        [280 * s, 230 * s],
        [325 * s, 232 * s],
      ],
      score: 0.92,
      name: 'Uji Coba',
      decision: 'match',
      liveness: 'real',
    };
  }

  private frame(req: ApiRequest): FrameResult {
    const width = Number(req.url.searchParams.get('width'));
    const height = Number(req.url.searchParams.get('height'));
    this.frames.push({
      width,
      height,
      kioskId: req.url.searchParams.get('kioskId') ?? '',
      bytes: req.body.length,
      jpeg: req.body[0] === 0xff && req.body[1] === 0xd8 && req.headers['content-type'] === 'image/jpeg',
    });
    if (this.faceMode === 'none') return { frameWidth: width, frameHeight: height, faces: [], guidance: 'no_face' };
    const n = this.frames.length;
    return {
      frameWidth: width,
      frameHeight: height,
      faces: [this.face(width)],
      guidance: null,
      progress: { frames: Math.min(n, 3), required: 3 },
      event:
        n === this.checkInOnFrame
          ? { kind: 'checked_in', name: 'Uji Coba', time: new Date().toISOString(), late: false }
          : n > this.checkInOnFrame
            ? this.cooldownEvent
            : null,
    };
  }

  /** The first sample is refused as too dark, the others pass. */
  private sample(req: ApiRequest): EnrollmentSampleFeedback {
    const width = Number(req.url.searchParams.get('width'));
    const height = Number(req.url.searchParams.get('height'));
    const first = this.samples === 0 && !this.refusedOnce;
    this.refusedOnce = true;
    if (!first) this.samples++;
    const face = this.face(width);
    return {
      accepted: !first,
      index: first ? null : this.samples - 1,
      checks: [
        { check: 'single_face', ok: true, value: 1, limit: 1 },
        { check: 'inter_ocular', ok: true, value: 65 * (width / 640), limit: 40 },
        { check: 'blur', ok: true, value: 182.4, limit: 60 },
        { check: 'yaw', ok: true, value: 6.1, limit: 25 },
        { check: 'roll', ok: true, value: 3.2, limit: 20 },
        first
          ? { check: 'exposure', ok: false, value: 38.5, limit: 60, code: 'too_dark' }
          : { check: 'exposure', ok: true, value: 121.3, limit: 60 },
        { check: 'liveness', ok: true, value: 0.97, limit: 0.5 },
      ],
      face: { bbox: face.bbox, landmarks: face.landmarks },
      frameWidth: width,
      frameHeight: height,
      samples: this.samples,
      ready: this.samples >= 3,
    };
  }

  private refusedOnce = false;

  /** The query of each export asked for (format, filter, lang). */
  exportQueries: URLSearchParams[] = [];

  /** The managed unit list; addUnit (and the unit picker) add to it. */
  units: UnitInfo[] = [
    { id: 1, name: 'Bagian Umum', people: 1 },
    { id: 2, name: 'Keuangan', people: 2 },
  ];
}
