/**
 * Attendance as the contract shows it: a filter turned into the store's query, a page of records with
 * the day's summary, and an export with its file name and type. One copy for every caller: the HTTP
 * routes (api/routes/attendance.ts) and the Electron window (app/contract-service.ts).
 */
import type { Readable } from 'node:stream';
import type { AttendanceQuery } from '../../shared/attendance';
import {
  ATTENDANCE_PAGE_DEFAULT,
  ATTENDANCE_PAGE_MAX,
  type AttendanceFilter,
  type AttendanceListRequest,
  type AttendancePage,
  type ExportFormat,
  type Language,
} from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import type { AttendanceKey } from '../store/attendance-repo';
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

/** The opaque cursor of a keyset position: base64url of "day,id". */
export function encodeAttendanceCursor(k: AttendanceKey): string {
  return Buffer.from(`${k.local_date},${k.id}`, 'utf8').toString('base64url');
}

/** The keyset position of a cursor; 400 for anything {@link encodeAttendanceCursor} did not make. */
export function decodeAttendanceCursor(cursor: string): AttendanceKey {
  const m = /^(\d{4}-\d{2}-\d{2}),(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new HadirError('BAD_REQUEST', 'cursor: not a cursor this server gave (use next_cursor as it is)');
  return { local_date: m[1], id: Number(m[2]) };
}

/**
 * One page of the records of a filter (at most `limit`, default {@link ATTENDANCE_PAGE_DEFAULT}, never
 * more than {@link ATTENDANCE_PAGE_MAX}), with the day's summary on the first page when it covers one day.
 */
export function attendancePage(attendance: AttendanceService, f: AttendanceListRequest): AttendancePage {
  const limit = Math.min(Math.max(1, Math.trunc(f.limit ?? ATTENDANCE_PAGE_DEFAULT)), ATTENDANCE_PAGE_MAX);
  const after = f.cursor !== undefined ? decodeAttendanceCursor(f.cursor) : null;
  const { records, next } = attendance.page(attendanceQueryOf(f), after, limit);
  return {
    records,
    summary: f.from === f.to && after === null ? attendance.dailySummary(f.from, f.unit) : null,
    next_cursor: next ? encodeAttendanceCursor(next) : null,
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

/** The export as a stream for an HTTP reply (see {@link AttendanceService.exportStream}). */
export async function exportAttendanceStream(
  attendance: AttendanceService,
  f: AttendanceFilter,
  format: ExportFormat,
  actor: Actor,
  lang: Language = 'en',
): Promise<{ filename: string; mime: string; stream: Readable; done: Promise<number> }> {
  const { stream, done } = await attendance.exportStream(attendanceQueryOf(f), format, actor, lang);
  return { filename: exportFileName(f, format), mime: EXPORT_MIME[format], stream, done };
}

/** The records of a filter as a CSV or XLSX file (the service audits the export). */
export async function exportAttendanceFile(
  attendance: AttendanceService,
  f: AttendanceFilter,
  format: ExportFormat,
  actor: Actor,
  lang: Language = 'en',
): Promise<AttendanceExportFile> {
  const { data } = await attendance.export(attendanceQueryOf(f), format, actor, lang);
  return { filename: exportFileName(f, format), mime: EXPORT_MIME[format], data };
}
