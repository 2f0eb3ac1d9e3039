/**
 * The hub admin console's API (`/admin/` in the browser, `/api/v1/hub/...` over HTTP): what the hub
 * sends and the console reads, in one place for both sides. Every list is paged; every time is ISO 8601.
 *
 * Sign-in: `POST /api/v1/hub/session` with {username, secret} sets an HttpOnly, SameSite=Strict cookie
 * (`hadir_hub_session`); the console sends `x-hadir-console: 1` on every request that changes
 * something (a header a cross-site form cannot set). API keys (`Authorization: Bearer`) keep working on
 * the same routes with their scopes; a key acts on every site.
 */
/** The kinds of leave the hub records: annual leave, sick, permission, official travel (dinas luar). */
export const LEAVE_KINDS = ['cuti', 'sakit', 'izin', 'dinas'] as const;
export type LeaveKindName = (typeof LEAVE_KINDS)[number];

export type HubRoleName = 'admin' | 'personnel' | 'site-head';

/**
 * What each role may do. Every role sees only its sites (admin: all). Site heads read and correct their
 * office's days; personnel also enter leave and import photos; only an admin manages devices, deletes people, and reads
 * the audit log.
 */
export const HUB_PERMISSIONS = {
  view: ['admin', 'personnel', 'site-head'],
  correct: ['admin', 'personnel', 'site-head'],
  leave: ['admin', 'personnel'],
  /** Enrolling people in bulk from a zip of photos (the console's import), at their own sites. */
  import: ['admin', 'personnel'],
  devices: ['admin'],
  delete_person: ['admin'],
  audit: ['admin'],
} as const satisfies Record<string, readonly HubRoleName[]>;
export type HubPermission = keyof typeof HUB_PERMISSIONS;

export function roleMay(role: HubRoleName, what: HubPermission): boolean {
  return (HUB_PERMISSIONS[what] as readonly HubRoleName[]).includes(role);
}

/** GET/POST /api/v1/hub/session */
export interface ConsoleSession {
  operator: {
    username: string;
    display_name: string;
    role: HubRoleName;
    /** Site codes this operator acts on; null: every site (admin). */
    sites: string[] | null;
  };
  /** The hub's own URL as the browser reached it: what a kiosk joins (the QR code carries it). */
  hub_url: string;
  expires_at: string;
}

export interface SiteRef {
  code: string;
  name: string;
  time_zone: string;
}

/** GET /api/v1/hub/sites: the sites the operator may see, for filters. */
export interface SiteList {
  sites: (SiteRef & { people: number; devices: number })[];
}

/** GET /api/v1/hub/dashboard?date=YYYY-MM-DD[&site=S] (date: today in the hub's first site's zone when absent). */
export interface DashboardView {
  date: string;
  /** Counts over the sites in view. `not_yet_in`: expected today, no event yet, not on leave. */
  totals: DashboardCounts;
  sites: (SiteRef & DashboardCounts & { schedule_start: string | null })[];
  /** Arrivals (first check-ins) per 15 minutes in each site's local time, 00:00–23:45, only buckets with counts. */
  arrivals: { start: string; count: number }[];
  /** The check-in start most people in view are scheduled for ("07:30"), for the chart's mark line. */
  schedule_start: string | null;
  /** The 30 days ending on `date`: on time vs late among those present. */
  late_trend: { date: string; on_time: number; late: number }[];
}

export interface DashboardCounts {
  expected: number;
  present: number;
  late: number;
  not_yet_in: number;
  on_leave: number;
}

/** GET /api/v1/hub/devices[?site=S] */
export interface DeviceList {
  devices: DeviceView[];
}

export interface DeviceView {
  id: string;
  name: string;
  site: SiteRef;
  /** Seen within the last 2 minutes. */
  online: boolean;
  last_seen_at: string | null;
  revoked_at: string | null;
  app_version: string;
  pack_id: string;
  /** From the kiosk's last status report; null when it has not said. */
  outbox_depth: number | null;
  liveness: boolean | null;
  camera: string | null;
  clock_offset_ms: number | null;
}

/** POST /api/v1/hub/sites/:code/pairing-codes */
export interface PairingCodeView {
  /** As a person types it ("ABCD-EFGH"). */
  code: string;
  expires_at: string;
  hub_url: string;
  /** The hub's self-signed certificate to pin (`hadir join … --fingerprint`); null when none is needed. */
  fingerprint: string | null;
  /** What the QR code encodes: the hub URL, the code and the fingerprint, for a kiosk's camera or a phone. */
  qr_text: string;
}

/** GET /api/v1/hub/people?q=&site=&unit=&page=1&page_size=50 (q: NIP or name, case-insensitive). */
export interface PeoplePage {
  people: PersonSummary[];
  total: number;
  page: number;
  page_size: number;
}

export interface PersonSummary {
  employee_number: string;
  full_name: string;
  unit: string | null;
  home_site: string;
  /** Home site first, then the others where they may check in. */
  sites: string[];
  active: boolean;
  /** Templates per model pack id. */
  templates: Record<string, number>;
  consent: { method: string; given_at: string; withdrawn_at: string | null } | null;
  /**
   * The organisation-wide duplicate check at the person's latest enrollment at the hub: `passed`, or
   * `overridden` (an operator enrolled a face that identified as someone else); null: not checked here.
   */
  duplicate_check: 'passed' | 'overridden' | null;
}

/**
 * A photo import started from the console: `POST /api/v1/hub/imports?site=S` with a zip body answers
 * 202 {id}; `GET /api/v1/hub/imports/:id` is its progress; `GET /api/v1/hub/imports[?site=S]` the recent
 * ones (newest first). The zip holds a folder per employee number, or photos named by it.
 */
export interface ImportView {
  id: string;
  site: string;
  /** Who started it: `operator:<username>` or `api_key:<id>`. */
  started_by: string;
  /** `failed`: the import itself stopped (the hub was stopped, the database went away), not a person. */
  state: 'running' | 'done' | 'failed';
  /** People in the zip, and how many of them are finished so far. */
  total: number;
  done: number;
  enrolled: number;
  /** Already enrolled (with templates): left as they were. */
  skipped: number;
  rejected: number;
  /** People an unexpected error stopped (a re-import tries them again). */
  failed: number;
  /** Why each rejected person was refused (the first 1,000). */
  rejections: ImportRejectionView[];
  failures: { employee_number: string; error: string }[];
  /** Entries of the zip that could not be used (a folder without photos…), in English. */
  problems: string[];
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface ImportRejectionView {
  employee_number: string;
  /** The enrollment's refusal (`too_few_samples`, `duplicate`…) to translate; null: the person's fields were refused. */
  code: string | null;
  /** The import's own sentence, in English (what to show when there is no code). */
  reason: string;
  /** The photos that were refused, each with the checks it failed (`no_face`, `blur`…) and the figures. */
  photos: { file: string; checks: { code: string; value?: number; limit?: number }[] }[];
}

export interface ImportList {
  imports: ImportView[];
}

/** GET /api/v1/hub/attendance?from=&to=&site=&unit=&status=&page=&page_size= */
export interface AttendancePage {
  rows: AttendanceRowView[];
  total: number;
  page: number;
  page_size: number;
}

export interface AttendanceRowView {
  date: string;
  employee_number: string;
  full_name: string | null;
  unit: string | null;
  home_site: string | null;
  status: 'present' | 'late' | 'absent' | 'on_leave' | 'off';
  first_in: string | null;
  last_out: string | null;
  late: boolean | null;
  leave: string | null;
  corrected: { reason: string; by: string; at: string } | null;
}

/** GET /api/v1/hub/audit?from=&to=&action=&actor=&before=<id>&limit=50 (newest first, keyset by id). */
export interface AuditPage {
  entries: {
    id: number;
    at: string;
    actor_type: string;
    actor_id: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    details: unknown;
  }[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next_before: number | null;
}

/**
 * GET /api/v1/recap?month=YYYY-MM[&site=S][&unit=U] and `hadir hub recap --month YYYY-MM --json`: one
 * object per person, what the personnel office hands to payroll.
 */
export interface RecapView {
  month: string;
  site: string | null;
  unit: string | null;
  people: RecapRow[];
}

export interface RecapRow {
  employee_number: string;
  name: string;
  unit: string | null;
  site: string;
  /**
   * Workdays of the home site in the month (its week, not its holidays) since the person was
   * registered, up to today for the current month.
   */
  workdays: number;
  /** Days with a check-in or a check-out (a weekend's too). */
  days_present: number;
  /** Of those, late by the schedule, and the minutes after its on-time limit (each late day at least 1). */
  days_late: number;
  late_minutes: number;
  /** Days whose last check-out was before the schedule's check-out window opened, and by how many minutes. */
  early_departures: number;
  early_minutes: number;
  /** Days with a check-in and no check-out (today's does not count yet). */
  missing_checkouts: number;
  /** Workdays with no event and no leave. */
  absent_days: number;
  /** Workdays with no event covered by leave, per kind. */
  leave_days: Record<LeaveKindName, number>;
}
