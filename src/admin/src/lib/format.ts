/**
 * Numbers, dates and times as people read them in the interface language, through Intl: 10.000 and
 * 07.30 in Bahasa Indonesia, 10,000 and 07:30 in English. A calendar date (YYYY-MM-DD, a day with no
 * instant attached) is formatted in UTC so it never shifts by a day whatever the browser's zone is.
 * Formatters are cached per locale: a table of 50 rows formats hundreds of numbers.
 */
import { type Lang, localeOf } from '../i18n';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: () => T,
): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

export function formatNumber(n: number, lang: Lang): string {
  return cached(`n:${lang}`, () => new Intl.NumberFormat(localeOf(lang))).format(n);
}

/** `part` of `whole` as a whole percentage ("87%", "87 %" as the locale writes it); "–" of nothing. */
export function formatPercent(part: number, whole: number, lang: Lang): string {
  if (whole <= 0) return '–';
  return cached(`p:${lang}`, () => new Intl.NumberFormat(localeOf(lang), { style: 'percent' })).format(part / whole);
}

function utcDate(iso: string): Date {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

const DATE_STYLES: Record<'long' | 'short' | 'table', Intl.DateTimeFormatOptions> = {
  long: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  short: { day: 'numeric', month: 'short' },
  table: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
};

/** A calendar day: "Senin, 6 Januari 2025" (long), "6 Jan" (short), "Sen, 6 Jan 2025" (table). */
export function formatDay(iso: string, lang: Lang, style: 'long' | 'short' | 'table' = 'table'): string {
  return cached(
    `d:${lang}:${style}`,
    () => new Intl.DateTimeFormat(localeOf(lang), { timeZone: 'UTC', ...DATE_STYLES[style] }),
  ).format(utcDate(iso));
}

/** A local "HH:MM" as the language writes times: 07.30 (id), 07:30 (en). */
export function formatClock(hhmm: string, lang: Lang): string {
  const [h, m] = hhmm.split(':').map(Number);
  return cached(
    `c:${lang}`,
    () =>
      new Intl.DateTimeFormat(localeOf(lang), {
        timeZone: 'UTC',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
  ).format(new Date(Date.UTC(2000, 0, 1, h, m)));
}

/** Minutes since midnight of "HH:MM". */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** "HH:MM" of minutes since midnight. */
export function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** An instant as a date and time in the browser's zone: "6 Jan 2025 07.42". */
export function formatInstant(iso: string, lang: Lang): string {
  return cached(
    `i:${lang}`,
    () =>
      new Intl.DateTimeFormat(localeOf(lang), {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
  ).format(new Date(iso));
}

/** A time of day of an instant, in the browser's zone: "10.42". */
export function formatTimeOf(iso: string, lang: Lang): string {
  return cached(
    `t:${lang}`,
    () => new Intl.DateTimeFormat(localeOf(lang), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  ).format(new Date(iso));
}

/**
 * How long ago (or how soon) an instant is, in words: "2 menit yang lalu", "kemarin", "in 3 hours".
 * Under 45 seconds is "now" ("sekarang").
 */
export function formatRelative(iso: string, now: number, lang: Lang): string {
  const rtf = cached(`r:${lang}`, () => new Intl.RelativeTimeFormat(localeOf(lang), { numeric: 'auto' }));
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return rtf.format(Math.round(seconds / 86400), 'day');
  if (abs < 320 * 86400) return rtf.format(Math.round(seconds / (30 * 86400)), 'month');
  return rtf.format(Math.round(seconds / (365 * 86400)), 'year');
}

/** Today's date (YYYY-MM-DD) in the browser's zone. */
export function todayLocal(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** `iso` plus `days` calendar days. */
export function shiftDay(iso: string, days: number): string {
  const d = utcDate(iso);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
