/**
 * The wire between a kiosk and the hub (`hadir hub`): pairing, gallery replication (hub → kiosk),
 * attendance push and enrollment upload (kiosk → hub). Both sides import these types; the hub validates every body it
 * receives against them and the kiosk every body it reads, so a change here is a protocol change.
 *
 * Every route lives under `/api/v1/sync/`. Except `join`, each request carries the device credential
 * as `Authorization: Bearer <credential>`. Errors are the API's usual JSON body
 * `{ error: { code, message }, request_id }` with these codes: UNAUTHORIZED (no, unknown or revoked
 * credential — a revoked device reads `DEVICE_REVOKED` in `error.reason`), FORBIDDEN (asking for
 * another site), BAD_REQUEST (a malformed body, a tampered or foreign cursor), NOT_FOUND (an
 * unknown, used or expired pairing code: one answer for all three, so a guesser learns nothing),
 * CONFLICT (an enrollment upload for someone of another site), RATE_LIMITED.
 *
 * Field names are snake_case like the rest of `/api/v1`.
 */

export const SYNC_PROTOCOL_VERSION = 1;

// --- Pairing --------------------------------------------------------------------------------------

/** `POST /api/v1/sync/join` — no credential; the one-time code is the proof. */
export interface JoinRequest {
  /** The code `hadir hub pair <site>` printed (case and dashes ignored). */
  code: string;
  /** A name for the device list, e.g. the host name ("Loket Lt.1"). */
  name: string;
  app_version: string;
  /** The model pack the kiosk runs: it receives templates of this pack only. */
  pack_id: string;
  protocol: number;
}

export interface JoinResponse {
  device_id: string;
  /** Shown once; the hub keeps only its hash. The kiosk stores it in a 0600 file. */
  credential: string;
  site: SyncSite;
  /** The hub's identity, so a kiosk never mixes two hubs' data. */
  hub_id: string;
  /** The hub's clock at the answer (ISO-8601 UTC), for the kiosk's first offset estimate. */
  server_time: string;
}

// --- Gallery replication (hub → kiosk) ------------------------------------------------------------

/**
 * `GET /api/v1/sync/changes?cursor=<opaque>&wait=<seconds 0..30>&limit=<1..500>[&site=<code>]`
 *
 * `site` is optional: a kiosk may name the site it believes it belongs to, and any site but the
 * device's own is 403 FORBIDDEN (a device never reads another site's people, whatever it asks).
 *
 * No cursor: the first sync, which streams the site's whole state in pages (`phase: 'snapshot'`)
 * and then continues with the change log from the point the snapshot started. A cursor is opaque
 * (signed by the hub; a tampered one or another device's is 400): the kiosk stores the last one it
 * applied and sends it back. `wait` > 0 long-polls: with nothing new the hub holds the request until a
 * change arrives or `wait` seconds pass, then answers with an empty page and the same position.
 *
 * The kiosk applies a page's items in order, in one local transaction together with the new cursor,
 * so a crash never leaves it between two positions. Items are states, not diffs: applying one twice
 * is harmless.
 */
export interface ChangesPage {
  phase: 'snapshot' | 'log';
  items: SyncItem[];
  cursor: string;
  /** More is ready now: ask again at once (without waiting). */
  more: boolean;
  /** During the snapshot: people sent so far and the site's total, for a progress bar. */
  progress?: { done: number; total: number };
  server_time: string;
}

export type SyncItem = SyncPersonUpsert | SyncPersonDelete | SyncSiteUpdate;

/** Someone the kiosk's site may see, whole: replaces whatever the kiosk holds for this hub id. */
export interface SyncPersonUpsert {
  type: 'person';
  person: SyncPerson;
}

/** Someone the kiosk must no longer hold (deleted, moved away, site access withdrawn): delete everywhere. */
export interface SyncPersonDelete {
  type: 'person_delete';
  /** The hub's id for the person; the employee number is not sent for someone leaving the site. */
  hub_id: string;
}

/** The site's own data: name, time zone, schedule, holidays. Replaces what the kiosk has. */
export interface SyncSiteUpdate {
  type: 'site';
  site: SyncSite;
}

export interface SyncSite {
  code: string;
  name: string;
  /** IANA zone, e.g. Asia/Jakarta. */
  time_zone: string;
  /**
   * The kiosk's own schedule format (ScheduleSettings in services/schedule.ts), or null: a site
   * without a schedule takes check-ins all day and records them without lateness.
   */
  schedule: unknown | null;
  holidays: { date: string; name: string }[];
}

export interface SyncPerson {
  hub_id: string;
  employee_number: string;
  full_name: string;
  unit: string | null;
  active: boolean;
  /** Templates of the kiosk's pack only. */
  templates: SyncTemplate[];
  /** Registered leave that touches today or later (the kiosk refuses or records per its schedule). */
  leave: { from_date: string; to_date: string; kind: string }[];
  updated_at: string;
}

export interface SyncTemplate {
  hub_id: string;
  pack_id: string;
  dim: number;
  /** Float32 little-endian, L2-normalised, base64. */
  embedding: string;
  created_at: string;
}

// --- Attendance (kiosk → hub) ---------------------------------------------------------------------

/**
 * `POST /api/v1/sync/events` — a batch of the kiosk's outbox, oldest first. The hub stores each
 * event once: (device, seq) is unique, so a retried or reordered batch is harmless. It answers the
 * highest seq up to which it holds every event of this device (contiguous from 1); the kiosk drops
 * what is acknowledged from its outbox and resends the rest.
 */
export interface PushRequest {
  events: AttendanceEvent[];
}

export interface AttendanceEvent {
  /** The kiosk's local sequence number, 1, 2, 3… without gaps. (device id, seq) is the idempotency key. */
  seq: number;
  /** The hub's id of the person, when the kiosk knows it (a replicated person); else null. */
  person_hub_id: string | null;
  employee_number: string;
  type: 'in' | 'out';
  /** When it happened, by the kiosk's clock (ISO-8601 UTC). */
  occurred_at: string;
  /**
   * The kiosk's measured offset from the hub's clock in ms (hub − kiosk), from its latest exchange,
   * or null before any. The hub flags events whose clock looks wrong; it never drops them.
   */
  clock_offset_ms: number | null;
  /** How the kiosk decided: its local record's verdict and evidence. */
  decision: {
    decided_by: 'face' | 'operator' | 'api';
    late: boolean;
    similarity: number | null;
    liveness: number | null;
    clock_flag: string | null;
  };
}

export interface PushResponse {
  /** Every event with seq ≤ acked_seq is stored at the hub. */
  acked_seq: number;
  /** How many events of this batch were new (the rest were already stored). */
  stored: number;
  server_time: string;
}

// --- Enrollment upload (kiosk → hub) ---------------------------------------------------------------

/**
 * `POST /api/v1/sync/enrollments` — one enrollment made at a joined kiosk (a new person, or templates
 * added to someone), sent once it is committed locally. (device, upload_id) is the idempotency key: the
 * hub stores the answer with what it wrote, in one transaction, and answers a repeated upload with the
 * same answer without writing again.
 *
 * - The employee number is new: the hub creates the person with the device's site as home site, the
 *   consent and the templates, and the site's kiosks receive them (`created: true`).
 * - It exists and the person may check in at the device's site: the templates are added.
 * - It exists but the person may not check in there: 409 CONFLICT, `reason` PERSON_OF_ANOTHER_SITE.
 *   The kiosk keeps the person local and shows the reason; retrying does not help until the hub grants
 *   the site. A new person without consent is 400.
 */
export interface EnrollmentUploadRequest {
  /** A uuid made by the kiosk when the enrollment was committed. */
  upload_id: string;
  /** The pack of the templates (the kiosk's). */
  pack_id: string;
  person: { employee_number: string; full_name: string; unit: string | null };
  /** The consent recorded with this enrollment (required when the person is new to the hub). */
  consent: { method: string; given_at: string } | null;
  templates: UploadTemplate[];
}

export interface UploadTemplate {
  /** The kiosk's id of the template: the answer maps it to the hub's. */
  local_id: number;
  dim: number;
  /** Float32 little-endian, L2-normalised, base64 (as the replication sends them). */
  embedding: string;
  /** The sample's quality figures, kept with the template. */
  quality: Record<string, unknown> | null;
  source: 'camera' | 'upload' | 'import';
  created_at: string;
}

export interface EnrollmentUploadResponse {
  /** The hub's id of the person (new or existing). */
  hub_id: string;
  /** Whether this upload created the person at the hub. */
  created: boolean;
  /** Each uploaded template's hub id. */
  templates: { local_id: number; hub_id: string }[];
  server_time: string;
}

// --- The hub's days (hub → kiosk) -----------------------------------------------------------------

/** The longest range one `GET /api/v1/sync/days` covers. */
export const HUB_DAYS_MAX_RANGE = 31;

/**
 * `GET /api/v1/sync/days?from=YYYY-MM-DD&to=YYYY-MM-DD` (at most {@link HUB_DAYS_MAX_RANGE} dates;
 * anything else is 400 BAD_REQUEST) — the hub's record of each day in the range of everyone the
 * device's site may see (as replication sends them: home site and granted sites), for every date with
 * at least one event at any site or a correction. The hub derives it as its own views do: first in,
 * last out over every site, late by the schedule of the first check-in's site, early by the last
 * check-out's, an operator's correction winning. Where it disagrees with the kiosk's local record, the
 * hub's is the record: the kiosk keeps these (replacing the range's rows whole) and shows them.
 */
export interface HubDaysResponse {
  from: string;
  to: string;
  /** The device's site. */
  site: string;
  days: HubDay[];
  server_time: string;
}

export interface HubDayMoment {
  /** ISO-8601 in the zone of the site where it happened, with its offset (e.g. 2026-12-07T07:42:00+07:00). */
  time: string;
  /** The site's code (the home site's for a corrected time). */
  site: string;
}

export interface HubDay {
  employee_number: string;
  /** The hub's id of the person. */
  hub_id: string;
  date: string;
  first_in: HubDayMoment | null;
  last_out: HubDayMoment | null;
  /** Late by the first check-in's site schedule (or as a correction says); null: no check-in or no schedule. */
  late: boolean | null;
  /** Seconds after the on-time limit; 0 when not late. */
  late_seconds: number;
  /** The last check-out was before its site's check-out window opened. */
  early: boolean;
  /** Seconds before that window opened; 0 when not early. */
  early_seconds: number;
  /** An operator or a key corrected the day at the hub: the times above are the corrected ones. */
  corrected: boolean;
  correction_reason: string | null;
  status: 'present' | 'late' | 'absent' | 'on_leave' | 'off';
}

// --- Heartbeat -----------------------------------------------------------------------------------

/** `POST /api/v1/sync/status` — what the hub's device list shows. Sent with every sync cycle. */
export interface DeviceStatusReport {
  app_version: string;
  pack_id: string;
  liveness: boolean;
  outbox_depth: number;
  camera: 'ok' | 'missing' | 'unknown';
}

/** The answer to `POST /api/v1/sync/status`: only the hub's clock, for the kiosk's offset estimate. */
export interface DeviceStatusResponse {
  server_time: string;
}
