import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import type { AttendanceRecord, DailySummary } from '../../shared/attendance';
import type { Language } from '../../shared/contract';
import { localParts } from '../../shared/local-time';
import { EXPORT_WORDS, type ExportWords, zoneLabel } from './attendance-export-words';

/**
 * Attendance as CSV and XLSX. Both have the same columns, a header row, times in the site's time zone
 * (and the exact UTC instants at the end, for machines). Text is written as text: the 18-digit NIP is
 * a text cell in XLSX (Excel would round it as a number).
 */

export type ExportFormat = 'csv' | 'xlsx';

/** The language of an export's words (headers, yes/no, sheet names); the data itself is never translated. */
export type ExportLanguage = Language;

/**
 * The zone the times are written in: the kiosk's site zone, or, for the hub's organisation-wide export
 * whose sites lie in different zones, each record's own (the headers then say "local").
 */
export type ExportZone = string | { of: (r: AttendanceRecord) => string };

interface Column {
  header: string;
  width: number;
  value: (r: AttendanceRecord) => string | number | null;
  /** Text that could be taken as a formula by a spreadsheet (user-supplied names, notes). */
  text?: boolean;
}

function columns(zone: ExportZone, lang: ExportLanguage): Column[] {
  const w = EXPORT_WORDS[lang];
  const tz = typeof zone === 'string' ? zoneLabel(zone) : w.localZone;
  const zoneOf = typeof zone === 'string' ? () => zone : zone.of;
  const localDay = (r: AttendanceRecord, iso: string | null, day: string) => {
    if (!iso) return null;
    const p = localParts(new Date(iso), zoneOf(r));
    // A time corrected onto another day still says which day it is.
    return p.date === day ? p.time : `${p.date} ${p.time}`;
  };
  return [
    { header: w.date, width: 12, value: (r) => r.local_date },
    { header: w.employeeNumber, width: 22, value: (r) => r.employee_number, text: true },
    { header: w.name, width: 32, value: (r) => r.full_name, text: true },
    { header: w.unit, width: 20, value: (r) => r.unit, text: true },
    { header: `${w.checkIn} (${tz})`, width: 14, value: (r) => localDay(r, r.check_in_at, r.local_date) },
    { header: `${w.checkOut} (${tz})`, width: 14, value: (r) => localDay(r, r.check_out_at, r.local_date) },
    { header: w.late, width: 10, value: (r) => (r.late ? w.yes : w.no) },
    { header: w.kiosk, width: 12, value: (r) => r.kiosk_id, text: true },
    { header: w.similarity, width: 10, value: (r) => r.similarity },
    { header: w.liveness, width: 10, value: (r) => r.liveness },
    { header: w.checkOutKiosk, width: 14, value: (r) => r.check_out_kiosk_id, text: true },
    { header: w.decidedBy, width: 12, value: (r) => w.decided[r.decided_by] ?? r.decided_by },
    { header: w.clockFlag, width: 30, value: (r) => r.clock_flag, text: true },
    { header: w.note, width: 30, value: (r) => r.note, text: true },
    { header: `${w.checkIn} (UTC)`, width: 26, value: (r) => r.check_in_at },
    { header: `${w.checkOut} (UTC)`, width: 26, value: (r) => r.check_out_at },
  ];
}

/** The header row both formats start with. */
export function exportHeaders(zone: ExportZone, lang: ExportLanguage = 'en'): string[] {
  return columns(zone, lang).map((c) => c.header);
}

/**
 * A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheets (CSV injection):
 * such text gets a leading apostrophe, as OWASP advises. Numbers are never touched.
 */
function neutralise(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 CSV: comma-separated, CRLF line ends, fields with commas, quotes or line breaks quoted
 * (quotes doubled), and a UTF-8 byte-order mark so Excel reads names with non-ASCII letters correctly.
 */
export function attendanceToCsv(
  records: readonly AttendanceRecord[],
  zone: ExportZone,
  lang: ExportLanguage = 'en',
): string {
  const cols = columns(zone, lang);
  return csvHead(cols) + csvRows(records, cols);
}

/** The byte-order mark and the header row. */
function csvHead(cols: readonly Column[]): string {
  return '\uFEFF' + cols.map((c) => csvField(c.header)).join(',') + '\r\n';
}

function csvRows(records: readonly AttendanceRecord[], cols: readonly Column[]): string {
  let out = '';
  for (const r of records) {
    out +=
      cols
        .map((c) => {
          const v = c.value(r);
          return csvField(c.text && typeof v === 'string' ? neutralise(v) : v);
        })
        .join(',') + '\r\n';
  }
  return out;
}

/** Let the event loop run (a kiosk's frame, another request) before the next chunk is built. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The same CSV as {@link attendanceToCsv}, one piece per chunk of records, the event loop running
 * between pieces: a year of a large organisation never sits whole in memory or blocks the kiosk.
 */
export async function* attendanceCsvStream(
  chunks: Iterable<readonly AttendanceRecord[]>,
  zone: ExportZone,
  lang: ExportLanguage = 'en',
): AsyncGenerator<string> {
  const cols = columns(zone, lang);
  yield csvHead(cols);
  for (const chunk of chunks) {
    await yieldToLoop();
    if (chunk.length) yield csvRows(chunk, cols);
  }
}

/**
 * The same workbook as {@link attendanceToXlsx}, written by exceljs's streaming writer into `out` as
 * the records arrive (chunk by chunk, the event loop running between them). Text cells are inline
 * strings, never formulas. Resolves when the file is complete; `out` is ended then.
 */
export async function writeAttendanceXlsx(
  out: Writable,
  chunks: Iterable<readonly AttendanceRecord[]>,
  zone: ExportZone,
  summaries: Iterable<DailySummary> = [],
  lang: ExportLanguage = 'en',
): Promise<void> {
  const w = EXPORT_WORDS[lang];
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Hadir';
  wb.created = new Date(0);
  const cols = columns(zone, lang);
  const ws = wb.addWorksheet(w.attendanceSheet, {
    views: [{ state: 'frozen', ySplit: 1 }],
    autoFilter: { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } },
  } as Partial<ExcelJS.AddWorksheetOptions>);
  ws.columns = cols.map((c, i) => ({
    header: c.header,
    width: c.width,
    ...(i === 1 ? { style: { numFmt: '@' } } : i === 8 || i === 9 ? { style: { numFmt: '0.0000' } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  for (const chunk of chunks) {
    for (const r of chunk) ws.addRow(cols.map((c) => c.value(r))).commit();
    await yieldToLoop();
  }
  ws.commit();
  let ss: ExcelJS.Worksheet | null = null;
  for (const s of summaries) {
    if (!ss) {
      ss = wb.addWorksheet(w.summarySheet, { views: [{ state: 'frozen', ySplit: 1 }] });
      ss.columns = summaryColumns(w);
      ss.getRow(1).font = { bold: true };
      ss.getRow(1).commit();
    }
    ss.addRow(summaryRow(s, w)).commit();
    await yieldToLoop();
  }
  ss?.commit();
  await wb.commit();
}

function summaryColumns(w: ExportWords): Partial<ExcelJS.Column>[] {
  const s = w.summary;
  const headers = [s.date, s.holiday, s.workday, s.active, s.present, s.late, s.absent, s.onLeave];
  return [...headers, s.notCheckedOut, s.noCheckIn].map((h) => ({ header: h, width: Math.max(10, h.length + 2) }));
}

function summaryRow(s: DailySummary, w: ExportWords): (string | number | null)[] {
  return [
    s.date,
    s.holiday,
    s.workday ? w.yes : w.no,
    s.active,
    s.present,
    s.late,
    s.absent,
    s.on_leave,
    s.not_checked_out,
    s.no_check_in,
  ];
}

/**
 * An XLSX workbook: "Attendance" (one row per record) and, when given, "Summary" (one row per day); the
 * sheets are named in the export's language ("Kehadiran", "Ringkasan" in Bahasa Indonesia).
 */
export async function attendanceToXlsx(
  records: readonly AttendanceRecord[],
  zone: ExportZone,
  summaries: readonly DailySummary[] = [],
  lang: ExportLanguage = 'en',
): Promise<Buffer> {
  const w = EXPORT_WORDS[lang];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hadir';
  wb.created = new Date(0); // deterministic output; the export's time is in the audit log
  const cols = columns(zone, lang);
  const ws = wb.addWorksheet(w.attendanceSheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = cols.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  for (const r of records) {
    // Text cells are stored as shared strings, never as formulas, so no neutralising is needed here.
    ws.addRow(cols.map((c) => c.value(r)));
  }
  ws.getColumn(2).numFmt = '@';
  for (const key of [9, 10]) ws.getColumn(key).numFmt = '0.0000';
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };

  if (summaries.length > 0) {
    const ss = wb.addWorksheet(w.summarySheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    ss.columns = summaryColumns(w);
    ss.getRow(1).font = { bold: true };
    for (const s of summaries) ss.addRow(summaryRow(s, w));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
