import type { AttendanceQuery, AttendanceRecord, DailySummaryPerson } from '../../shared/attendance';
import type { Db } from './db';

/** The SQL of attendance records, holidays and leave. Callers own the transactions. */

interface AttendanceRow extends Omit<AttendanceRecord, 'late'> {
  late: number;
}

function toRecord(r: AttendanceRow): AttendanceRecord {
  return { ...r, late: r.late === 1 };
}

/**
 * The records as the views show them (lists, exports, the day's counts): on a joined kiosk, where the
 * hub sent its record of a person's day (hub_days, migration 12), the hub's first in, last out, late
 * and early win over the kiosk's own (an earlier check-in at another site, a correction at the hub),
 * and the record says so. Without hub rows (a standalone kiosk) every value is the kiosk's own.
 */
const VIEW_FROM =
  'attendance a LEFT JOIN hub_days h ON h.employee_number = a.employee_number AND h.date = a.local_date';
const HAS_HUB = 'h.date IS NOT NULL';
const VIEW_IN = `CASE WHEN ${HAS_HUB} THEN h.first_in_at ELSE a.check_in_at END`;
const VIEW_OUT = `CASE WHEN ${HAS_HUB} THEN h.last_out_at ELSE a.check_out_at END`;
const VIEW_LATE = `CASE WHEN ${HAS_HUB} THEN coalesce(h.late, 0) ELSE a.late END`;
const VIEW_COLUMNS = `a.*, h.date AS hub_date, h.first_in_at AS hub_first_in_at, h.first_in_site AS hub_first_in_site,
  h.last_out_at AS hub_last_out_at, h.last_out_site AS hub_last_out_site, h.late AS hub_late, h.early AS hub_early,
  h.corrected AS hub_corrected, h.correction_reason AS hub_correction_reason,
  CASE WHEN ${HAS_HUB} THEN NULL WHEN EXISTS (SELECT 1 FROM hub_link) THEN 'kiosk' END AS kiosk_source`;

interface ViewRow extends AttendanceRow {
  hub_date: string | null;
  hub_first_in_at: string | null;
  hub_first_in_site: string | null;
  hub_last_out_at: string | null;
  hub_last_out_site: string | null;
  hub_late: number | null;
  hub_early: number | null;
  hub_corrected: number | null;
  hub_correction_reason: string | null;
  kiosk_source: 'kiosk' | null;
}

function toViewRecord(r: ViewRow): AttendanceRecord {
  const {
    hub_date,
    hub_first_in_at,
    hub_first_in_site,
    hub_last_out_at,
    hub_last_out_site,
    hub_late,
    hub_early,
    hub_corrected,
    hub_correction_reason,
    kiosk_source,
    ...own
  } = r;
  const record = toRecord(own);
  if (hub_date === null) return kiosk_source ? { ...record, source: kiosk_source } : record;
  return {
    ...record,
    check_in_at: hub_first_in_at,
    check_out_at: hub_last_out_at,
    late: hub_late === 1,
    source: 'hub',
    corrected: hub_corrected === 1,
    correction_reason: hub_correction_reason,
    early: hub_early === 1,
    check_in_site: hub_first_in_site,
    check_out_site: hub_last_out_site,
  };
}

/** Where a keyset page of attendance ends: the last record's day and id. */
export interface AttendanceKey {
  local_date: string;
  id: number;
}

/** The query's conditions over {@link VIEW_FROM}: late and not checked out as the views show the day. */
function whereOf(q: AttendanceQuery): string[] {
  const where = ['a.local_date BETWEEN @from AND @to'];
  if (q.unit !== undefined) where.push('a.unit = @unit');
  if (q.person_id !== undefined) where.push('a.person_id = @person_id');
  if (q.employee_number !== undefined) where.push('a.employee_number = @employee_number');
  if (q.only_late) where.push(`${VIEW_LATE} = 1`);
  if (q.only_not_checked_out) where.push(`${VIEW_IN} IS NOT NULL AND ${VIEW_OUT} IS NULL`);
  return where;
}

function paramsOf(q: AttendanceQuery) {
  return {
    from: q.from,
    to: q.to,
    unit: q.unit ?? null,
    person_id: q.person_id ?? null,
    employee_number: q.employee_number ?? null,
  };
}

/** A new record: every column of a record but its id and timestamps, with `at` as both timestamps. */
export type NewAttendance = Omit<AttendanceRecord, 'id' | 'person_id' | 'created_at' | 'updated_at'> & {
  person_id: number;
  at: string;
};

/** Columns a check-out or an operator's correction may change. */
export type AttendancePatch = Partial<
  Pick<
    AttendanceRecord,
    | 'local_date'
    | 'check_in_at'
    | 'check_out_at'
    | 'kiosk_id'
    | 'similarity'
    | 'liveness'
    | 'check_out_kiosk_id'
    | 'check_out_similarity'
    | 'check_out_liveness'
    | 'clock_flag'
    | 'note'
    | 'decided_by'
  > & { late: boolean }
>;

const PATCHABLE = new Set<string>([
  'local_date',
  'check_in_at',
  'check_out_at',
  'late',
  'kiosk_id',
  'similarity',
  'liveness',
  'check_out_kiosk_id',
  'check_out_similarity',
  'check_out_liveness',
  'clock_flag',
  'note',
  'decided_by',
]);

export interface LeaveRow {
  id: number;
  person_id: number;
  from_date: string;
  to_date: string;
  kind: string;
  note: string | null;
}

export interface HolidayRow {
  date: string;
  name: string;
}

export class AttendanceRepo {
  constructor(readonly db: Db) {}

  get(id: number): AttendanceRecord | undefined {
    const r = this.db.prepare('SELECT * FROM attendance WHERE id = ?').get(id) as AttendanceRow | undefined;
    return r && toRecord(r);
  }

  findDay(personId: number, localDate: string): AttendanceRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM attendance WHERE person_id = ? AND local_date = ?')
      .get(personId, localDate) as AttendanceRow | undefined;
    return r && toRecord(r);
  }

  insert(a: NewAttendance): AttendanceRecord {
    const info = this.db
      .prepare(
        `INSERT INTO attendance (person_id, employee_number, full_name, unit, local_date, check_in_at, check_out_at,
           late, kiosk_id, similarity, liveness, check_out_kiosk_id, check_out_similarity, check_out_liveness,
           decided_by, clock_flag, note, created_at, updated_at)
         VALUES (@person_id, @employee_number, @full_name, @unit, @local_date, @check_in_at, @check_out_at,
           @late, @kiosk_id, @similarity, @liveness, @check_out_kiosk_id, @check_out_similarity, @check_out_liveness,
           @decided_by, @clock_flag, @note, @at, @at)`,
      )
      .run({ ...a, late: a.late ? 1 : 0 });
    return this.get(Number(info.lastInsertRowid))!;
  }

  update(id: number, patch: AttendancePatch, at: string): AttendanceRecord {
    const keys = Object.keys(patch).filter((k) => PATCHABLE.has(k) && patch[k as keyof AttendancePatch] !== undefined);
    const params: Record<string, unknown> = { id, at };
    for (const k of keys) {
      const v = patch[k as keyof AttendancePatch];
      params[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
    const sets = [...keys.map((k) => `${k} = @${k}`), 'updated_at = @at'].join(', ');
    this.db.prepare(`UPDATE attendance SET ${sets} WHERE id = @id`).run(params);
    return this.get(id)!;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM attendance WHERE id = ?').run(id).changes > 0;
  }

  /** Append `flag` to the clock flag of every record with a time later than `afterIso` (their times are now "in the future"). */
  flagTimesAfter(afterIso: string, flag: string): number {
    return this.db
      .prepare(
        `UPDATE attendance
            SET clock_flag = CASE WHEN clock_flag IS NULL THEN @flag ELSE clock_flag || '; ' || @flag END
          WHERE check_in_at > @after OR check_out_at > @after`,
      )
      .run({ after: afterIso, flag }).changes;
  }

  /** The latest time any record was written (every write stamps `updated_at` from the clock). */
  latestWrite(): string | null {
    const r = this.db.prepare('SELECT max(updated_at) AS t FROM attendance').get() as { t: string | null };
    return r.t;
  }

  query(q: AttendanceQuery): AttendanceRecord[] {
    const rows = this.db
      .prepare(
        `SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE ${whereOf(q).join(' AND ')}
          ORDER BY a.local_date, a.unit IS NULL, a.unit, a.full_name, a.employee_number`,
      )
      .all(paramsOf(q)) as ViewRow[];
    return rows.map(toViewRecord);
  }

  /**
   * At most `limit` records of a query in (local_date, id) order, those after `after` only: a keyset
   * page, stable while records are added or changed under the reader (the `attendance_day` index holds
   * the rowid, so each page is one short index range scan, however deep).
   */
  page(q: AttendanceQuery, after: AttendanceKey | null, limit: number): AttendanceRecord[] {
    const where = whereOf(q);
    if (after) where.push('(a.local_date > @after_date OR (a.local_date = @after_date AND a.id > @after_id))');
    const rows = this.db
      .prepare(
        `SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE ${where.join(' AND ')} ORDER BY a.local_date, a.id LIMIT @limit`,
      )
      .all({
        ...paramsOf(q),
        ...(after ? { after_date: after.local_date, after_id: after.id } : {}),
        limit,
      }) as ViewRow[];
    return rows.map(toViewRecord);
  }

  /** Every record of one person, oldest first (their data export). */
  /** Each person's latest check-in or check-out instant (people never seen are absent from the map). */
  lastSeen(personIds: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    if (personIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT person_id, max(max(coalesce(check_in_at, ''), coalesce(check_out_at, ''))) AS t
         FROM attendance WHERE person_id IN (SELECT value FROM json_each(?)) GROUP BY person_id`,
      )
      .all(JSON.stringify(personIds)) as { person_id: number; t: string }[];
    for (const r of rows) if (r.t) out.set(r.person_id, r.t);
    return out;
  }

  forPerson(personId: number): AttendanceRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM attendance WHERE person_id = ? ORDER BY local_date')
        .all(personId) as AttendanceRow[]
    ).map(toRecord);
  }

  // --- Daily summary -------------------------------------------------------------------------------

  /** Counts over the day's records (any person, deleted ones included). */
  dayCounts(
    date: string,
    unit?: string,
  ): { present: number; late: number; not_checked_out: number; no_check_in: number } {
    const r = this.db
      .prepare(
        `SELECT count(*) AS present,
                coalesce(sum(${VIEW_LATE}), 0) AS late,
                coalesce(sum(${VIEW_IN} IS NOT NULL AND ${VIEW_OUT} IS NULL), 0) AS not_checked_out,
                coalesce(sum(${VIEW_IN} IS NULL), 0) AS no_check_in
           FROM ${VIEW_FROM}
          WHERE a.local_date = @date AND (@unit IS NULL OR a.unit = @unit)`,
      )
      .get({ date, unit: unit ?? null }) as {
      present: number;
      late: number;
      not_checked_out: number;
      no_check_in: number;
    };
    return r;
  }

  /** Active people created before `existedBefore` (ISO instant: the end of that day). */
  activePeopleCount(existedBefore: string, unit?: string): number {
    const r = this.db
      .prepare(
        `SELECT count(*) AS n FROM people
          WHERE active = 1 AND created_at < @before AND (@unit IS NULL OR unit = @unit)`,
      )
      .get({ before: existedBefore, unit: unit ?? null }) as { n: number };
    return r.n;
  }

  /** Active people (existing by then) on leave on `date`. */
  onLeaveCount(date: string, existedBefore: string, unit?: string): number {
    const r = this.db
      .prepare(
        `SELECT count(*) AS n FROM people p
          WHERE p.active = 1 AND p.created_at < @before AND (@unit IS NULL OR p.unit = @unit)
            AND EXISTS (SELECT 1 FROM leave l WHERE l.person_id = p.id AND @date BETWEEN l.from_date AND l.to_date)`,
      )
      .get({ date, before: existedBefore, unit: unit ?? null }) as { n: number };
    return r.n;
  }

  /** Active people (existing by then) with no record on `date` and not on leave. */
  absentPeople(date: string, existedBefore: string, unit?: string): DailySummaryPerson[] {
    return this.db
      .prepare(
        `SELECT p.id AS person_id, p.employee_number, p.full_name, p.unit FROM people p
          WHERE p.active = 1 AND p.created_at < @before AND (@unit IS NULL OR p.unit = @unit)
            AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.person_id = p.id AND a.local_date = @date)
            AND NOT EXISTS (SELECT 1 FROM leave l WHERE l.person_id = p.id AND @date BETWEEN l.from_date AND l.to_date)
          ORDER BY p.unit IS NULL, p.unit, p.full_name, p.employee_number`,
      )
      .all({ date, before: existedBefore, unit: unit ?? null }) as DailySummaryPerson[];
  }

  // --- Statistics (the operator's charts) ----------------------------------------------------------

  /**
   * Per local day of [from, to] that has records: how many, how many checked in on time, how many late.
   * Days without records are absent (the caller fills them with zeros).
   */
  dailyCounts(
    from: string,
    to: string,
    unit?: string,
  ): { local_date: string; present: number; on_time: number; late: number }[] {
    return this.db
      .prepare(
        `SELECT a.local_date,
                count(*) AS present,
                coalesce(sum(${VIEW_IN} IS NOT NULL AND ${VIEW_LATE} = 0), 0) AS on_time,
                coalesce(sum(${VIEW_IN} IS NOT NULL AND ${VIEW_LATE} = 1), 0) AS late
           FROM ${VIEW_FROM}
          WHERE a.local_date BETWEEN @from AND @to AND (@unit IS NULL OR a.unit = @unit)
          GROUP BY a.local_date
          ORDER BY a.local_date`,
      )
      .all({ from, to, unit: unit ?? null }) as {
      local_date: string;
      present: number;
      on_time: number;
      late: number;
    }[];
  }

  /**
   * Check-ins of one local day counted per `binSeconds`, bin 0 starting at `dayStart` (the ISO instant
   * of that day's local midnight); on a joined kiosk the hub's first check-in where it sent one. Integer seconds since the epoch, so a check-in exactly on a bin's
   * start falls in that bin. Only bins with check-ins are returned.
   */
  arrivalBins(date: string, dayStart: string, binSeconds: number, unit?: string): { bin: number; count: number }[] {
    return this.db
      .prepare(
        `SELECT (CAST(strftime('%s', ${VIEW_IN}) AS INTEGER) - CAST(strftime('%s', @start) AS INTEGER)) / CAST(@bin AS INTEGER) AS bin,
                count(*) AS count
           FROM ${VIEW_FROM}
          WHERE a.local_date = @date AND ${VIEW_IN} IS NOT NULL AND (@unit IS NULL OR a.unit = @unit)
          GROUP BY bin
          ORDER BY bin`,
      )
      .all({ date, start: dayStart, bin: binSeconds, unit: unit ?? null }) as { bin: number; count: number }[];
  }

  // --- Retention ---------------------------------------------------------------------------------

  /** Delete records of days before `localDate`; returns how many. */
  purgeBefore(localDate: string): number {
    return this.db.prepare('DELETE FROM attendance WHERE local_date < ?').run(localDate).changes;
  }

  /** Delete leave that ended before `localDate`; returns how many. */
  purgeLeaveBefore(localDate: string): number {
    return this.db.prepare('DELETE FROM leave WHERE to_date < ?').run(localDate).changes;
  }

  // --- Holidays ------------------------------------------------------------------------------------

  holidayOn(date: string): string | null {
    const r = this.db.prepare('SELECT name FROM holidays WHERE date = ?').get(date) as { name: string } | undefined;
    return r?.name ?? null;
  }

  /** Add or rename; returns the previous name (null when new). */
  upsertHoliday(date: string, name: string): string | null {
    const before = this.holidayOn(date);
    this.db
      .prepare('INSERT INTO holidays (date, name) VALUES (?, ?) ON CONFLICT (date) DO UPDATE SET name = excluded.name')
      .run(date, name);
    return before;
  }

  deleteHoliday(date: string): boolean {
    return this.db.prepare('DELETE FROM holidays WHERE date = ?').run(date).changes > 0;
  }

  listHolidays(from: string, to: string): HolidayRow[] {
    return this.db
      .prepare('SELECT date, name FROM holidays WHERE date BETWEEN ? AND ? ORDER BY date')
      .all(from, to) as HolidayRow[];
  }

  // --- Leave ---------------------------------------------------------------------------------------

  leaveOn(personId: number, date: string): LeaveRow | undefined {
    return this.db
      .prepare('SELECT * FROM leave WHERE person_id = ? AND ? BETWEEN from_date AND to_date ORDER BY from_date LIMIT 1')
      .get(personId, date) as LeaveRow | undefined;
  }

  getLeave(id: number): LeaveRow | undefined {
    return this.db.prepare('SELECT * FROM leave WHERE id = ?').get(id) as LeaveRow | undefined;
  }

  insertLeave(l: Omit<LeaveRow, 'id'>): LeaveRow {
    const info = this.db
      .prepare(
        'INSERT INTO leave (person_id, from_date, to_date, kind, note) VALUES (@person_id, @from_date, @to_date, @kind, @note)',
      )
      .run(l);
    return this.getLeave(Number(info.lastInsertRowid))!;
  }

  deleteLeave(id: number): boolean {
    return this.db.prepare('DELETE FROM leave WHERE id = ?').run(id).changes > 0;
  }

  /** Leave overlapping [from, to], optionally of one person. */
  listLeave(from: string, to: string, personId?: number): LeaveRow[] {
    return this.db
      .prepare(
        `SELECT * FROM leave WHERE from_date <= @to AND to_date >= @from AND (@person IS NULL OR person_id = @person)
          ORDER BY from_date, person_id`,
      )
      .all({ from, to, person: personId ?? null }) as LeaveRow[];
  }
}
