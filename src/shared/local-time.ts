/**
 * Wall-clock dates and times in a site's time zone, with nothing but `Intl` (no tz database library):
 * the kiosk decides "which day" and "how late" in local time, while records store UTC instants.
 * Indonesia's three zones have no daylight saving, but nothing here assumes a fixed offset.
 */

/** The time zones of Indonesia: WIB (UTC+7), WITA (UTC+8), WIT (UTC+9). */
export const INDONESIAN_TIME_ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
export type IndonesianTimeZone = (typeof INDONESIAN_TIME_ZONES)[number];

export const TIME_ZONE_LABELS: Record<IndonesianTimeZone, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

/** 0 = Sunday … 6 = Saturday, as `Date.getDay()`. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface LocalParts {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM:SS, 24-hour */
  time: string;
  /** Minutes since local midnight (seconds dropped). */
  minutes: number;
  /** Seconds since local midnight. */
  seconds: number;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-US with h23 gives stable numeric parts in every ICU build.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, Weekday> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/*
 * Intl is exact but slow (some microseconds a call), and a month's recap of 10,000 people asks
 * hundreds of thousands of times. So the zone's offset is learnt per UTC hour, from Intl at the hour's
 * first and last second: when they agree the offset holds for the whole hour (no zone changes its
 * offset and back within an hour) and the parts follow by arithmetic; when they differ (the hour of a
 * transition) every instant of that hour asks Intl. Bounded: the cache is dropped when it grows large.
 */
const HOUR_MS = 3_600_000;
const OFFSET_CACHE_LIMIT = 100_000;
const hourOffsets = new Map<string, Map<number, number | null>>();

/** The zone's offset from UTC in seconds at `ms` (whole seconds), by Intl. */
function offsetSecondsAt(ms: number, timeZone: string): number {
  const p = intlLocalParts(new Date(ms), timeZone);
  const [y, mo, d] = p.date.split('-').map(Number);
  return (Date.UTC(y, mo - 1, d) + p.seconds * 1000 - Math.floor(ms / 1000) * 1000) / 1000;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The local calendar date, time and weekday of an instant in `timeZone`. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) return intlLocalParts(instant, timeZone);
  const hour = Math.floor(ms / HOUR_MS);
  let zone = hourOffsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    hourOffsets.set(timeZone, zone);
  }
  let offset = zone.get(hour);
  if (offset === undefined) {
    const first = offsetSecondsAt(hour * HOUR_MS, timeZone);
    offset = first === offsetSecondsAt(hour * HOUR_MS + HOUR_MS - 1000, timeZone) ? first : null;
    if (zone.size >= OFFSET_CACHE_LIMIT) zone.clear();
    zone.set(hour, offset);
  }
  if (offset === null) return intlLocalParts(instant, timeZone);
  const localSeconds = Math.floor(ms / 1000) + offset;
  const day = Math.floor(localSeconds / 86_400);
  if (day !== lastDay.day) {
    const d = new Date(day * 86_400_000);
    const year = d.getUTCFullYear();
    // Intl writes years before 1000 without padding: leave those (and anything odd) to it.
    if (year < 1000 || year > 9999) return intlLocalParts(instant, timeZone);
    lastDay = {
      day,
      date: `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
      weekday: d.getUTCDay() as Weekday,
    };
  }
  const seconds = localSeconds - day * 86_400;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return {
    date: lastDay.date,
    time: `${pad2(h)}:${pad2(m)}:${pad2(seconds % 60)}`,
    minutes: h * 60 + m,
    seconds,
    weekday: lastDay.weekday,
  };
}

/** The local calendar day (days since 1970-01-01) last written out, with its date and weekday. */
let lastDay: { day: number; date: string; weekday: Weekday } = { day: NaN, date: '', weekday: 0 };

/** {@link localParts} by Intl alone (exported for its test). */
export function intlLocalParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  const h = Number(parts.hour);
  const m = Number(parts.minute);
  const s = Number(parts.second);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
    minutes: h * 60 + m,
    seconds: h * 3600 + m * 60 + s,
    weekday: WEEKDAYS[parts.weekday],
  };
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (WIB: +420). */
export function utcOffsetMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const [y, mo, d] = p.date.split('-').map(Number);
  const asUtc = Date.UTC(y, mo - 1, d) + p.seconds * 1000;
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The UTC instant of a local date and time ("HH:MM" or "HH:MM:SS") in `timeZone`. */
export function zonedToUtc(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = parseDate(date);
  const secs = parseTimeOfDay(time) * 60 + (time.length > 5 ? Number(time.slice(6, 8)) : 0);
  const naive = Date.UTC(y, mo - 1, d) + secs * 1000;
  // Two rounds settle any zone whose offset changes near the instant (none in Indonesia).
  let guess = naive - utcOffsetMinutes(new Date(naive), timeZone) * 60_000;
  guess = naive - utcOffsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** `date` plus `days` calendar days (negative allowed). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The weekday of a calendar date. */
export function weekdayOf(date: string): Weekday {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() as Weekday;
}

/** Every date from `from` to `to`, inclusive. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

export function isValidDate(date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function isValidTimeOfDay(time: string): boolean {
  return TIME_RE.test(time);
}

/** Minutes since midnight of "HH:MM" (or "HH:MM:SS", seconds dropped). */
export function parseTimeOfDay(time: string): number {
  const m = TIME_RE.exec(time);
  if (!m) throw new RangeError(`not a time of day (HH:MM): "${time}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function parseDate(date: string): [number, number, number] {
  if (!isValidDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): "${date}"`);
  return date.split('-').map(Number) as [number, number, number];
}
