/**
 * Attendance as the contract shows it: a filter turned into the store's query, a page of records with
 * the day's summary, and an export with its file name and type. One copy for every caller: the HTTP
 * routes (api/routes/attendance.ts) and the Electron window (app/contract-service.ts).
 */
import type { AttendanceQuery } from '../../shared/attendance';
import type { AttendanceFilter, AttendancePage, ExportFormat } from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import type { AttendanceService } from './attendance-service';

/** The content type of each export format. */
export const EXPORT_MIME: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** 400 when the filter's range runs backwards. */
export function checkAttendanceRange(f: AttendanceFilter): void {
  if (f.from > f.to) throw new HadirError('BAD_REQUEST', `from ${f.from} is after to ${f.to}`);
}

/** The store's query for a contract filter; 400 when the range runs backwards. */
export function attendanceQueryOf(f: AttendanceFilter): AttendanceQuery {
  checkAttendanceRange(f);
  return {
    from: f.from,
    to: f.to,
    ...(f.unit !== undefined ? { unit: f.unit } : {}),
    ...(f.personId !== undefined ? { person_id: f.personId } : {}),
    ...(f.onlyLate ? { only_late: true } : {}),
    ...(f.onlyNotCheckedOut ? { only_not_checked_out: true } : {}),
  };
}

/** The records of a filter, with the day's summary when it covers one day. */
export function attendancePage(attendance: AttendanceService, f: AttendanceFilter): AttendancePage {
  return {
    records: attendance.query(attendanceQueryOf(f)),
    summary: f.from === f.to ? attendance.dailySummary(f.from, f.unit) : null,
  };
}

/** `attendance_<from>[_<to>].<format>`. */
export function exportFileName(f: AttendanceFilter, format: ExportFormat): string {
  return `attendance_${f.from}${f.to !== f.from ? `_${f.to}` : ''}.${format}`;
}

export interface AttendanceExportFile {
  filename: string;
  mime: string;
  data: Buffer;
}

/** The records of a filter as a CSV or XLSX file (the service audits the export). */
export async function exportAttendanceFile(
  attendance: AttendanceService,
  f: AttendanceFilter,
  format: ExportFormat,
  actor: Actor,
): Promise<AttendanceExportFile> {
  const { data } = await attendance.export(attendanceQueryOf(f), format, actor);
  return { filename: exportFileName(f, format), mime: EXPORT_MIME[format], data };
}
