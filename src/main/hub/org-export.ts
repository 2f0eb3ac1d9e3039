import type pg from 'pg';
import type { AttendanceDecidedBy, AttendanceRecord, DailySummary } from '../../shared/attendance';
import { HadirError } from '../../shared/errors';
import { datesBetween, INDONESIAN_TIME_ZONES, type IndonesianTimeZone, isValidDate } from '../../shared/local-time';
import type { Actor } from '../../shared/people';
import type { ExportFormat, ExportZone } from '../services/attendance-export';
import { type DayEntry, type DayFilter, dayEntries, summarise } from './org-days';
import { recordAudit } from './store/audit';

export const MAX_EXPORT_DAYS = 366;

export interface ExportQuery extends DayFilter {
  from: string;
  to: string;
  format: ExportFormat;
}

/**
 * A person's day as the kiosk's exporter writes records: the same columns (attendance-export.ts), the
 * kiosk column naming the site and kiosk, the note carrying a correction's reason.
 */
function asRecord(e: DayEntry, date: string, n: number): AttendanceRecord {
  const d = e.view;
  const decision = e.firstIn?.row.decision ?? e.lastOut?.row.decision ?? null;
  const where = (m: typeof d.first_in) => (m ? (m.device ? `${m.site}/${m.device}` : m.site) : null);
  const decidedBy: AttendanceDecidedBy = e.correction
    ? e.correction.actor_type === 'api_key'
      ? 'api'
      : 'operator'
    : ((decision?.decided_by as AttendanceDecidedBy | undefined) ?? 'face');
  return {
    id: n,
    person_id: e.personId,
    employee_number: d.employee_number,
    full_name: d.full_name ?? '',
    unit: d.unit,
    local_date: date,
    check_in_at: e.firstIn?.occurred_at.toISOString() ?? null,
    check_out_at: e.lastOut?.occurred_at.toISOString() ?? null,
    late: d.late === true,
    kiosk_id: where(d.first_in),
    similarity: e.firstIn?.row.decision?.similarity ?? null,
    liveness: e.firstIn?.row.decision?.liveness ?? null,
    check_out_kiosk_id: where(d.last_out),
    check_out_similarity: e.lastOut?.row.decision?.similarity ?? null,
    check_out_liveness: e.lastOut?.row.decision?.liveness ?? null,
    decided_by: decidedBy,
    clock_flag: d.clock_suspect ? 'clock suspect (kiosk clock offset or a time in the future)' : null,
    note: e.correction?.reason ?? null,
    created_at: '',
    updated_at: '',
  };
}

/**
 * The organisation's attendance over [from, to] as CSV or XLSX, written by the kiosk's own exporter:
 * one row per person and day seen (corrected days as corrected), and in XLSX a summary per day with
 * the absences. Times are in one zone when every site of the export shares it, else each in its own
 * (headers then say "local"). Audited: an export hands personal data to someone.
 */
export async function exportOrganisationAttendance(
  pool: pg.Pool,
  q: ExportQuery,
  actor: Actor,
): Promise<{ data: Buffer; records: number; contentType: string; fileName: string }> {
  for (const [field, v] of [
    ['from', q.from],
    ['to', q.to],
  ] as const) {
    if (!isValidDate(v)) throw new HadirError('BAD_REQUEST', `${field}: not a date (YYYY-MM-DD): "${v}"`);
  }
  if (q.from > q.to) throw new HadirError('BAD_REQUEST', `from ${q.from} is after to ${q.to}`);
  if (q.format !== 'csv' && q.format !== 'xlsx') {
    throw new HadirError('BAD_REQUEST', `unknown export format "${String(q.format)}" (csv or xlsx)`);
  }
  const dates = datesBetween(q.from, q.to);
  if (dates.length > MAX_EXPORT_DAYS)
    throw new HadirError('BAD_REQUEST', `an export covers at most ${MAX_EXPORT_DAYS} days`);
  const records: AttendanceRecord[] = [];
  const zones = new Map<AttendanceRecord, string>();
  const summaries: DailySummary[] = [];
  for (const date of dates) {
    const day = await dayEntries(pool, date, q);
    for (const e of day.entries) {
      if (!e.view.first_in && !e.view.last_out) continue;
      const r = asRecord(e, date, records.length + 1);
      records.push(r);
      zones.set(r, e.zone);
    }
    const s = summarise(day.entries);
    summaries.push({
      date,
      holiday: day.holiday,
      workday: day.workday ?? day.entries.some((e) => e.workday),
      ...s,
      absent_people: day.entries
        .filter((e) => e.view.status === 'absent')
        .map((e) => ({
          person_id: e.personId!,
          employee_number: e.view.employee_number,
          full_name: e.view.full_name ?? '',
          unit: e.view.unit,
        })),
    });
  }
  const distinct = [...new Set(zones.values())];
  const zone: ExportZone =
    distinct.length <= 1 && (INDONESIAN_TIME_ZONES as readonly string[]).includes(distinct[0] ?? 'Asia/Jakarta')
      ? ((distinct[0] ?? 'Asia/Jakarta') as IndonesianTimeZone)
      : { of: (r) => zones.get(r)! };
  const { attendanceToCsv, attendanceToXlsx } = await import('../services/attendance-export');
  const data =
    q.format === 'csv'
      ? Buffer.from(attendanceToCsv(records, zone), 'utf8')
      : await attendanceToXlsx(records, zone, summaries);
  await recordAudit(pool, {
    actor,
    action: 'attendance.export',
    targetType: 'attendance',
    details: {
      from: q.from,
      to: q.to,
      site: q.site ?? null,
      ...(q.sites && !q.site ? { sites: [...q.sites] } : {}),
      unit: q.unit ?? null,
      format: q.format,
      records: records.length,
    },
  });
  const scope = [q.site, q.unit].filter(Boolean).join('-');
  return {
    data,
    records: records.length,
    contentType:
      q.format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    fileName: `hadir-${scope ? `${scope}-` : ''}${q.from}_${q.to}.${q.format}`,
  };
}
