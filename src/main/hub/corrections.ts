import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { isValidDate, isValidTimeOfDay, zonedToUtc } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import { derivePersonDay, isoInZone, ScheduleCache } from './attendance-day';
import { recordAudit } from './store/audit';
import * as views from './store/attendance-views';
import { inTransaction } from './store/db';
import { personByEmployeeNumber } from './store/people';
import { siteById } from './store/sites';

export interface DayCorrectionInput {
  employeeNumber: string;
  date: string;
  /**
   * "HH:MM" on that date in the home site's zone, or an ISO-8601 instant; null: none. Absent: the
   * day's current time (corrected or derived) stays.
   */
  checkIn?: string | null;
  checkOut?: string | null;
  /** Absent or null: judged by the schedule, as a derived day is. */
  late?: boolean | null;
  reason: string;
}

export interface DayCorrection {
  employee_number: string;
  date: string;
  check_in: string | null;
  check_out: string | null;
  late: boolean | null;
  reason: string;
}

function instant(value: string, date: string, zone: string, field: string): Date {
  const at = isValidTimeOfDay(value) ? zonedToUtc(date, value, zone) : new Date(value);
  if (Number.isNaN(at.getTime()) || (!isValidTimeOfDay(value) && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    throw new HadirError('BAD_REQUEST', `${field}: give HH:MM or an ISO-8601 time (got "${value}")`);
  }
  return at;
}

/**
 * Correct a person's day at the hub. The correction wins over the day derived from kiosk events (the
 * events stay as received); one transaction writes it and the audit entry with what it replaced and
 * why. Who may: the CLI (database access) and API keys with the `write` scope.
 */
export async function correctDay(pool: pg.Pool, input: DayCorrectionInput, actor: Actor): Promise<DayCorrection> {
  const reason = input.reason?.trim();
  if (!reason) throw new HadirError('BAD_REQUEST', 'a correction needs a reason');
  if (!isValidDate(input.date)) throw new HadirError('BAD_REQUEST', `not a date (YYYY-MM-DD): "${input.date}"`);
  return inTransaction(pool, async (tx) => {
    const person = await personByEmployeeNumber(tx, input.employeeNumber, true);
    if (!person) throw new HadirError('NOT_FOUND', `no person with employee number ${input.employeeNumber}`);
    const home = (await siteById(tx, person.home_site_id))!;
    const before = await views.correctionOf(tx, person.id, input.date);
    // What the day says now: the earlier correction, or the events' first in and last out.
    let current = before;
    if (!current) {
      const evs = (await views.viewEventsOfDate(tx, input.date))
        .filter((e) => e.person_id === person.id)
        .map((e) => ({ ...e, site: { code: '', time_zone: home.time_zone, schedule: null } }));
      const d = derivePersonDay(evs, new ScheduleCache());
      current =
        d.first_in || d.last_out
          ? {
              person_id: person.id,
              local_date: input.date,
              check_in_at: d.first_in?.occurred_at ?? null,
              check_out_at: d.last_out?.occurred_at ?? null,
              late: null,
              reason: '',
              actor_type: '',
              actor_id: null,
              corrected_at: new Date(0),
            }
          : null;
    }
    const pick = (given: string | null | undefined, now: Date | null | undefined, field: string) =>
      given === undefined ? (now ?? null) : given === null ? null : instant(given, input.date, home.time_zone, field);
    const checkIn = pick(input.checkIn, current?.check_in_at, 'check_in');
    const checkOut = pick(input.checkOut, current?.check_out_at, 'check_out');
    if (!checkIn && !checkOut) {
      throw new HadirError('BAD_REQUEST', 'a corrected day needs a check-in or a check-out time');
    }
    if (checkIn && checkOut && checkIn > checkOut) {
      throw new HadirError('BAD_REQUEST', 'the check-out must not be before the check-in');
    }
    const late = input.late === undefined ? (before?.late ?? null) : input.late;
    await views.upsertCorrection(tx, {
      person_id: person.id,
      local_date: input.date,
      check_in_at: checkIn,
      check_out_at: checkOut,
      late,
      reason,
      actor_type: actor.type,
      actor_id: actor.id,
    });
    const show = (d: Date | null | undefined) => (d ? isoInZone(d, home.time_zone) : null);
    const after: DayCorrection = {
      employee_number: person.employee_number,
      date: input.date,
      check_in: show(checkIn),
      check_out: show(checkOut),
      late,
      reason,
    };
    await recordAudit(tx, {
      actor,
      action: 'attendance.correct',
      targetType: 'person',
      targetId: person.employee_number,
      details: {
        date: input.date,
        before: current
          ? {
              check_in: show(current.check_in_at),
              check_out: show(current.check_out_at),
              late: current.late,
              corrected: !!before,
            }
          : null,
        after: { check_in: after.check_in, check_out: after.check_out, late },
        reason,
      },
    });
    return after;
  });
}
