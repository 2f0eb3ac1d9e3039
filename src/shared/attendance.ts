/**
 * Attendance as the kiosk screen, the HTTP API and the CLI see it. Instants are ISO-8601 UTC strings;
 * `local_date` is the calendar day in the site's time zone.
 */

export type AttendanceDecidedBy = 'face' | 'operator' | 'api';

export interface AttendanceRecord {
  id: number;
  /** null once the person was deleted and their history kept. */
  person_id: number | null;
  employee_number: string;
  full_name: string;
  unit: string | null;
  local_date: string;
  check_in_at: string | null;
  check_out_at: string | null;
  late: boolean;
  /** Kiosk, similarity and liveness (p_real) of the recognition that checked in. */
  kiosk_id: string | null;
  similarity: number | null;
  liveness: number | null;
  /** The same for the latest check-out. */
  check_out_kiosk_id: string | null;
  check_out_similarity: number | null;
  check_out_liveness: number | null;
  decided_by: AttendanceDecidedBy;
  /** Set when the clock jumped around this record: its times need a human look. */
  clock_flag: string | null;
  /** The operator's reason for a manual record or the latest correction. */
  note: string | null;
  created_at: string;
  updated_at: string;
  /**
   * A joined kiosk's lists only (absent on a standalone kiosk): whose record of the day this is. `hub`:
   * the hub's, from every site's events and its corrections (its check-in, check-out and late replace
   * the kiosk's own above); `kiosk`: the hub has not said yet.
   */
  source?: AttendanceSource;
  /** With `source: 'hub'`: the day was corrected at the hub, and why. */
  corrected?: boolean;
  correction_reason?: string | null;
  /** With `source: 'hub'`: the last check-out was before the check-out window opened. */
  early?: boolean;
  /** With `source: 'hub'`: the site codes where the check-in and the check-out happened. */
  check_in_site?: string | null;
  check_out_site?: string | null;
}

export type AttendanceSource = 'hub' | 'kiosk';

/**
 * What the kiosk says after a recognition. Only `checked_in` and `checked_out` wrote anything;
 * `already_checked_in` returns the day's record so the screen can show the time of the check-in.
 */
export type AttendanceOutcome =
  | { kind: 'checked_in'; record: AttendanceRecord; late: boolean }
  | { kind: 'checked_out'; record: AttendanceRecord; late: boolean }
  | { kind: 'already_checked_in'; record: AttendanceRecord; late: boolean; next?: NextAttendanceAction }
  | {
      kind: 'cooldown';
      retry_after_s: number;
      /** The person's record of the day, when there is one: the kiosk names its times. */
      record?: AttendanceRecord | null;
      /** What the person can do next at the kiosk today, and from when. */
      next?: NextAttendanceAction;
    }
  | { kind: 'closed' }
  | { kind: 'holiday'; holiday: string }
  | { kind: 'on_leave'; leave_kind: string };

/**
 * What a person who was just answered can do next at the kiosk today: check in or out from a local
 * time ("HH:MM" in the site's time zone, rounded up to the minute), or nothing more today (`none`:
 * checked out already). The kiosk says this instead of counting down the cooldown.
 */
export type NextAttendanceAction = { kind: 'check_in' | 'check_out'; from: string } | { kind: 'none' };

export type AttendanceOutcomeKind = AttendanceOutcome['kind'];

export interface DailySummaryPerson {
  person_id: number;
  employee_number: string;
  full_name: string;
  unit: string | null;
}

export interface DailySummary {
  date: string;
  /** The holiday's name, when the date is one. */
  holiday: string | null;
  /** Whether attendance was expected: a weekday with windows that is not a holiday. */
  workday: boolean;
  /** Active people (of the unit, when filtered) who existed on that day. */
  active: number;
  /** Records of the day (anyone seen at all, checked in or only out). */
  present: number;
  late: number;
  /** Active people without a record and not on leave, on a workday. */
  absent: number;
  on_leave: number;
  /** Checked in but never checked out. */
  not_checked_out: number;
  /** Checked out with no check-in (missed the morning scan). */
  no_check_in: number;
  absent_people: DailySummaryPerson[];
}

/** Filter for attendance queries and exports; dates inclusive, in the site's time zone. */
export interface AttendanceQuery {
  from: string;
  to: string;
  unit?: string;
  person_id?: number;
  employee_number?: string;
  /** Only records flagged late. */
  only_late?: boolean;
  /** Only records with a check-in and no check-out. */
  only_not_checked_out?: boolean;
}

// ─── Statistics (the operator's charts) ─────────────────────────────────────────────────────────────

/** One day of a range: how many people came, on time or late. */
export interface AttendanceDayStats {
  /** YYYY-MM-DD in the site's time zone. */
  date: string;
  /** Records of the day (anyone seen, with or without a check-in). */
  present: number;
  /** Check-ins at or before the on-time limit. */
  on_time: number;
  /** Check-ins after it. */
  late: number;
  /** Whether attendance was expected (a weekday with windows that is not a holiday). */
  workday: boolean;
  /** The holiday's name, when the date is one. */
  holiday: string | null;
}

/** Check-ins of one day per fixed interval of local time. */
export interface ArrivalsHistogram {
  date: string;
  bin_minutes: number;
  /**
   * Consecutive bins, each `start` "HH:MM" local, covering the day's check-in window and every check-in
   * outside it (a manual record); empty on a day without windows or check-ins.
   */
  bins: { start: string; count: number }[];
  /** The day's on-time limit, "HH:MM"; null on a day without one (closed, or an all-day schedule). */
  on_time_until: string | null;
}

export interface AttendanceStats {
  from: string;
  to: string;
  unit: string | null;
  days: AttendanceDayStats[];
  /** Arrivals of the last day of the range (`to`). */
  arrivals: ArrivalsHistogram;
}
