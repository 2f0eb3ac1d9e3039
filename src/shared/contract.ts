/**
 * The one contract between the page (renderer) and the app: every screen talks to main through these
 * methods and nothing else. It is implemented twice with the same types:
 *
 * - over IPC in Electron: `window.hadir[method]({ token, payload })` → `ipcRenderer.invoke(IPC_CHANNELS[method])`
 *   → `src/main/app/ipc.ts`, which validates the payload ({@link REQUEST_VALIDATORS} in
 *   `contract-validation.ts`) and replies `Result<T>`;
 * - over HTTP in web mode (the page served under `/app/` by the local server, e.g. a tablet at the
 *   door): `fetch` to the route in {@link HTTP_ROUTES}. The page is untrusted in both cases.
 *
 * Every method takes at most one argument (its request object) and resolves to `Result<T>`: errors
 * travel as values `{ ok: false, error: { code, message } }` with a stable {@link ErrorCode}.
 *
 * Naming: fields of the contract's own envelopes are camelCase; the store's records embedded in them
 * (Person, AttendanceRecord, Identity, EnrollmentResult, Operator, ApiKeyInfo from access.ts) keep
 * their snake_case names, because the public HTTP API, the CLI and IPC all send those records unchanged.
 *
 * ## HTTP mapping (for `src/main/api`)
 *
 * Conventions, the same for every route below:
 * - Success: status 2xx, body = the method's value as JSON (no `{ok}` wrapper); `null` values may be
 *   sent as 204 No Content. Failure: the status that fits the code (issue 6) and body
 *   `{"error": {"code": "…", "message": "…"}}` with a code from `ERROR_CODES`.
 * - `:name` in a path is taken from the request field of that name (and removed from the rest).
 * - GET and DELETE: the remaining fields as query parameters, named exactly as the request fields
 *   (camelCase), booleans as `true`/`false`, absent fields left out.
 * - POST and PATCH with `body: 'json'`: the remaining fields as a JSON object.
 * - `body: 'jpeg'`: the request's `jpeg` bytes are the raw body with `Content-Type: image/jpeg`, the
 *   other fields are query parameters (`kioskId`, `width`, `height`, `mirrored=false`, `sessionId`
 *   goes into the path). The server must check that the decoded image has the stated width/height.
 * - `response: 'bytes'`: the body is the file; `Content-Type` is its MIME type and
 *   `Content-Disposition: attachment; filename="…"` its name. The client returns {@link FileDownload}.
 * - Operator sessions travel in the {@link SESSION_HEADER} header (never a cookie, so a cross-site page
 *   cannot ride on it). The routes that are also public API routes (people, attendance, keys,
 *   settings) accept either that header or an API key (`Authorization: Bearer` / `X-API-Key`): a key
 *   with `read` for the reads, `write` for changes to people and attendance, `admin` where the table says admin
 *   (src/main/api/access.ts has the whole rule).
 * - `auth` in the table: `public` needs nothing (but names no person and reveals no records);
 *   `kiosk` is answered for the Electron app, for loopback clients, and otherwise only for an API key
 *   with `read` scope (a paired door tablet); `setup` only while setup is not complete (loopback or
 *   Electron only); `operator` needs a session of an operator or admin; `admin` an admin's session.
 *
 * | method               | HTTP                                                    | auth     |
 * |----------------------|---------------------------------------------------------|----------|
 * | getStatus            | GET    /api/v1/kiosk/status                             | public   |
 * | submitFrame          | POST   /api/v1/kiosk/frames          (image/jpeg body)  | kiosk    |
 * | signIn               | POST   /api/v1/auth/sessions                            | public   |
 * | getSession           | GET    /api/v1/auth/sessions/current                    | public   |
 * | signOut              | DELETE /api/v1/auth/sessions/current                    | public   |
 * | getSetupStatus       | GET    /api/v1/setup                                    | public   |
 * | chooseModelPack      | POST   /api/v1/setup/model-pack                         | setup    |
 * | createFirstAdmin     | POST   /api/v1/setup/admin                              | setup    |
 * | completeSetup        | POST   /api/v1/setup/complete                           | admin    |
 * | getHubLink           | GET    /api/v1/hub/link                                 | admin    |
 * | joinHub              | POST   /api/v1/hub/join                                 | admin    |
 * | startEnrollment      | POST   /api/v1/enrollment/sessions                      | operator |
 * | addEnrollmentSample  | POST   /api/v1/enrollment/sessions/:sessionId/samples (jpeg) | operator |
 * | removeEnrollmentSample | DELETE /api/v1/enrollment/sessions/:sessionId/samples/:index | operator |
 * | commitEnrollment     | POST   /api/v1/enrollment/sessions/:sessionId/commit    | operator |
 * | cancelEnrollment     | DELETE /api/v1/enrollment/sessions/:sessionId           | operator |
 * | listPeople           | GET    /api/v1/people                                   | operator |
 * | getPerson            | GET    /api/v1/people/:id                               | operator |
 * | getPersonFace        | GET    /api/v1/people/:id/face         (JPEG file)      | operator |
 * | updatePerson         | PATCH  /api/v1/people/:id                               | operator |
 * | setPersonActive      | PATCH  /api/v1/people/:id             (body {active})   | operator |
 * | deletePerson         | DELETE /api/v1/people/:id?confirm=true&eraseAttendance= | admin    |
 * | listUnits            | GET    /api/v1/units                                    | operator |
 * | listUnitDetails      | GET    /api/v1/units/details                            | operator |
 * | addUnit              | POST   /api/v1/units                                    | operator |
 * | renameUnit           | PATCH  /api/v1/units/:id                                | operator |
 * | deleteUnit           | DELETE /api/v1/units/:id                                | operator |
 * | queryAttendance      | GET    /api/v1/attendance                               | operator |
 * | exportAttendance     | GET    /api/v1/attendance/export?format=csv|xlsx (file) | operator |
 * | attendanceStats      | GET    /api/v1/attendance/stats                         | operator |
 * | addAttendanceRecord  | POST   /api/v1/attendance                               | operator |
 * | correctAttendanceRecord | PATCH /api/v1/attendance/:id                         | operator |
 * | voidAttendanceRecord | DELETE /api/v1/attendance/:id?reason=                   | operator |
 * | getSettings          | GET    /api/v1/settings                                 | admin    |
 * | updateSettings       | PATCH  /api/v1/settings                                 | admin    |
 * | listApiKeys          | GET    /api/v1/keys                                     | admin    |
 * | createApiKey         | POST   /api/v1/keys                                     | admin    |
 * | revokeApiKey         | DELETE /api/v1/keys/:id                                 | admin    |
 * | listOperators        | GET    /api/v1/operators                                | admin    |
 * | createOperator       | POST   /api/v1/operators                                | admin    |
 * | updateOperator       | PATCH  /api/v1/operators/:id                            | admin    |
 *
 * The same table, machine-readable, is {@link HTTP_ROUTES}; the renderer's HTTP client is driven by it.
 */
import type { HubStatus } from './hub-status';
import type { ApiKeyInfo, ApiKeyScope, Operator, OperatorRole } from './access';
import type { AttendanceRecord, AttendanceStats, DailySummary, NextAttendanceAction } from './attendance';
import type { Result } from './errors';
import type { BBox, Landmarks5, LivenessResult } from './face';
import type { IdentityDecision } from './identity';
import type { IndonesianTimeZone } from './local-time';
import type { EnrollmentResult, Person, PersonSummary, SampleRejectionCode, TemplateSource } from './people';
import type { UnitInfo } from './units';

export type { Result } from './errors';
export type { ApiKeyInfo, ApiKeyScope, Operator } from './access';
export type { UnitInfo } from './units';
export { API_KEY_SCOPES } from './access';

/** Interface languages: Bahasa Indonesia (default) and English. */
export type Language = 'id' | 'en';
export const LANGUAGES = ['id', 'en'] as const satisfies readonly Language[];

export type Role = OperatorRole;

/** HTTP header that carries an operator session token (web mode). */
export const SESSION_HEADER = 'X-Hadir-Session';

/**
 * HTTP header that carries the one-time first-run token (web mode): `hadir serve` prints the setup link
 * `…/app/?setup=<token>` while no admin exists, and the wizard sends the token with the setup calls.
 */
export const SETUP_HEADER = 'X-Hadir-Setup-Token';

/** The query parameter of the setup link that carries the token. */
export const SETUP_QUERY_PARAM = 'setup';

// ─── Status ────────────────────────────────────────────────────────────────────────────────────────

export type EngineState = 'starting' | 'ready' | 'no_models' | 'error';

export interface EngineStatus {
  state: EngineState;
  /** True when frames can be analysed (state 'ready'). */
  ready: boolean;
  packId: string | null;
  /** Execution provider in use: 'cpu', 'cuda', 'webgpu' or 'dml'. */
  provider: string | null;
  /** Why `auto` did not get onto a GPU provider (e.g. "CUDA: … not installed; WebGPU: no GPU device (/dev/dri)"), else null. */
  providerFallback: string | null;
  /** Whether the pack's liveness models are loaded (the kiosk refuses check-ins without them by default). */
  livenessAvailable: boolean;
  /** A sentence for the operator when not ready. */
  message: string | null;
}

/** How the kiosk screen behaves; admins change it in Settings. */
export interface KioskConfig {
  /** How long the confirmation card stays, in seconds. */
  cardSeconds: number;
  /** How long a notice (unknown face, cooldown, closed…) stays, in seconds. */
  noticeSeconds: number;
  /** Play a short chime on a confirmed check-in/out. */
  sound: boolean;
  /** Run the window full-screen (Electron's kiosk mode). */
  fullScreen: boolean;
  /** Frames are downscaled to at most this width before they are sent. */
  maxFrameWidth: number;
  /** Loudness of the kiosk's tones, 0 (silent) to 100. */
  volume: number;
  /** Say the person's first name (speech synthesis, in the interface language) on a check-in/out. */
  spokenGreeting: boolean;
  /** Start the app when the user signs in to the machine (Electron; see README, "Kiosk mode"). */
  startAtLogin: boolean;
  /**
   * Where the app looks for updates (electron-updater's generic provider: a folder with `latest.yml`
   * and the installers, e.g. served by the hub); null: no updates.
   */
  updateUrl: string | null;
  /** A downloaded update is installed only after this many minutes with nobody at the kiosk. */
  updateIdleMinutes: number;
}

/** The desktop app's updater, as the window's status shows it (absent in web mode). */
export interface UpdateStatus {
  state: 'unavailable' | 'disabled' | 'idle' | 'checking' | 'downloading' | 'ready' | 'installing' | 'error';
  /** A version that is downloaded or being downloaded. */
  version: string | null;
  /** A sentence for the operator (why updates are unavailable, the last error). */
  message: string | null;
  lastCheckAt: string | null;
}

/** What the page needs before anything else; answered without a session. */
export interface AppStatus {
  version: string;
  setupComplete: boolean;
  engine: EngineStatus;
  database: { ok: boolean; message: string | null };
  /** Number of people that can be recognised (usable templates of the active pack). */
  gallerySize: number;
  /** The site's default interface language. */
  language: Language;
  /** The site's time zone: the kiosk shows times in it. */
  timeZone: IndonesianTimeZone;
  kiosk: KioskConfig;
  /** The kiosk's hub link, when it joined one (absent or null: standalone). */
  hub?: HubStatus | null;
  /** The desktop app's updater (the Electron window only). */
  updates?: UpdateStatus;
}

// ─── Kiosk frames ──────────────────────────────────────────────────────────────────────────────────

/**
 * One camera frame from a kiosk. The page sends the camera's pixels as they are (never mirrored: the
 * mirror is only how the preview is drawn), so coordinates in the reply are frame pixels.
 */
export interface FrameRequest {
  /** Stable id of this kiosk (per device); the server tracks faces and confirmations per kiosk. */
  kioskId: string;
  jpeg: ArrayBuffer;
  width: number;
  height: number;
  mirrored: false;
}

/**
 * What to tell the person in front of the kiosk. `too_far`: the face is too small; `too_many`: more
 * than one face where one is expected; `turn_left`/`turn_right`: the head-turn liveness challenge.
 */
export type Guidance = 'too_far' | 'too_dark' | 'too_many' | 'no_face' | 'turn_left' | 'turn_right';

export interface KioskFace {
  bbox: BBox;
  landmarks: Landmarks5;
  score: number;
  /** The person's name, only for `decision: 'match'`. */
  name?: string;
  decision?: IdentityDecision;
  liveness?: LivenessResult['decision'];
}

/**
 * A decision of the check-in policy, at most one per frame: the attendance outcomes of the store
 * (`checked_in`, `checked_out`, `already_checked_in`, `cooldown`, `closed`, `holiday`, `on_leave`) and
 * the refusals of the policy (`unknown`, `spoof`, `liveness_unavailable`).
 */
export type KioskEventKind =
  | 'checked_in'
  | 'checked_out'
  | 'already_checked_in'
  | 'cooldown'
  | 'unknown'
  | 'spoof'
  | 'closed'
  | 'liveness_unavailable'
  | 'holiday'
  | 'on_leave';

export interface KioskEvent {
  kind: KioskEventKind;
  /** The person, for the attendance outcomes. */
  name?: string;
  /** ISO-8601 instant of the check-in/out (for `already_checked_in`: of the earlier check-in). */
  time?: string;
  late?: boolean;
  /** For `cooldown`: seconds until the person can scan again. */
  retryAfterSeconds?: number;
  /** For `cooldown`: ISO instants of the day's check-in and check-out so far, when there are. */
  checkInAt?: string;
  checkOutAt?: string;
  /** For `cooldown` and `already_checked_in`: what the person can do next today, instead of a countdown. */
  nextAction?: NextAttendanceAction;
  /** For `holiday`: its name. */
  holiday?: string;
}

export interface FrameResult {
  /** Size of the analysed frame; face coordinates are in these pixels. */
  frameWidth: number;
  frameHeight: number;
  faces: KioskFace[];
  guidance?: Guidance | null;
  /** Agreeing frames so far toward a confirmation (the count is the server's). */
  progress?: { frames: number; required: number } | null;
  event?: KioskEvent | null;
}

// ─── Enrollment ────────────────────────────────────────────────────────────────────────────────────

export interface EnrollmentStartRequest {
  /** Enroll more samples for an existing person; absent for a new person (fields given at commit). */
  personId?: number;
}

export interface EnrollmentSession {
  sessionId: string;
  minSamples: number;
  maxSamples: number;
  /** The server forgets an idle session (and its samples) after this instant. */
  expiresAt: string;
}

export interface EnrollmentSampleRequest {
  sessionId: string;
  jpeg: ArrayBuffer;
  width: number;
  height: number;
  mirrored: false;
}

/** The checks each enrollment sample goes through, in the order they are shown. */
export const ENROLLMENT_CHECKS = [
  'single_face',
  'inter_ocular',
  'blur',
  'yaw',
  'roll',
  'exposure',
  'liveness',
] as const;
export type EnrollmentCheck = (typeof ENROLLMENT_CHECKS)[number];

/** One check's verdict: what was measured and the limit it was held to. */
export interface SampleCheck {
  check: EnrollmentCheck;
  ok: boolean;
  value: number | null;
  limit: number | null;
  /** When it failed: the store's rejection code (e.g. `too_dark` vs `too_bright` for `exposure`). */
  code?: SampleRejectionCode;
}

export interface EnrollmentSampleFeedback {
  accepted: boolean;
  /** Index of the accepted sample in the session (for retake), null when refused. */
  index: number | null;
  checks: SampleCheck[];
  /** The judged face in frame pixels, to draw on the preview. */
  face: { bbox: BBox; landmarks: Landmarks5 } | null;
  frameWidth: number;
  frameHeight: number;
  /** Accepted samples in the session so far. */
  samples: number;
  /** Enough samples to commit. */
  ready: boolean;
}

export interface EnrollmentSampleRef {
  sessionId: string;
  index: number;
}

/** A person's own fields, as the store names them. */
export interface PersonFields {
  employee_number: string;
  full_name: string;
  unit: string | null;
}

/** Consent to biometric processing (UU PDP 2022), recorded with the enrollment. */
export interface ConsentInput {
  given: true;
  /** How it was given, e.g. 'signed_form', 'on_screen', 'verbal'. */
  method: ConsentMethod;
  note?: string;
}
export const CONSENT_METHODS = ['signed_form', 'on_screen', 'verbal'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export interface EnrollmentCommitRequest {
  sessionId: string;
  /** The person the session enrolls: an existing one, or a new one to create. */
  person: { personId: number } | { create: PersonFields };
  consent: ConsentInput;
  /** Enroll even though the face already identifies as someone else (the operator confirmed). */
  confirmDuplicate?: boolean;
}

export interface EnrollmentSessionRef {
  sessionId: string;
}

// ─── People ────────────────────────────────────────────────────────────────────────────────────────

export interface PeopleQuery {
  /** Matches employee number or name (substring, case-insensitive). */
  query?: string;
  unit?: string;
  includeInactive?: boolean;
  offset?: number;
  limit?: number;
}

export interface PersonListItem extends PersonSummary {
  /** The latest check-in or check-out, ISO instant; null when never seen. */
  last_seen_at: string | null;
}

export interface PeoplePage {
  items: PersonListItem[];
  total: number;
}

export interface TemplateInfo {
  id: number;
  source: TemplateSource;
  pack_id: string;
  /** False when the template belongs to another model pack than the active one. */
  usable: boolean;
  created_at: string;
}

export interface ConsentInfo {
  given_at: string;
  recorded_by: string;
  method: string;
  note: string | null;
}

export interface PersonDetail {
  person: PersonListItem;
  templates: TemplateInfo[];
  consents: ConsentInfo[];
}

export interface PersonRef {
  id: number;
}

/**
 * `getPersonFace` answers one kept face thumbnail of the person (a small JPEG crop) as a file, for an
 * operator to compare a refused enrollment's new face with the person it resembles. Biometric data:
 * operator sessions only (no API key, whatever its scopes), every read audited (`person.face.view`);
 * NOT_FOUND when the site keeps no thumbnails of them.
 */
export const PERSON_FACE_MIME = 'image/jpeg';

export interface PersonUpdate extends Partial<PersonFields> {
  id: number;
}

export interface PersonActiveRequest {
  id: number;
  active: boolean;
}

export interface PersonDeleteRequest {
  id: number;
  /** Must be true: deleting is explicit (the screen asks first). */
  confirm: true;
  /** Also erase the person's attendance history (default: keep it, without the link to the person). */
  eraseAttendance: boolean;
}

/** A unit to add; a name the list has in another case or spacing is that unit, not a new one. */
export interface UnitNameRequest {
  name: string;
}

export interface UnitRenameRequest {
  id: number;
  name: string;
}

// ─── Attendance ────────────────────────────────────────────────────────────────────────────────────

export interface AttendanceFilter {
  /** YYYY-MM-DD, inclusive, in the site's time zone. */
  from: string;
  to: string;
  unit?: string;
  personId?: number;
  onlyLate?: boolean;
  onlyNotCheckedOut?: boolean;
}

/** Attendance pages are at most this long (default {@link ATTENDANCE_PAGE_DEFAULT}). */
export const ATTENDANCE_PAGE_MAX = 1000;
export const ATTENDANCE_PAGE_DEFAULT = 100;

/** A list request: the filter, and where to go on from (the previous page's `next_cursor`). */
export interface AttendanceListRequest extends AttendanceFilter {
  /** Opaque; absent for the first page. */
  cursor?: string;
  /** Records per page, 1–{@link ATTENDANCE_PAGE_MAX} (default {@link ATTENDANCE_PAGE_DEFAULT}). */
  limit?: number;
}

/**
 * One page of records in (day, id) order. The cursor is a keyset (the last record's day and id), so
 * records added or changed while a reader pages through are neither repeated nor skipped.
 */
export interface AttendancePage {
  records: AttendanceRecord[];
  /** The day's summary when `from === to` (on the first page only), else null. */
  summary: DailySummary | null;
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

export type ExportFormat = 'csv' | 'xlsx';

/** Per-day counts of a range (at most 366 days) and the arrivals of its last day, for the charts. */
export interface AttendanceStatsRequest {
  /** YYYY-MM-DD, inclusive, in the site's time zone. */
  from: string;
  to: string;
  unit?: string;
}

export interface AttendanceExportRequest extends AttendanceFilter {
  format: ExportFormat;
  /**
   * The language of the file's words (headers, yes/no, sheet names). The screens pass the interface
   * language, or `en` when the operator asks for English headers for office software. Absent: the site's
   * interface language for an operator, English for an API key (what scripts have always read).
   */
  lang?: Language;
}

// Operators' changes to attendance. A record is a person's local day (check-in and check-out), so an
// "in" or "out" is one of its two times; every change needs a reason, which the audit log keeps.

/**
 * A day the kiosk did not record (it was offline, the person was on an official trip…): the person by
 * id or by employee number (NIP), exactly one of the two, and at least one of the times. A person who
 * already has a record that day is refused (`attendance_day_exists`): correct that record instead.
 */
export interface AttendanceAddRequest {
  personId?: number;
  employeeNumber?: string;
  /** YYYY-MM-DD in the site's time zone. */
  localDate: string;
  /** "HH:MM", 24-hour, local time on `localDate`. */
  checkIn?: string;
  checkOut?: string;
  /** Why (audited, and kept as the record's note). */
  reason: string;
}

/**
 * New times for a record: a field given replaces that time ("HH:MM" local, on the record's day), null
 * clears it, absent keeps it. Moving a time from check-in to check-out is `{checkIn: null, checkOut}`.
 * Lateness is judged again when the check-in changes.
 */
export interface AttendanceCorrectRequest {
  id: number;
  checkIn?: string | null;
  checkOut?: string | null;
  reason: string;
}

/** Void a record (a wrong identification): it is deleted, and the audit log keeps all of it. */
export interface AttendanceVoidRequest {
  id: number;
  reason: string;
}

/** A file for the user to save. */
export interface FileDownload {
  filename: string;
  mime: string;
  bytes: Uint8Array;
}

// ─── Settings ──────────────────────────────────────────────────────────────────────────────────────

export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

/** One weekday's windows, local "HH:MM"; the same shape as the schedule service's `DayWindows`. */
export interface DayWindowsConfig {
  checkIn: [from: string, to: string];
  onTimeUntil: string;
  checkOut: [from: string, to: string];
}

/** The same shape as the schedule service's `ScheduleSettings`. */
export interface ScheduleConfig {
  timeZone: IndonesianTimeZone;
  week: Record<WeekdayKey, DayWindowsConfig | null>;
  cooldownSeconds: number;
  recordOnHolidays: boolean;
  recordOnLeave: boolean;
}

/** A calibrated operating point of the active pack. */
export interface CalibratedThreshold {
  /** False-accept rate the threshold was chosen for. */
  far: number;
  threshold: number;
  /** True-accept rate measured at it, when known. */
  tar: number | null;
}

/** The threshold for the gallery searched now: G people at the target FPIR. */
export interface GalleryThresholdInfo {
  /** People searched (G). */
  people: number;
  targetFpir: number;
  /** 'measured' from the pack's impostor pairs, or 'tail-fit' (extrapolated by the fitted tail). */
  basis: 'measured' | 'tail-fit';
  /** Impostor pairs behind the estimate, and how many lie in the fitted tail. */
  pairs: number;
  tailPairs: number;
  /** Expected false non-identification rate at the threshold (one genuine comparison), when known. */
  expectedFnir: number | null;
}

export interface RecognitionSettings {
  /** The threshold in use, and where it comes from. */
  threshold: number | null;
  /** 'gallery': follows the number of people searched, at the target FPIR (the default). */
  thresholdSource: 'calibrated' | 'pack_default' | 'manual' | 'gallery';
  /** How the threshold follows the gallery (null unless the source is 'gallery'). */
  gallery: GalleryThresholdInfo | null;
  /** The site's target false-positive identification rate per stranger's attempt. */
  targetFpir: number;
  calibrated: CalibratedThreshold[];
  /** Required lead of the best person over the runner-up. */
  margin: number;
  /** Consecutive agreeing frames before a check-in. */
  requiredFrames: number;
  requireLiveness: boolean;
  livenessThreshold: number | null;
  /** The head-turn challenge after the frames agree. */
  headTurnChallenge: boolean;
  /**
   * The managed units whose people check-in identification searches (the threshold's G counts only
   * them); empty: everyone enrolled here. Enrollment's duplicate check always searches everyone.
   */
  units: { id: number; name: string }[];
}

export interface ApiServerSettings {
  host: string;
  port: number;
  /** Serve the old Flask services' routes. */
  legacyRoutes: boolean;
  tls: { enabled: boolean; fingerprint: string | null };
  /**
   * Reverse proxies (addresses or CIDR networks) whose `Forwarded`/`X-Forwarded-For` are believed;
   * empty: none (a forwarded request is then treated as remote).
   */
  trustedProxies: string[];
}

export interface ModelPackInfo {
  id: string;
  name: string;
  /** The licence's short name and a sentence on what it allows. */
  license: string;
  licenseNote: string | null;
  licenseAccepted: boolean;
  installed: boolean;
  active: boolean;
  /** The manifest's default: the pack a new office should pick unless told otherwise. */
  recommended: boolean;
}

export interface ModelStatus {
  packs: ModelPackInfo[];
  provider: string | null;
  providerFallback: string | null;
}

export interface SettingsView {
  language: Language;
  kiosk: KioskConfig;
  recognition: RecognitionSettings;
  schedule: ScheduleConfig;
  api: ApiServerSettings;
  models: ModelStatus;
  /** Minutes without input before an operator is signed out. */
  idleSignOutMinutes: number;
}

/**
 * Only the parts given change. `recognition.threshold: null` goes back to the calibrated value,
 * `recognition.livenessThreshold: null` to the pack's. The API bind and port apply when the server next
 * starts; check-ins apply a new liveness threshold at once.
 */
export interface SettingsPatch {
  language?: Language;
  kiosk?: Partial<KioskConfig>;
  recognition?: Partial<
    Pick<
      RecognitionSettings,
      | 'threshold'
      | 'margin'
      | 'targetFpir'
      | 'requiredFrames'
      | 'requireLiveness'
      | 'headTurnChallenge'
      | 'livenessThreshold'
    >
  > & {
    /** Unit ids (the managed list's); [] searches everyone again. */
    units?: number[];
  };
  schedule?: ScheduleConfig;
  api?: Partial<Pick<ApiServerSettings, 'host' | 'port' | 'legacyRoutes' | 'trustedProxies'>>;
  activePack?: string;
  idleSignOutMinutes?: number;
}

export interface ApiKeyCreateRequest {
  name: string;
  scopes: ApiKeyScope[];
}

export interface ApiKeyCreated {
  key: ApiKeyInfo;
  /** The full key, shown once and never stored in clear. */
  secret: string;
}

export interface IdRef {
  id: number;
}

export interface OperatorCreateRequest {
  username: string;
  displayName: string;
  role: Role;
  /** PIN or password. */
  secret: string;
}

export interface OperatorUpdateRequest {
  id: number;
  displayName?: string;
  role?: Role;
  active?: boolean;
  /** A new PIN or password (also lifts a lockout). */
  secret?: string;
}

// ─── Auth ──────────────────────────────────────────────────────────────────────────────────────────

export interface SignInRequest {
  username: string;
  /** PIN or password. */
  secret: string;
}

export interface Session {
  token: string;
  username: string;
  displayName: string;
  role: Role;
  expiresAt: string;
  /** The page signs out after this many seconds without input (the server expires idle sessions too). */
  idleTimeoutSeconds: number;
}

/** Sign-in outcomes are values, not errors: the screen shows each differently. */
export type SignInOutcome =
  | { kind: 'signed_in'; session: Session }
  /** Wrong name or secret (never says which); attempts left before a lockout, when counted. */
  | { kind: 'invalid'; attemptsLeft: number | null }
  | { kind: 'locked'; until: string };

// ─── First-run setup ───────────────────────────────────────────────────────────────────────────────

export interface SetupStatus {
  complete: boolean;
  packs: ModelPackInfo[];
  activePack: string | null;
  hasAdmin: boolean;
  /** The schedule as stored, or the defaults: the wizard starts from it. */
  schedule: ScheduleConfig;
  language: Language;
}

export interface ModelPackChoice {
  packId: string;
  /** The operator read and accepts the pack's licence. */
  acceptLicense: true;
}

export interface FirstAdminRequest {
  username: string;
  displayName: string;
  secret: string;
}

/** The last step (camera choice stays on the device: a camera's id means nothing to another browser). */
export interface SetupCompleteRequest {
  schedule: ScheduleConfig;
  language: Language;
}

// ─── Hub ───────────────────────────────────────────────────────────────────────────────────────────

/** The kiosk's link to an organisation hub ({@link HubStatus}, possibly revoked), or a standalone kiosk. */
export type HubLinkView = HubStatus | { joined: false };

/** What happens to the people enrolled at a kiosk before it joins: sent to the hub, or kept only here. */
export type LocalPeopleChoice = 'upload' | 'keep';
export const LOCAL_PEOPLE_CHOICES = ['upload', 'keep'] as const satisfies readonly LocalPeopleChoice[];

/**
 * Join a hub with the one-time pairing code its console shows (the same step as `hadir join`). The
 * console's pairing dialog also shows a link `hadir://join?hub=…&code=…&fingerprint=…` carrying all
 * three (see hub-join-link.ts).
 */
export interface HubJoinRequest {
  /** The hub's address, http:// or https://. */
  hubUrl: string;
  /** The one-time pairing code. */
  code: string;
  /**
   * SHA-256 of the hub's TLS certificate ("AB:CD:…"): the join is refused when the hub presents another.
   * Absent: a certificate the system's CAs do not vouch for is pinned as first seen.
   */
  fingerprint?: string;
  /** The people enrolled here before the join (default `keep`); uploaded once the site's people have arrived. */
  existing?: LocalPeopleChoice;
  /** The kiosk's name in the hub's device list (default: the machine's host name). */
  name?: string;
}

export interface HubJoinResult {
  /** The new link; the kiosk syncs from now on, without a restart. */
  link: HubStatus;
  /** The certificate fingerprint pinned at this join because no fingerprint was given and no CA vouched for it. */
  pinnedFingerprint: string | null;
  /** People enrolled here before the join without a hub record, and what was chosen for them. */
  localPeople: { count: number; choice: LocalPeopleChoice };
}

// ─── The method table ──────────────────────────────────────────────────────────────────────────────

/** Request and response type of every method. `void`: the method takes no argument. */
export interface ContractMethods {
  getStatus: { req: void; res: AppStatus };
  submitFrame: { req: FrameRequest; res: FrameResult };

  signIn: { req: SignInRequest; res: SignInOutcome };
  getSession: { req: void; res: Session | null };
  signOut: { req: void; res: null };

  getSetupStatus: { req: void; res: SetupStatus };
  chooseModelPack: { req: ModelPackChoice; res: SetupStatus };
  createFirstAdmin: { req: FirstAdminRequest; res: Session };
  completeSetup: { req: SetupCompleteRequest; res: SetupStatus };

  getHubLink: { req: void; res: HubLinkView };
  joinHub: { req: HubJoinRequest; res: HubJoinResult };

  startEnrollment: { req: EnrollmentStartRequest; res: EnrollmentSession };
  addEnrollmentSample: { req: EnrollmentSampleRequest; res: EnrollmentSampleFeedback };
  removeEnrollmentSample: { req: EnrollmentSampleRef; res: { samples: number; ready: boolean } };
  commitEnrollment: { req: EnrollmentCommitRequest; res: EnrollmentResult };
  cancelEnrollment: { req: EnrollmentSessionRef; res: null };

  listPeople: { req: PeopleQuery; res: PeoplePage };
  getPerson: { req: PersonRef; res: PersonDetail };
  getPersonFace: { req: PersonRef; res: FileDownload };
  updatePerson: { req: PersonUpdate; res: Person };
  setPersonActive: { req: PersonActiveRequest; res: Person };
  deletePerson: { req: PersonDeleteRequest; res: null };
  listUnits: { req: void; res: string[] };
  listUnitDetails: { req: void; res: UnitInfo[] };
  addUnit: { req: UnitNameRequest; res: UnitInfo };
  renameUnit: { req: UnitRenameRequest; res: UnitInfo };
  deleteUnit: { req: IdRef; res: null };

  queryAttendance: { req: AttendanceListRequest; res: AttendancePage };
  exportAttendance: { req: AttendanceExportRequest; res: FileDownload };
  attendanceStats: { req: AttendanceStatsRequest; res: AttendanceStats };
  addAttendanceRecord: { req: AttendanceAddRequest; res: AttendanceRecord };
  correctAttendanceRecord: { req: AttendanceCorrectRequest; res: AttendanceRecord };
  voidAttendanceRecord: { req: AttendanceVoidRequest; res: null };

  getSettings: { req: void; res: SettingsView };
  updateSettings: { req: SettingsPatch; res: SettingsView };
  listApiKeys: { req: void; res: ApiKeyInfo[] };
  createApiKey: { req: ApiKeyCreateRequest; res: ApiKeyCreated };
  revokeApiKey: { req: IdRef; res: ApiKeyInfo };
  listOperators: { req: void; res: Operator[] };
  createOperator: { req: OperatorCreateRequest; res: Operator };
  updateOperator: { req: OperatorUpdateRequest; res: Operator };
}

export type ContractMethod = keyof ContractMethods;
export type ContractRequest<M extends ContractMethod> = ContractMethods[M]['req'];
export type ContractResponse<M extends ContractMethod> = ContractMethods[M]['res'];

/** The client side of the contract: what the screens call. */
export type HadirApi = {
  [M in ContractMethod]: (req: ContractRequest<M>) => Promise<Result<ContractResponse<M>>>;
};

// ─── HTTP mapping ──────────────────────────────────────────────────────────────────────────────────

export type HttpVerb = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type RouteAuth = 'public' | 'kiosk' | 'setup' | 'operator' | 'admin';

export interface HttpRoute {
  method: HttpVerb;
  /** Under the server's origin; `:field` is filled from the request field of that name. */
  path: string;
  auth: RouteAuth;
  /** How the request travels (GET/DELETE: always as query parameters). */
  body?: 'json' | 'jpeg';
  /** 'bytes': the reply is a file (see {@link FileDownload}); default JSON. */
  response?: 'json' | 'bytes';
}

/** The HTTP route of every method; see the table at the top of this file for the conventions. */
export const HTTP_ROUTES = {
  getStatus: { method: 'GET', path: '/api/v1/kiosk/status', auth: 'public' },
  submitFrame: { method: 'POST', path: '/api/v1/kiosk/frames', auth: 'kiosk', body: 'jpeg' },

  signIn: { method: 'POST', path: '/api/v1/auth/sessions', auth: 'public', body: 'json' },
  getSession: { method: 'GET', path: '/api/v1/auth/sessions/current', auth: 'public' },
  signOut: { method: 'DELETE', path: '/api/v1/auth/sessions/current', auth: 'public' },

  getSetupStatus: { method: 'GET', path: '/api/v1/setup', auth: 'public' },
  chooseModelPack: { method: 'POST', path: '/api/v1/setup/model-pack', auth: 'setup', body: 'json' },
  createFirstAdmin: { method: 'POST', path: '/api/v1/setup/admin', auth: 'setup', body: 'json' },
  completeSetup: { method: 'POST', path: '/api/v1/setup/complete', auth: 'admin', body: 'json' },

  getHubLink: { method: 'GET', path: '/api/v1/hub/link', auth: 'admin' },
  joinHub: { method: 'POST', path: '/api/v1/hub/join', auth: 'admin', body: 'json' },

  startEnrollment: { method: 'POST', path: '/api/v1/enrollment/sessions', auth: 'operator', body: 'json' },
  addEnrollmentSample: {
    method: 'POST',
    path: '/api/v1/enrollment/sessions/:sessionId/samples',
    auth: 'operator',
    body: 'jpeg',
  },
  removeEnrollmentSample: {
    method: 'DELETE',
    path: '/api/v1/enrollment/sessions/:sessionId/samples/:index',
    auth: 'operator',
  },
  commitEnrollment: {
    method: 'POST',
    path: '/api/v1/enrollment/sessions/:sessionId/commit',
    auth: 'operator',
    body: 'json',
  },
  cancelEnrollment: { method: 'DELETE', path: '/api/v1/enrollment/sessions/:sessionId', auth: 'operator' },

  listPeople: { method: 'GET', path: '/api/v1/people', auth: 'operator' },
  getPerson: { method: 'GET', path: '/api/v1/people/:id', auth: 'operator' },
  getPersonFace: { method: 'GET', path: '/api/v1/people/:id/face', auth: 'operator', response: 'bytes' },
  updatePerson: { method: 'PATCH', path: '/api/v1/people/:id', auth: 'operator', body: 'json' },
  setPersonActive: { method: 'PATCH', path: '/api/v1/people/:id', auth: 'operator', body: 'json' },
  deletePerson: { method: 'DELETE', path: '/api/v1/people/:id', auth: 'admin' },
  listUnits: { method: 'GET', path: '/api/v1/units', auth: 'operator' },
  listUnitDetails: { method: 'GET', path: '/api/v1/units/details', auth: 'operator' },
  addUnit: { method: 'POST', path: '/api/v1/units', auth: 'operator', body: 'json' },
  renameUnit: { method: 'PATCH', path: '/api/v1/units/:id', auth: 'operator', body: 'json' },
  deleteUnit: { method: 'DELETE', path: '/api/v1/units/:id', auth: 'operator' },

  queryAttendance: { method: 'GET', path: '/api/v1/attendance', auth: 'operator' },
  exportAttendance: { method: 'GET', path: '/api/v1/attendance/export', auth: 'operator', response: 'bytes' },
  attendanceStats: { method: 'GET', path: '/api/v1/attendance/stats', auth: 'operator' },
  addAttendanceRecord: { method: 'POST', path: '/api/v1/attendance', auth: 'operator', body: 'json' },
  correctAttendanceRecord: { method: 'PATCH', path: '/api/v1/attendance/:id', auth: 'operator', body: 'json' },
  voidAttendanceRecord: { method: 'DELETE', path: '/api/v1/attendance/:id', auth: 'operator' },

  getSettings: { method: 'GET', path: '/api/v1/settings', auth: 'admin' },
  updateSettings: { method: 'PATCH', path: '/api/v1/settings', auth: 'admin', body: 'json' },
  listApiKeys: { method: 'GET', path: '/api/v1/keys', auth: 'admin' },
  createApiKey: { method: 'POST', path: '/api/v1/keys', auth: 'admin', body: 'json' },
  revokeApiKey: { method: 'DELETE', path: '/api/v1/keys/:id', auth: 'admin' },
  listOperators: { method: 'GET', path: '/api/v1/operators', auth: 'admin' },
  createOperator: { method: 'POST', path: '/api/v1/operators', auth: 'admin', body: 'json' },
  updateOperator: { method: 'PATCH', path: '/api/v1/operators/:id', auth: 'admin', body: 'json' },
} as const satisfies Record<ContractMethod, HttpRoute>;

/** Every method of the contract, in table order. */
export const CONTRACT_METHODS = Object.keys(HTTP_ROUTES) as ContractMethod[];
