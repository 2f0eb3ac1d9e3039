/**
 * The records screens' formatting, on the console's Intl helpers (lib/format.ts) in the interface
 * language: numbers ("10.000"), calendar days ("Sen, 2 Mar 2026"), months, and the wall-clock time an
 * ISO 8601 string with an offset carries, with Indonesia's zone name for that offset (WIB, WITA, WIT).
 */
import { useMemo } from 'react';
import { type Lang, localeOf, useLang } from '../i18n';
import { formatClock, formatDay, formatInstant, formatNumber } from '../lib/format';

/** Indonesia's zones by their UTC offset and by name, as people there say them (in both languages). */
const ZONE_BY_OFFSET: Record<string, string> = { '+07:00': 'WIB', '+08:00': 'WITA', '+09:00': 'WIT' };
const ZONE_BY_NAME: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

export function zoneLabel(offset: string): string {
  return ZONE_BY_OFFSET[offset] ?? (offset === 'Z' || offset === '+00:00' ? 'UTC' : `UTC${offset}`);
}

export function zoneOfTimeZone(tz: string): string {
  return ZONE_BY_NAME[tz] ?? tz;
}

const LOCAL_RE = /T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface Formatters {
  lang: Lang;
  number: (n: number) => string;
  /** A calendar day (YYYY-MM-DD): "2 Mar 2026", or "Sen, 2 Mar 2026" with the weekday. */
  date: (ymd: string, withWeekday?: boolean) => string;
  /** A calendar day without its year, for tables within a short period: "Sen, 2 Nov". */
  dayInYear: (ymd: string) => string;
  /** A month (YYYY-MM): "Maret 2026". */
  month: (ym: string) => string;
  /** The wall-clock time an ISO string with an offset carries ("07.42") and its zone ("WIB"). */
  localTime: (iso: string) => { time: string; zone: string };
  /** The calendar day of an instant in the browser's zone. */
  day: (iso: string) => string;
  /** An instant in the browser's zone: "2 Mar 2026 07.42". */
  dateTime: (iso: string) => string;
}

const YMD = /^\d{4}-\d{2}-\d{2}$/;

export function formatters(lang: Lang): Formatters {
  const locale = localeOf(lang);
  const plainDay = new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const noYear = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  const monthF = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const localDay = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' });
  const valid = (iso: string) => !Number.isNaN(new Date(iso).getTime());
  return {
    lang,
    number: (n) => formatNumber(n, lang),
    date: (ymd, withWeekday = false) =>
      !YMD.test(ymd)
        ? ymd
        : withWeekday
          ? formatDay(ymd, lang, 'table')
          : plainDay.format(new Date(`${ymd}T00:00:00Z`)),
    dayInYear: (ymd) => (YMD.test(ymd) ? noYear.format(new Date(`${ymd}T00:00:00Z`)) : ymd),
    month: (ym) => (/^\d{4}-\d{2}$/.test(ym) ? monthF.format(new Date(`${ym}-01T00:00:00Z`)) : ym),
    localTime: (iso) => {
      const m = LOCAL_RE.exec(iso);
      return m ? { time: formatClock(`${m[1]}:${m[2]}`, lang), zone: zoneLabel(m[3]) } : { time: iso, zone: '' };
    },
    day: (iso) => (valid(iso) ? localDay.format(new Date(iso)) : iso),
    dateTime: (iso) => (valid(iso) ? formatInstant(iso, lang) : iso),
  };
}

export function useFormat(): Formatters {
  const lang = useLang((s) => s.lang);
  return useMemo(() => formatters(lang), [lang]);
}

/** Days from `from` to `to`, both counted; NaN when either is not a date. */
export function daysInRange(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** "HH:MM" of an instant in a time zone (what a correction is typed in). */
export function hhmmIn(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${p.hour}:${p.minute}`;
}
