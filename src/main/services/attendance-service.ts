import type {
  AttendanceOutcome,
  AttendanceQuery,
  AttendanceRecord,
  AttendanceStats,
  DailySummary,
} from '../../shared/attendance';
import { HadirError } from '../../shared/errors';
import {
  addDays,
  datesBetween,
  isValidDate,
  isValidTimeOfDay,
  localParts,
  weekdayOf,
  zonedToUtc,
} from '../../shared/local-time';
import type { Actor, Person } from '../../shared/people';
import { PassThrough, Readable } from 'node:stream';
import {
  type AttendanceKey,
  type AttendancePatch,
  AttendanceRepo,
  type HolidayRow,
  type LeaveRow,
  type NewAttendance,
} from '../store/attendance-repo';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { HubLinkRepo } from '../store/hub-link-repo';
import { PeopleRepo } from '../store/people-repo';
import { ReplicaRepo } from '../store/replica-repo';
import { SettingsRepo } from '../store/settings-repo';
import type { ExportFormat, ExportLanguage } from './attendance-export';
import { ARRIVAL_BIN_MINUTES, arrivalsHistogram } from './attendance-stats';
import { type Clock, type ClockJump, ClockJumpDetector, type ClockJumpLimits, systemClock } from './clock';
import { nextAttendanceAction } from './next-action';
import { isExpectedWorkday, Schedule, type ScheduleSettings, parseScheduleSettings } from './schedule';

/** Settings key of the schedule (JSON {@link ScheduleSettings}). */
export const SCHEDULE_SETTING = 'attendance.schedule';
/** Records an export reads at a time (one short statement each; the event loop runs between them). */
export const EXPORT_CHUNK_ROWS = 500;

const SYSTEM: Actor = { type: 'system', id: null };

export interface RecognitionInput {
  /** The recognised person (their id, or anything with one, such as a {@link Person}). */
  person: number | { id: number };
  /** Cosine similarity of the accepted identification. */
  similarity: number;
  /** Liveness p_real of the accepted frames, or null when liveness did not run. */
  liveness: number | null;
  kioskId: string;
  /** Who reports the recognition; default the kiosk itself. Recognitions reported by an operator or API key are audited. */
  actor?: Actor;
}

/** A time given by an operator: an ISO instant, or "HH:MM[:SS]" in the site's time zone on the record's date. */
export type OperatorTime = string | Date;

export interface ManualRecordInput {
  person: number | { id: number };
  localDate: string;
  checkInAt?: OperatorTime | null;
  checkOutAt?: OperatorTime | null;
  /** Default: computed from the schedule and the check-in time. */
  late?: boolean;
}

export interface CorrectionInput {
  localDate?: string;
  checkInAt?: OperatorTime | null;
  checkOutAt?: OperatorTime | null;
  late?: boolean;
  /** The operator has checked a record flagged for a clock jump: clear the flag. */
  clearClockFlag?: boolean;
}

export interface LeaveInput {
  person: number | { id: number };
  from: string;
  to: string;
  /** e.g. 'cuti' (annual leave), 'sakit' (sick), 'dinas' (official travel). */
  kind: string;
  note?: string | null;
}

export interface ClockStatus {
  /** False while a jump is flagged and not yet acknowledged. */
  trusted: boolean;
  flag: string | null;
  jumps: readonly ClockJump[];
}

export interface AttendanceServiceOptions {
  db: Db;
  clock?: Clock;
  /** A fixed schedule (tests); default: the stored setting, read at every decision so a change applies at once. */
  schedule?: Schedule | ScheduleSettings;
  clockLimits?: ClockJumpLimits;
}

/**
 * The attendance rules, in one place for the kiosk (IPC), the HTTP API and the CLI:
 *
 * - The first accepted recognition of a person's local day inside the check-in window is their check-in,
 *   flagged late after the on-time limit. Another one inside the check-in window answers
 *   `already_checked_in` and records nothing.
 * - Inside the check-out window a recognition sets the check-out time (the latest one wins, so leaving
 *   at 17:00 after a scan at 16:00 counts). With no check-in that day, a record with only a check-out is
 *   made: the missed check-in stays visible instead of being invented.
 * - Outside the windows the answer is `closed` and nothing is recorded.
 * - On a public holiday the answer is `holiday` and on a person's registered leave `on_leave`, with nothing
 *   recorded, unless the schedule says to record then (`recordOnHolidays`, `recordOnLeave`).
 * - A person answered within the cooldown (default 60 s, timed on the monotonic clock so setting the wall
 *   clock cannot shorten it) gets `cooldown` and nothing is recorded.
 * - Records written while the clock is flagged (see {@link ClockJumpDetector}) carry the flag.
 *
 * Operators add, correct and delete records with a reason; every such change is audited with the
 * before and after. Every multi-row write is one transaction.
 */
export class AttendanceService {
  readonly repo: AttendanceRepo;
  readonly clock: Clock;
  readonly detector: ClockJumpDetector;
  private readonly db: Db;
  private readonly audit: AuditRepo;
  private readonly people: PeopleRepo;
  private readonly settings: SettingsRepo;
  private readonly hubLink: HubLinkRepo;
  private readonly replica: ReplicaRepo;
  private readonly fixedSchedule: Schedule | null;
  /** person id → monotonic ms of the last answer that counted (checked in/out, already checked in). */
  private readonly lastAnswered = new Map<number, number>();

  constructor(opts: AttendanceServiceOptions) {
    this.db = opts.db;
    this.clock = opts.clock ?? systemClock;
    const now = () => this.clock.now();
    this.repo = new AttendanceRepo(this.db);
    this.audit = new AuditRepo(this.db, now);
    this.people = new PeopleRepo(this.db, now);
    this.settings = new SettingsRepo(this.db, now);
    this.hubLink = new HubLinkRepo(this.db);
    this.replica = new ReplicaRepo(this.db);
    this.fixedSchedule =
      opts.schedule === undefined
        ? null
        : opts.schedule instanceof Schedule
          ? opts.schedule
          : new Schedule(opts.schedule);
    this.detector = new ClockJumpDetector(this.clock, opts.clockLimits);
    this.detector.onJump((jump) => this.onClockJump(jump));
    // A clock behind the latest stored write was set back while no process watched it.
    const latest = this.repo.latestWrite();
    this.detector.checkAgainstRecorded(latest ? new Date(latest) : null);
  }

  // --- Schedule ------------------------------------------------------------------------------------

  schedule(): Schedule {
    return this.fixedSchedule ?? new Schedule(parseScheduleSettings(this.settings.get<unknown>(SCHEDULE_SETTING)));
  }

  /**
   * Change the schedule: the fields given replace the stored ones (weekdays one by one), the rest stay;
   * the result is validated, stored and audited.
   */
  setSchedule(patch: Partial<ScheduleSettings>, actor: Actor): ScheduleSettings {
    return this.db
      .transaction(() => {
        const stored = this.settings.get<unknown>(SCHEDULE_SETTING) ?? null;
        const current = parseScheduleSettings(stored);
        const next = parseScheduleSettings({ ...current, ...patch, week: { ...current.week, ...(patch.week ?? {}) } });
        if (this.hubLink.joined()) {
          // A settings screen saving the whole form sends the schedule unchanged: that is no edit.
          if (JSON.stringify(next) === JSON.stringify(current)) return current;
          this.refuseOnHubKiosk('its schedule');
        }
        this.settings.set(SCHEDULE_SETTING, next);
        this.audit.record({
          actor,
          action: 'settings.schedule',
          targetType: 'settings',
          targetId: SCHEDULE_SETTING,
          details: { before: stored, after: next },
        });
        return next;
      })
      .immediate();
  }

  // --- The kiosk -----------------------------------------------------------------------------------

  recordRecognition(input: RecognitionInput): AttendanceOutcome {
    if (!Number.isFinite(input.similarity)) throw new HadirError('BAD_REQUEST', 'similarity must be a number');
    if (input.liveness !== null && !(input.liveness >= 0 && input.liveness <= 1)) {
      throw new HadirError('BAD_REQUEST', 'liveness must be a probability between 0 and 1, or null');
    }
    if (typeof input.kioskId !== 'string' || input.kioskId === '') {
      throw new HadirError('BAD_REQUEST', 'kioskId is required');
    }
    this.detector.check();
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const schedule = this.schedule();
    const { date } = schedule.local(now);
    const person = this.requirePerson(input.person);
    if (!person.active) throw new HadirError('BAD_REQUEST', `${person.employee_number} is not active`);

    const holiday = this.repo.holidayOn(date);
    if (holiday !== null && !schedule.settings.recordOnHolidays) return { kind: 'holiday', holiday };
    const leave = this.repo.leaveOn(person.id, date);
    if (leave && !schedule.settings.recordOnLeave) return { kind: 'on_leave', leave_kind: leave.kind };
    const phase = schedule.classify(now);
    if (phase === 'closed') return { kind: 'closed' };

    const mono = this.clock.monotonicMs();
    const last = this.lastAnswered.get(person.id);
    const cooldownMs = schedule.settings.cooldownSeconds * 1000;
    if (last !== undefined && mono - last < cooldownMs) {
      const retryAfter = Math.ceil((cooldownMs - (mono - last)) / 1000);
      // The day's times and what comes next, so the kiosk names them instead of counting down.
      const record = this.repo.findDay(person.id, date) ?? null;
      const next = nextAttendanceAction(schedule, now, record, new Date(now.getTime() + retryAfter * 1000));
      return { kind: 'cooldown', retry_after_s: retryAfter, record, next };
    }

    const actor = input.actor ?? { type: 'kiosk', id: input.kioskId };
    const flag = this.detector.currentFlag();
    const outcome = this.db
      .transaction((): AttendanceOutcome => {
        const existing = this.repo.findDay(person.id, date);
        let out: AttendanceOutcome;
        // All day (a hub site without a schedule) the person's day, not the hour, tells in from out.
        if (schedule.phaseFor(now, Boolean(existing?.check_in_at)) === 'check-in') {
          if (existing?.check_in_at) {
            const next = nextAttendanceAction(schedule, now, existing);
            return { kind: 'already_checked_in', record: existing, late: existing.late, next };
          }
          const late = schedule.isLate(now);
          const record = existing
            ? this.repo.update(
                existing.id,
                {
                  check_in_at: nowIso,
                  late,
                  kiosk_id: input.kioskId,
                  similarity: input.similarity,
                  liveness: input.liveness,
                  clock_flag: mergeFlag(existing.clock_flag, flag),
                },
                nowIso,
              )
            : this.repo.insert({
                ...this.newRow(person, date, nowIso),
                check_in_at: nowIso,
                late,
                kiosk_id: input.kioskId,
                similarity: input.similarity,
                liveness: input.liveness,
                clock_flag: flag,
              });
          out = { kind: 'checked_in', record, late };
        } else {
          const evidence = {
            check_out_at: nowIso,
            check_out_kiosk_id: input.kioskId,
            check_out_similarity: input.similarity,
            check_out_liveness: input.liveness,
          };
          const record = existing
            ? this.repo.update(existing.id, { ...evidence, clock_flag: mergeFlag(existing.clock_flag, flag) }, nowIso)
            : this.repo.insert({ ...this.newRow(person, date, nowIso), ...evidence, clock_flag: flag });
          out = { kind: 'checked_out', record, late: record.late };
        }
        if (actor.type === 'operator' || actor.type === 'api_key') {
          this.audit.record({
            actor,
            action: out.kind === 'checked_in' ? 'attendance.check_in' : 'attendance.check_out',
            targetType: 'attendance',
            targetId: out.record.id,
            details: {
              person_id: person.id,
              kiosk_id: input.kioskId,
              similarity: input.similarity,
              liveness: input.liveness,
            },
            at: now,
          });
        }
        return out;
      })
      .immediate();
    this.lastAnswered.set(person.id, mono);
    return outcome;
  }

  private newRow(person: Person, date: string, nowIso: string): NewAttendance {
    return {
      person_id: person.id,
      employee_number: person.employee_number,
      full_name: person.full_name,
      unit: person.unit,
      local_date: date,
      check_in_at: null,
      check_out_at: null,
      late: false,
      kiosk_id: null,
      similarity: null,
      liveness: null,
      check_out_kiosk_id: null,
      check_out_similarity: null,
      check_out_liveness: null,
      decided_by: 'face',
      clock_flag: null,
      note: null,
      at: nowIso,
    };
  }

  // --- Operators -----------------------------------------------------------------------------------

  /** An operator (or API key) adds a day's record that the kiosk did not take. */
  addRecord(input: ManualRecordInput, reason: string, actor: Actor): AttendanceRecord {
    return this.addRecords([input], reason, actor)[0];
  }

  /** Several manual records in one transaction: all are written, or none (e.g. a unit's official trip). */
  addRecords(inputs: readonly ManualRecordInput[], reason: string, actor: Actor): AttendanceRecord[] {
    const why = requireReason(reason);
    const schedule = this.schedule();
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const nowIso = now.toISOString();
        return inputs.map((input) => {
          requireDate(input.localDate, 'localDate');
          const person = this.requirePerson(input.person);
          if (this.repo.findDay(person.id, input.localDate)) {
            throw new HadirError(
              'BAD_REQUEST',
              `${person.employee_number} already has a record on ${input.localDate}: correct it instead`,
              {
                reason: 'attendance_day_exists',
                params: { employee_number: person.employee_number, date: input.localDate },
              },
            );
          }
          const checkIn = this.operatorTime(input.checkInAt, input.localDate, schedule, 'checkInAt');
          const checkOut = this.operatorTime(input.checkOutAt, input.localDate, schedule, 'checkOutAt');
          if (!checkIn && !checkOut)
            throw new HadirError('BAD_REQUEST', 'give a check-in time, a check-out time or both', {
              reason: 'attendance_time_required',
            });
          checkOrder(checkIn, checkOut);
          const late = input.late ?? (checkIn ? schedule.isLate(new Date(checkIn)) : false);
          const record = this.repo.insert({
            ...this.newRow(person, input.localDate, nowIso),
            check_in_at: checkIn,
            check_out_at: checkOut,
            late,
            decided_by: actor.type === 'api_key' ? 'api' : 'operator',
            note: why,
          });
          this.audit.record({
            actor,
            action: 'attendance.create',
            targetType: 'attendance',
            targetId: record.id,
            details: {
              person_id: person.id,
              employee_number: person.employee_number,
              local_date: record.local_date,
              after: { check_in_at: checkIn, check_out_at: checkOut, late },
              reason: why,
            },
            at: now,
          });
          return record;
        });
      })
      .immediate();
  }

  /** Correct a record's date, times or late flag; the audit entry keeps what it was. */
  correctRecord(id: number, patch: CorrectionInput, reason: string, actor: Actor): AttendanceRecord {
    const why = requireReason(reason);
    const schedule = this.schedule();
    return this.db
      .transaction(() => {
        const now = this.clock.now();
        const before = this.repo.get(id);
        if (!before)
          throw new HadirError('NOT_FOUND', `no attendance record ${id}`, { reason: 'attendance_not_found' });
        const date = patch.localDate ?? before.local_date;
        requireDate(date, 'localDate');
        if (date !== before.local_date && before.person_id !== null && this.repo.findDay(before.person_id, date)) {
          throw new HadirError('BAD_REQUEST', `${before.employee_number} already has a record on ${date}`, {
            reason: 'attendance_day_exists',
            params: { employee_number: before.employee_number, date },
          });
        }
        const checkIn =
          patch.checkInAt === undefined
            ? before.check_in_at
            : this.operatorTime(patch.checkInAt, date, schedule, 'checkInAt');
        const checkOut =
          patch.checkOutAt === undefined
            ? before.check_out_at
            : this.operatorTime(patch.checkOutAt, date, schedule, 'checkOutAt');
        if (!checkIn && !checkOut)
          throw new HadirError('BAD_REQUEST', 'a record needs a check-in or a check-out time (delete it instead)', {
            reason: 'attendance_time_required',
          });
        checkOrder(checkIn, checkOut);
        const late =
          patch.late ??
          (patch.checkInAt !== undefined ? (checkIn ? schedule.isLate(new Date(checkIn)) : false) : before.late);
        const changes: AttendancePatch = {
          local_date: date,
          check_in_at: checkIn,
          check_out_at: checkOut,
          late,
          note: why,
        };
        if (patch.clearClockFlag) changes.clock_flag = null;
        const after = this.repo.update(id, changes, now.toISOString());
        const diff: Record<string, { before: unknown; after: unknown }> = {};
        for (const k of ['local_date', 'check_in_at', 'check_out_at', 'late', 'clock_flag'] as const) {
          if (before[k] !== after[k]) diff[k] = { before: before[k], after: after[k] };
        }
        this.audit.record({
          actor,
          action: 'attendance.correct',
          targetType: 'attendance',
          targetId: id,
          details: { person_id: before.person_id, employee_number: before.employee_number, changes: diff, reason: why },
          at: now,
        });
        return after;
      })
      .immediate();
  }

  /** Delete a record (a wrong identification); the audit entry keeps the whole record. */
  deleteRecord(id: number, reason: string, actor: Actor): void {
    const why = requireReason(reason);
    this.db
      .transaction(() => {
        const before = this.repo.get(id);
        if (!before)
          throw new HadirError('NOT_FOUND', `no attendance record ${id}`, { reason: 'attendance_not_found' });
        this.repo.delete(id);
        this.audit.record({
          actor,
          action: 'attendance.delete',
          targetType: 'attendance',
          targetId: id,
          details: { person_id: before.person_id, before, reason: why },
          at: this.clock.now(),
        });
      })
      .immediate();
  }

  private operatorTime(
    t: OperatorTime | null | undefined,
    date: string,
    schedule: Schedule,
    field: string,
  ): string | null {
    if (t === null || t === undefined) return null;
    let instant: Date;
    if (typeof t === 'string' && isValidTimeOfDay(t)) instant = zonedToUtc(date, t, schedule.timeZone);
    else instant = new Date(t);
    if (Number.isNaN(instant.getTime())) throw new HadirError('BAD_REQUEST', `${field}: not a time ("${String(t)}")`);
    const local = localParts(instant, schedule.timeZone).date;
    if (local !== date) {
      throw new HadirError(
        'BAD_REQUEST',
        `${field}: ${instant.toISOString()} is on ${local} in ${schedule.timeZone}, not on ${date}`,
      );
    }
    return instant.toISOString();
  }

  // --- Holidays and leave --------------------------------------------------------------------------

  setHoliday(date: string, name: string, actor: Actor): void {
    requireDate(date, 'date');
    if (!name.trim()) throw new HadirError('BAD_REQUEST', 'a holiday needs a name');
    if (this.hubLink.joined()) this.refuseOnHubKiosk('its holidays');
    this.db
      .transaction(() => {
        const before = this.repo.upsertHoliday(date, name.trim());
        this.audit.record({
          actor,
          action: 'holiday.set',
          targetType: 'holiday',
          targetId: date,
          details: { before, after: name.trim() },
          at: this.clock.now(),
        });
      })
      .immediate();
  }

  removeHoliday(date: string, actor: Actor): boolean {
    if (this.hubLink.joined()) this.refuseOnHubKiosk('its holidays');
    return this.db
      .transaction(() => {
        const before = this.repo.holidayOn(date);
        if (before === null) return false;
        this.repo.deleteHoliday(date);
        this.audit.record({
          actor,
          action: 'holiday.remove',
          targetType: 'holiday',
          targetId: date,
          details: { before },
          at: this.clock.now(),
        });
        return true;
      })
      .immediate();
  }

  holidays(from: string, to: string): HolidayRow[] {
    return this.repo.listHolidays(from, to);
  }

  addLeave(input: LeaveInput, actor: Actor): LeaveRow {
    requireDate(input.from, 'from');
    requireDate(input.to, 'to');
    if (input.from > input.to) throw new HadirError('BAD_REQUEST', 'leave must end on or after its first day');
    if (!input.kind.trim()) throw new HadirError('BAD_REQUEST', 'leave needs a kind');
    return this.db
      .transaction(() => {
        const person = this.requirePerson(input.person);
        if (this.replica.isReplicated(person.id)) this.refuseOnHubKiosk(`the leave of ${person.employee_number}`);
        const row = this.repo.insertLeave({
          person_id: person.id,
          from_date: input.from,
          to_date: input.to,
          kind: input.kind.trim(),
          note: input.note ?? null,
        });
        this.audit.record({
          actor,
          action: 'leave.add',
          targetType: 'person',
          targetId: person.id,
          details: row,
          at: this.clock.now(),
        });
        return row;
      })
      .immediate();
  }

  removeLeave(id: number, actor: Actor): boolean {
    return this.db
      .transaction(() => {
        const before = this.repo.getLeave(id);
        if (!before) return false;
        if (this.replica.isReplicated(before.person_id)) this.refuseOnHubKiosk('this leave');
        this.repo.deleteLeave(id);
        this.audit.record({
          actor,
          action: 'leave.remove',
          targetType: 'person',
          targetId: before.person_id,
          details: before,
          at: this.clock.now(),
        });
        return true;
      })
      .immediate();
  }

  leave(from: string, to: string, personId?: number): LeaveRow[] {
    return this.repo.listLeave(from, to, personId);
  }

  // --- Queries -------------------------------------------------------------------------------------

  query(q: AttendanceQuery): AttendanceRecord[] {
    requireDate(q.from, 'from');
    requireDate(q.to, 'to');
    if (q.from > q.to) throw new HadirError('BAD_REQUEST', `--from ${q.from} is after --to ${q.to}`);
    return this.repo.query(q);
  }

  /**
   * The day at a glance. `absent` counts active people (of the unit) who existed by the end of that day,
   * have no record and are not on leave — on a workday only; on a holiday or a closed weekday nobody is
   * absent. "Active" is today's flag: someone deactivated since is no longer counted.
   */
  dailySummary(date: string, unit?: string): DailySummary {
    requireDate(date, 'date');
    const schedule = this.schedule();
    const holiday = this.repo.holidayOn(date);
    const workday = isExpectedWorkday(schedule, date, holiday);
    const existedBefore = zonedToUtc(addDays(date, 1), '00:00', schedule.timeZone).toISOString();
    const counts = this.repo.dayCounts(date, unit);
    const absentPeople = workday ? this.repo.absentPeople(date, existedBefore, unit) : [];
    return {
      date,
      holiday,
      workday,
      active: this.repo.activePeopleCount(existedBefore, unit),
      present: counts.present,
      late: counts.late,
      absent: absentPeople.length,
      on_leave: this.repo.onLeaveCount(date, existedBefore, unit),
      not_checked_out: counts.not_checked_out,
      no_check_in: counts.no_check_in,
      absent_people: absentPeople,
    };
  }

  /**
   * The operator's charts: per day of [from, to] (at most 366 days) the people seen, on time and late,
   * and the arrivals of `to` per {@link ARRIVAL_BIN_MINUTES} minutes of local time with that day's on-time
   * limit. Counted in the store: the page never downloads the records behind it.
   */
  stats(from: string, to: string, unit?: string): AttendanceStats {
    requireDate(from, 'from');
    requireDate(to, 'to');
    if (from > to) throw new HadirError('BAD_REQUEST', `from ${from} is after to ${to}`);
    const days = datesBetween(from, to);
    if (days.length > 366) throw new HadirError('BAD_REQUEST', 'statistics cover at most 366 days');
    const schedule = this.schedule();
    const counts = new Map(this.repo.dailyCounts(from, to, unit).map((r) => [r.local_date, r]));
    const holidays = new Map(this.repo.listHolidays(from, to).map((h) => [h.date, h.name]));
    const dayStart = zonedToUtc(to, '00:00', schedule.timeZone).toISOString();
    const bins = this.repo.arrivalBins(to, dayStart, ARRIVAL_BIN_MINUTES * 60, unit);
    const windows = schedule.settings.allDay === true ? null : schedule.windowsFor(weekdayOf(to));
    return {
      from,
      to,
      unit: unit ?? null,
      days: days.map((date) => {
        const c = counts.get(date);
        const holiday = holidays.get(date) ?? null;
        return {
          date,
          present: c?.present ?? 0,
          on_time: c?.on_time ?? 0,
          late: c?.late ?? 0,
          workday: isExpectedWorkday(schedule, date, holiday),
          holiday,
        };
      }),
      arrivals: arrivalsHistogram(to, bins, windows),
    };
  }

  /**
   * The records of a query as CSV or XLSX (with a per-day summary sheet for ranges up to a year), and
   * an audit entry: an export hands personal data to someone.
   */
  async export(
    q: AttendanceQuery,
    format: ExportFormat,
    actor: Actor,
    lang: ExportLanguage = 'en',
  ): Promise<{ data: Buffer; records: number }> {
    const { stream, done } = await this.exportStream(q, format, actor, lang);
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as string, 'utf8'));
    return { data: Buffer.concat(parts), records: await done };
  }

  /**
   * The export as a stream, built while it is read: records are read in keyset chunks of
   * {@link EXPORT_CHUNK_ROWS} (each one short statement, so the connection is free between chunks for
   * the kiosk's check-ins; an open `.iterate()` would make every other statement on it fail as busy),
   * and the event loop runs between chunks. Audited when it ends, with the records written and whether
   * it was complete; `done` resolves then with the count (rejects when it failed).
   */
  async exportStream(
    q: AttendanceQuery,
    format: ExportFormat,
    actor: Actor,
    lang: ExportLanguage = 'en',
  ): Promise<{ stream: Readable; done: Promise<number> }> {
    this.checkQuery(q);
    if (format !== 'csv' && format !== 'xlsx') {
      throw new HadirError('BAD_REQUEST', `unknown export format "${String(format)}" (csv or xlsx)`);
    }
    const tz = this.schedule().timeZone;
    const { attendanceCsvStream, writeAttendanceXlsx } = await import('./attendance-export');
    let records = 0;
    const chunks = this.chunks(q, EXPORT_CHUNK_ROWS);
    const counted = (function* () {
      for (const c of chunks) {
        records += c.length;
        yield c;
      }
    })();
    const audit = (complete: boolean) =>
      this.audit.record({
        actor,
        action: 'attendance.export',
        targetType: 'attendance',
        details: { query: q, format, records, complete },
        at: this.clock.now(),
      });
    let settle!: { resolve: (n: number) => void; reject: (e: unknown) => void };
    const done = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {}); // a caller that only reads the stream learns of a failure from it
    if (format === 'csv') {
      const csv = attendanceCsvStream(counted, tz, lang);
      const audited = async function* () {
        let complete = false;
        try {
          yield* csv;
          complete = true;
        } finally {
          audit(complete);
          if (complete) settle.resolve(records);
          else settle.reject(new HadirError('INTERNAL', 'the export stopped before it was complete'));
        }
      };
      return { stream: Readable.from(audited(), { objectMode: false }), done };
    }
    const days = datesBetween(q.from, q.to);
    const summaries =
      q.person_id === undefined && q.employee_number === undefined && days.length <= 366
        ? (function* (svc: AttendanceService) {
            for (const d of days) yield svc.dailySummary(d, q.unit);
          })(this)
        : [];
    const out = new PassThrough();
    writeAttendanceXlsx(out, counted, tz, summaries, lang).then(
      () => {
        audit(true);
        settle.resolve(records);
      },
      (e: unknown) => {
        audit(false);
        settle.reject(e);
        out.destroy(e instanceof Error ? e : new Error(String(e)));
      },
    );
    return { stream: out, done };
  }

  /**
   * One page of a query in (local_date, id) order after `after`: at most `limit` records, and the key
   * to continue from (null on the last page). Bounded whatever the range: see {@link AttendanceRepo.page}.
   */
  page(
    q: AttendanceQuery,
    after: AttendanceKey | null,
    limit: number,
  ): { records: AttendanceRecord[]; next: AttendanceKey | null } {
    this.checkQuery(q);
    const rows = this.repo.page(q, after, limit + 1);
    if (rows.length <= limit) return { records: rows, next: null };
    const records = rows.slice(0, limit);
    const last = records[records.length - 1];
    return { records, next: { local_date: last.local_date, id: last.id } };
  }

  /** Every record of a query in (local_date, id) order, `size` at a time (keyset chunks). */
  *chunks(q: AttendanceQuery, size: number): Generator<AttendanceRecord[]> {
    let after: AttendanceKey | null = null;
    for (;;) {
      const rows = this.repo.page(q, after, size);
      if (rows.length) yield rows;
      if (rows.length < size) return;
      const last = rows[rows.length - 1];
      after = { local_date: last.local_date, id: last.id };
    }
  }

  private checkQuery(q: AttendanceQuery): void {
    requireDate(q.from, 'from');
    requireDate(q.to, 'to');
    if (q.from > q.to) throw new HadirError('BAD_REQUEST', `--from ${q.from} is after --to ${q.to}`);
  }

  // --- The clock -----------------------------------------------------------------------------------

  clockStatus(): ClockStatus {
    this.detector.check();
    const flag = this.detector.currentFlag();
    return { trusted: flag === null, flag, jumps: this.detector.jumps() };
  }

  /** An operator has checked the clock: stop flagging new records. */
  acknowledgeClock(actor: Actor): void {
    const flag = this.detector.currentFlag();
    if (flag === null) return;
    this.detector.acknowledge();
    this.audit.record({
      actor,
      action: 'clock.acknowledge',
      targetType: 'clock',
      details: { flag },
      at: this.clock.now(),
    });
  }

  private onClockJump(jump: ClockJump): void {
    const flag = this.detector.currentFlag()!;
    this.db
      .transaction(() => {
        // After a jump back, records already written carry times later than "now": they are touched too.
        const flagged = jump.kind === 'backward' ? this.repo.flagTimesAfter(jump.detectedAt, flag) : 0;
        this.audit.record({
          actor: SYSTEM,
          action: 'clock.jump',
          targetType: 'clock',
          details: { ...jump, flagged },
          at: new Date(jump.detectedAt),
        });
      })
      .immediate();
  }

  /** A joined kiosk's schedule, holidays and replicated people's leave are the hub's (the replica writes them). */
  private refuseOnHubKiosk(what: string): never {
    const link = this.hubLink.get();
    const where = link ? `${link.hub_url}, site ${link.site_code}` : 'its hub';
    throw new HadirError('CONFLICT', `this kiosk takes ${what} from its hub (${where}): change it there`);
  }

  private requirePerson(ref: number | { id: number }): Person {
    const id = typeof ref === 'number' ? ref : ref.id;
    const person = this.people.get(id);
    if (!person) throw new HadirError('NOT_FOUND', `no person ${id}`, { reason: 'person_not_found' });
    return person;
  }
}

function mergeFlag(existing: string | null, flag: string | null): string | null {
  if (!flag) return existing;
  if (!existing) return flag;
  return existing.includes(flag) ? existing : `${existing}; ${flag}`;
}

function requireReason(reason: string): string {
  const why = typeof reason === 'string' ? reason.trim() : '';
  if (!why) {
    throw new HadirError('BAD_REQUEST', 'a reason is required for every manual change', {
      reason: 'attendance_reason_required',
    });
  }
  return why;
}

function requireDate(date: string, field: string): void {
  if (typeof date !== 'string' || !isValidDate(date))
    throw new HadirError('BAD_REQUEST', `${field} must be a date YYYY-MM-DD (got "${String(date)}")`);
}

function checkOrder(checkIn: string | null, checkOut: string | null): void {
  if (checkIn && checkOut && checkOut < checkIn) {
    throw new HadirError('BAD_REQUEST', 'check-out is before check-in', { reason: 'attendance_out_before_in' });
  }
}
