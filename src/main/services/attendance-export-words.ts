import type { AttendanceDecidedBy } from '../../shared/attendance';
import type { Language } from '../../shared/contract';
import { TIME_ZONE_LABELS, utcOffsetMinutes } from '../../shared/local-time';

/**
 * The words of an attendance export: column headers, yes/no, how a record was decided, sheet names.
 * Bahasa Indonesia is what people at the office read; English is for office software and scripts.
 *
 * The English words are exactly what exports have always said ("Check-in (WIB)", "yes", "face"):
 * scripts and spreadsheets built on the old files keep working when they ask for English (API keys
 * and `hadir export` get English unless they ask otherwise).
 */
export interface ExportWords {
  date: string;
  employeeNumber: string;
  name: string;
  unit: string;
  checkIn: string;
  checkOut: string;
  late: string;
  kiosk: string;
  similarity: string;
  liveness: string;
  checkOutKiosk: string;
  decidedBy: string;
  clockFlag: string;
  note: string;
  yes: string;
  no: string;
  decided: Record<AttendanceDecidedBy, string>;
  /** The zone label of a mixed-zone export (each time in its own site's zone). */
  localZone: string;
  attendanceSheet: string;
  summarySheet: string;
  summary: {
    date: string;
    holiday: string;
    workday: string;
    active: string;
    present: string;
    late: string;
    absent: string;
    onLeave: string;
    notCheckedOut: string;
    noCheckIn: string;
  };
}

const EN: ExportWords = {
  date: 'Date',
  employeeNumber: 'Employee number',
  name: 'Name',
  unit: 'Unit',
  checkIn: 'Check-in',
  checkOut: 'Check-out',
  late: 'Late',
  kiosk: 'Kiosk',
  similarity: 'Similarity',
  liveness: 'Liveness',
  checkOutKiosk: 'Check-out kiosk',
  decidedBy: 'Decided by',
  clockFlag: 'Clock flag',
  note: 'Note',
  yes: 'yes',
  no: 'no',
  decided: { face: 'face', operator: 'operator', api: 'api' },
  localZone: 'local',
  attendanceSheet: 'Attendance',
  summarySheet: 'Summary',
  summary: {
    date: 'Date',
    holiday: 'Holiday',
    workday: 'Workday',
    active: 'Active',
    present: 'Present',
    late: 'Late',
    absent: 'Absent',
    onLeave: 'On leave',
    notCheckedOut: 'Not checked out',
    noCheckIn: 'No check-in',
  },
};

const ID: ExportWords = {
  date: 'Tanggal',
  employeeNumber: 'NIP',
  name: 'Nama',
  unit: 'Unit',
  checkIn: 'Masuk',
  checkOut: 'Pulang',
  late: 'Terlambat',
  kiosk: 'Kios',
  similarity: 'Kemiripan wajah',
  liveness: 'Keaslian wajah',
  checkOutKiosk: 'Kios pulang',
  decidedBy: 'Dicatat lewat',
  clockFlag: 'Catatan jam',
  note: 'Keterangan',
  yes: 'ya',
  no: 'tidak',
  decided: { face: 'wajah', operator: 'operator', api: 'API' },
  localZone: 'waktu setempat',
  attendanceSheet: 'Kehadiran',
  summarySheet: 'Ringkasan',
  summary: {
    date: 'Tanggal',
    holiday: 'Hari libur',
    workday: 'Hari kerja',
    active: 'Pegawai aktif',
    present: 'Hadir',
    late: 'Terlambat',
    absent: 'Tidak hadir',
    onLeave: 'Cuti',
    notCheckedOut: 'Belum absen pulang',
    noCheckIn: 'Tanpa absen masuk',
  },
};

export const EXPORT_WORDS: Record<Language, ExportWords> = { id: ID, en: EN };

/**
 * How a header names a time zone: WIB, WITA or WIT for Indonesia's zones (what people there say),
 * else the UTC offset at `at` ("UTC+05:30"), which every reader understands.
 */
export function zoneLabel(timeZone: string, at: Date = new Date()): string {
  const known = (TIME_ZONE_LABELS as Record<string, string>)[timeZone];
  if (known) return known;
  const m = utcOffsetMinutes(at, timeZone);
  if (m === 0) return 'UTC';
  const abs = Math.abs(m);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `UTC${m < 0 ? '-' : '+'}${hh}:${mm}`;
}
