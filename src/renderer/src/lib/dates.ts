/**
 * Calendar dates as people read and write them in the interface language, and as the contract sends
 * them (YYYY-MM-DD, a day in the site's time zone with no instant attached). Formatting goes through
 * Intl with the UTC zone, so a date never shifts by a day whatever the browser's own zone is.
 *
 * - Bahasa Indonesia writes day first with slashes: 06/01/2025.
 * - English shows the month's name (6 Jan 2025): a number-only date reads differently in the US and
 *   the UK, a month's name reads the same everywhere.
 *
 * Typing is forgiving in both languages: day-first numbers (6/1/2025, 06-01-2025, 6.1.25), ISO
 * (2025-01-06), and a month's name or abbreviation in either language (6 Jan 2025, 6 Januari 2025,
 * 6 Agu 2025, Jan 6 2025).
 */
import type { Language } from '../../../shared/contract';
import { localeOf } from './locale';

const MONTHS: Record<Language, string[]> = {
  id: [
    'januari',
    'februari',
    'maret',
    'april',
    'mei',
    'juni',
    'juli',
    'agustus',
    'september',
    'oktober',
    'november',
    'desember',
  ],
  en: [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ],
};
/** Abbreviations in use that are not a prefix of the month's full name. */
const EXTRA_ABBREVIATIONS: Record<string, number> = { agt: 8, sept: 9, des: 12, okt: 10, peb: 2, nop: 11 };

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function isoOf(y: number, m: number, d: number): string | null {
  if (!(y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** A two-digit year is this century's (25 → 2025). */
function fullYear(text: string): number {
  const y = Number(text);
  return text.length <= 2 ? 2000 + y : y;
}

function monthByName(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  if (EXTRA_ABBREVIATIONS[w] !== undefined) return EXTRA_ABBREVIATIONS[w];
  for (const names of Object.values(MONTHS)) {
    const i = names.findIndex((n) => n.startsWith(w));
    if (i >= 0) return i + 1;
  }
  return null;
}

/** The YYYY-MM-DD a person typed, or null when it is not a real date. */
export function parseDateInput(text: string): string | null {
  const s = text.trim().replace(/\s+/g, ' ');
  if (!s) return null;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return isoOf(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
  if (m) return isoOf(fullYear(m[3]), Number(m[2]), Number(m[1]));
  // 6 Jan 2025, 6 Januari 2025, 6-Jan-2025
  m = /^(\d{1,2})[ .-]?([A-Za-z]+\.?)[ .,-]+(\d{2}|\d{4})$/.exec(s);
  if (m) {
    const month = monthByName(m[2]);
    return month === null ? null : isoOf(fullYear(m[3]), month, Number(m[1]));
  }
  // Jan 6, 2025
  m = /^([A-Za-z]+\.?) (\d{1,2}),? (\d{4})$/.exec(s);
  if (m) {
    const month = monthByName(m[1]);
    return month === null ? null : isoOf(Number(m[3]), month, Number(m[2]));
  }
  return null;
}

function utcDate(iso: string): Date {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** A date as the date field shows it: 06/01/2025 (id) or 6 Jan 2025 (en). */
export function formatDateInput(iso: string, language: Language): string {
  if (language === 'id') {
    const [y, m, d] = iso.split('-');
    return `${d}/${m}/${y}`;
  }
  return new Intl.DateTimeFormat(localeOf(language), {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  })
    .format(utcDate(iso))
    .replace(/\.$/, '');
}

/** How the date field asks for a date, as an example people can copy. */
export function dateInputExample(language: Language): string {
  return formatDateInput('2025-08-17', language);
}

/** A record's day in a table: "Sen, 6 Jan 2025" / "Mon, 6 Jan 2025". */
export function formatLocalDate(iso: string, language: Language, style: 'table' | 'long' | 'short' = 'table'): string {
  const options: Intl.DateTimeFormatOptions =
    style === 'long'
      ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
      : style === 'short'
        ? { day: 'numeric', month: 'short' }
        : { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };
  return new Intl.DateTimeFormat(localeOf(language), { timeZone: 'UTC', ...options }).format(utcDate(iso));
}

/** A local "HH:MM" as the interface writes times: 07.30 (id), 07:30 (en). */
export function formatTimeOfDay(hhmm: string, language: Language): string {
  const [h, m] = hhmm.split(':').map(Number);
  return new Intl.DateTimeFormat(localeOf(language), {
    timeZone: 'UTC',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.UTC(2000, 0, 1, h, m)));
}

/** The month grid of the calendar: weeks starting on Monday, null outside the month. */
export function monthGrid(year: number, month: number): (string | null)[][] {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7;
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= days; d++) cells.push(isoOf(year, month, d));
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** `iso` plus `days` calendar days. */
export function shiftDate(iso: string, days: number): string {
  const d = utcDate(iso);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** `iso` moved by whole months, the day clamped to the target month's length. */
export function shiftMonth(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return isoOf(target.getUTCFullYear(), target.getUTCMonth() + 1, Math.min(d, last))!;
}

/**
 * A time of day as the interface writes it (07.42 in Bahasa Indonesia, 07:42 in English): an ISO
 * instant shown in the site's `timeZone`, or a local "HH:MM" the server already put in that zone.
 */
export function formatDayTime(value: string, language: Language, timeZone: string): string {
  if (/^\d{2}:\d{2}$/.test(value)) return formatTimeOfDay(value, language);
  return new Intl.DateTimeFormat(localeOf(language), {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(value));
}
