/**
 * What the admin console shows, computed from the hub's tables with the organisation views' own rules
 * (org-days.ts: a person's day, lateness by the first check-in's site schedule, who is expected), for
 * the sites a principal may see. Route handlers (console-routes.ts) validate and scope; these compute.
 */
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import type {
  AttendancePage,
  AttendanceRowView,
  AuditPage,
  DashboardCounts,
  DashboardView,
  DeviceList,
  DeviceView,
  PeoplePage,
  SiteList,
  SiteRef,
} from '../../shared/hub-admin';
import { addDays, datesBetween, isValidDate, localParts, weekdayOf, zonedToUtc } from '../../shared/local-time';
import type { Schedule } from '../services/schedule';
import { derivePersonDay, ScheduleCache, type SiteRules } from './attendance-day';
import { type DayEntry, dayEntries, type DayStatus } from './org-days';
import { type RangeDay, rangeDays } from './org-range';
import { auditPage } from './store/console-audit';
import {
  consoleSites,
  type ConsoleSiteRow,
  correctionsBetween,
  type LateCutoff,
  trendFromEvents,
} from './store/console-dashboard';
import { consoleDevices } from './store/console-devices';
import { searchPeople } from './store/console-people';
import { listSites } from './store/sites';

export const MAX_PAGE_SIZE = 200;
export const MAX_ATTENDANCE_DAYS = 31;
export const TREND_DAYS = 30;
/** The zone of a hub without sites (and of dates given to the audit log when there are none). */
const FALLBACK_ZONE = 'Asia/Jakarta';

const ref = (s: { code: string; name: string; time_zone: string }): SiteRef => ({
  code: s.code,
  name: s.name,
  time_zone: s.time_zone,
});

async function hubZone(pool: pg.Pool): Promise<string> {
  return (await consoleSites(pool))[0]?.time_zone ?? FALLBACK_ZONE;
}

/** The sites in view: `codes` (null: all) resolved, unknown codes refused. */
function pickSites(all: readonly ConsoleSiteRow[], codes: readonly string[] | null): ConsoleSiteRow[] {
  if (codes === null) return [...all];
  const byCode = new Map(all.map((s) => [s.code, s]));
  const missing = codes.filter((c) => !byCode.has(c));
  if (missing.length) {
    throw new HadirError(
      'NOT_FOUND',
      `no site ${missing.map((m) => `"${m}"`).join(', ')} (see \`hadir hub site list\`)`,
    );
  }
  return codes.map((c) => byCode.get(c)!);
}

// --- Sites -----------------------------------------------------------------------------------------

export async function siteList(pool: pg.Pool, sites: readonly string[] | null): Promise<SiteList> {
  const rows = await listSites(pool);
  const mine = sites === null ? null : new Set(sites);
  return {
    sites: rows
      .filter((s) => mine === null || mine.has(s.code))
      .map((s) => ({ ...ref(s), people: s.people, devices: s.devices })),
  };
}

// --- Dashboard -------------------------------------------------------------------------------------

const zero = (): DashboardCounts => ({ expected: 0, present: 0, late: 0, not_yet_in: 0, on_leave: 0 });

function rulesOf(s: ConsoleSiteRow): SiteRules {
  return { code: s.code, time_zone: s.time_zone, schedule: s.schedule };
}

function scheduleOf(cache: ScheduleCache, s: ConsoleSiteRow): Schedule | null {
  try {
    return cache.of(rulesOf(s));
  } catch {
    return null; // a schedule the kiosks could not follow either: no lateness, no mark line
  }
}

/** The on-time limit of the site's schedule on `date` ("07:30"); null: no schedule, all day, or a day off. */
function scheduleStart(cache: ScheduleCache, s: ConsoleSiteRow, date: string): string | null {
  const schedule = scheduleOf(cache, s);
  if (!schedule || schedule.settings.allDay === true) return null;
  return schedule.windowsFor(weekdayOf(date))?.onTimeUntil ?? null;
}

const secondsToTime = (s: number) =>
  [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');

/**
 * The first instant of `date` at which a first check-in at the site is late, by the site's schedule
 * itself (`Schedule.isLate`), or null when nobody can be late there that day. Lateness only grows
 * through a local day (a later check-in is never less late), so the schedule's own answers at the
 * on-time limit settle it, and a binary search over the day's seconds covers any other schedule.
 */
export function lateCutoff(schedule: Schedule | null, date: string, zone: string): Date | null {
  if (!schedule) return null;
  const at = (s: number) => zonedToUtc(date, secondsToTime(s), zone);
  if (!schedule.isLate(at(86_399))) return null;
  const limit = schedule.settings.allDay ? null : schedule.windowsFor(weekdayOf(date))?.onTimeUntil;
  if (limit) {
    const s = (Number(limit.slice(0, 2)) * 60 + Number(limit.slice(3, 5))) * 60 + 1;
    if (s < 86_400 && schedule.isLate(at(s)) && !schedule.isLate(at(s - 1))) return at(s);
  }
  let lo = 0;
  let hi = 86_399; // late at hi; find the first late second
  if (schedule.isLate(at(lo))) return at(lo);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (schedule.isLate(at(mid))) hi = mid;
    else lo = mid;
  }
  return at(hi);
}

/**
 * On time vs late among those present, per day of the 30 ending on `date`, for people whose home site
 * is in view: one SQL over each person's first event of each day (store/console-dashboard.ts) against
 * each site's cut-off per date ({@link lateCutoff}), plus corrected days judged as the day view judges
 * them (the correction's lateness, else the home site's schedule).
 */
export async function lateTrend(
  pool: pg.Pool,
  date: string,
  all: readonly ConsoleSiteRow[],
  homeSites: readonly ConsoleSiteRow[] | null,
): Promise<DashboardView['late_trend']> {
  const from = addDays(date, -(TREND_DAYS - 1));
  const dates = datesBetween(from, date);
  const cache = new ScheduleCache();
  const cutoffs: LateCutoff[] = [];
  for (const s of all) {
    const schedule = scheduleOf(cache, s);
    if (!schedule) continue;
    for (const d of dates) {
      const cutoff = lateCutoff(schedule, d, s.time_zone);
      if (cutoff) cutoffs.push({ siteId: s.id, date: d, cutoff });
    }
  }
  const homeIds = homeSites === null ? null : homeSites.map((s) => s.id);
  const [fromEvents, corrections] = await Promise.all([
    trendFromEvents(pool, from, date, homeIds, cutoffs),
    correctionsBetween(pool, from, date, homeIds),
  ]);
  const byDate = new Map(dates.map((d) => [d, { date: d, on_time: 0, late: 0 }]));
  for (const r of fromEvents) {
    const day = byDate.get(r.date);
    if (!day) continue;
    day.late += r.late;
    day.on_time += r.present - r.late;
  }
  const siteById = new Map(all.map((s) => [s.id, s]));
  for (const c of corrections) {
    const day = byDate.get(c.local_date);
    const home = siteById.get(c.home_site_id);
    if (!day || !home) continue;
    const rules = rulesOf(home);
    const evs = [
      ...(c.check_in_at ? [{ type: 'in' as const, occurred_at: c.check_in_at, site: rules }] : []),
      ...(c.check_out_at ? [{ type: 'out' as const, occurred_at: c.check_out_at, site: rules }] : []),
    ];
    let late: boolean | null = c.late;
    if (late === null) {
      try {
        late = derivePersonDay(evs, cache).late;
      } catch {
        late = null;
      }
    }
    if (late) day.late++;
    else day.on_time++;
  }
  return [...byDate.values()];
}

/**
 * The dashboard: per site in view (its own people, by home site), who is expected, present, late, on
 * leave and not yet in on `date`; arrivals per 15 minutes; the schedule's start; the 30-day trend. One
 * pass over the organisation's day (dayEntries), not a query per person. People the hub does not know
 * (events kept by the number a kiosk sent) belong to no site and are not counted here.
 */
export async function dashboardView(
  pool: pg.Pool,
  q: { date?: string; site?: string; sites: readonly string[] | null },
): Promise<DashboardView> {
  const all = await consoleSites(pool);
  const date = q.date ?? localParts(new Date(), all[0]?.time_zone ?? FALLBACK_ZONE).date;
  if (!isValidDate(date)) throw new HadirError('BAD_REQUEST', `not a date (YYYY-MM-DD): "${date}"`);
  const restricted = q.site !== undefined || q.sites !== null;
  const inView = pickSites(all, q.site !== undefined ? [q.site] : q.sites);
  const wanted = new Set(inView.map((s) => s.code));
  // The day and the trend at once: the database works on one while this process judges the other.
  const [day, late_trend] = await Promise.all([
    inView.length
      ? dayEntries(pool, date, q.site !== undefined ? { site: q.site } : { sites: q.sites })
      : { entries: [] as DayEntry[] },
    lateTrend(pool, date, all, restricted ? inView : null),
  ]);

  const cache = new ScheduleCache();
  const perSite = new Map(inView.map((s) => [s.code, zero()]));
  const arrivals = new Map<string, number>();
  for (const e of day.entries) {
    const home = e.view.home_site;
    if (home === null || !wanted.has(home)) continue;
    const c = perSite.get(home)!;
    const d = e.view;
    const came = d.status === 'present' || d.status === 'late';
    if (e.expected && e.workday) c.expected++;
    if (came) c.present++;
    if (d.status === 'late') c.late++;
    if (d.status === 'on_leave' && e.expected) c.on_leave++;
    if (d.status === 'absent' && e.expected) c.not_yet_in++;
    if (d.first_in) {
      // "2026-03-02T07:10:00+07:00": the local time at the site of the first check-in.
      const minutes = Number(d.first_in.time.slice(11, 13)) * 60 + Number(d.first_in.time.slice(14, 16));
      const bucket = Math.floor(minutes / 15) * 15;
      const start = `${String(Math.floor(bucket / 60)).padStart(2, '0')}:${String(bucket % 60).padStart(2, '0')}`;
      arrivals.set(start, (arrivals.get(start) ?? 0) + 1);
    }
  }
  const totals = zero();
  const starts = new Map<string, number>();
  const sites = inView.map((s) => {
    const c = perSite.get(s.code)!;
    for (const k of Object.keys(totals) as (keyof DashboardCounts)[]) totals[k] += c[k];
    const start = scheduleStart(cache, s, date);
    if (start) starts.set(start, (starts.get(start) ?? 0) + Math.max(1, c.expected));
    return { ...ref(s), ...c, schedule_start: start };
  });
  // The start most people in view are scheduled for (ties: the earlier).
  const schedule_start = [...starts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  return {
    date,
    totals,
    sites,
    arrivals: [...arrivals.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([start, count]) => ({ start, count })),
    schedule_start,
    late_trend,
  };
}

// --- Devices ---------------------------------------------------------------------------------------

function statusField<T>(status: unknown, key: string, ok: (v: unknown) => v is T): T | null {
  if (!status || typeof status !== 'object') return null;
  const v = (status as Record<string, unknown>)[key];
  return ok(v) ? v : null;
}
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;

/** The kiosks of the sites in view, with what each said in its last status report (sync-protocol.ts). */
export async function deviceList(pool: pg.Pool, sites: readonly string[] | null): Promise<DeviceList> {
  const ids = sites === null ? null : pickSites(await consoleSites(pool), sites).map((s) => s.id);
  const rows = await consoleDevices(pool, ids);
  return {
    devices: rows.map((d): DeviceView => ({
      id: d.id,
      name: d.name,
      site: { code: d.site_code, name: d.site_name, time_zone: d.site_time_zone },
      online: d.online,
      last_seen_at: d.last_seen_at?.toISOString() ?? null,
      revoked_at: d.revoked_at?.toISOString() ?? null,
      app_version: d.app_version,
      pack_id: d.pack_id,
      outbox_depth: statusField(d.last_status, 'outbox_depth', isCount),
      liveness: statusField(d.last_status, 'liveness', isBool),
      camera: statusField(d.last_status, 'camera', isText),
      clock_offset_ms: d.clock_offset_ms,
    })),
  };
}

// --- People ----------------------------------------------------------------------------------------

export async function peoplePage(
  pool: pg.Pool,
  q: { q?: string; unit?: string; sites: readonly string[] | null; page: number; pageSize: number },
): Promise<PeoplePage> {
  const siteIds = q.sites === null ? null : pickSites(await consoleSites(pool), q.sites).map((s) => s.id);
  const text = q.q?.trim() || null;
  const { rows, total } = await searchPeople(pool, {
    q: text,
    unit: q.unit ?? null,
    siteIds,
    limit: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  });
  return {
    people: rows.map((p) => ({
      employee_number: p.employee_number,
      full_name: p.full_name,
      unit: p.unit,
      home_site: p.home_site,
      sites: [p.home_site, ...p.also_sites],
      active: p.active,
      templates: p.templates,
      consent:
        p.consent_method !== null && p.consent_given_at !== null
          ? {
              method: p.consent_method,
              given_at: p.consent_given_at.toISOString(),
              withdrawn_at: p.consent_withdrawn_at?.toISOString() ?? null,
            }
          : null,
      // Kept when the hub ran the organisation-wide check (import, console import, a kiosk's upload).
      duplicate_check: p.duplicate_check,
    })),
    total,
    page: q.page,
    page_size: q.pageSize,
  };
}

// --- Attendance ------------------------------------------------------------------------------------

function rowOf({ date, view: d }: RangeDay): AttendanceRowView {
  return {
    date,
    employee_number: d.employee_number,
    full_name: d.full_name,
    unit: d.unit,
    home_site: d.home_site,
    status: d.status,
    first_in: d.first_in?.time ?? null,
    last_out: d.last_out?.time ?? null,
    late: d.late,
    leave: d.leave,
    corrected: d.corrected,
  };
}

/**
 * Each person's day over [from, to] (≤ 31 days), by date then unit and employee number, as the day view
 * has each date (organisationDay), filtered by status, one page of it with the total: all the range's
 * days derived in one pass (org-range.ts), only the page's formatted.
 */
export async function attendancePage(
  pool: pg.Pool,
  q: {
    from: string;
    to: string;
    site?: string;
    unit?: string;
    status?: readonly DayStatus[];
    sites: readonly string[] | null;
    page: number;
    pageSize: number;
  },
): Promise<AttendancePage> {
  for (const [field, v] of [
    ['from', q.from],
    ['to', q.to],
  ] as const) {
    if (!isValidDate(v)) throw new HadirError('BAD_REQUEST', `${field}: not a date (YYYY-MM-DD): "${v}"`);
  }
  if (q.from > q.to) throw new HadirError('BAD_REQUEST', `from ${q.from} is after to ${q.to}`);
  const dates = datesBetween(q.from, q.to);
  if (dates.length > MAX_ATTENDANCE_DAYS) {
    throw new HadirError('BAD_REQUEST', `a range covers at most ${MAX_ATTENDANCE_DAYS} days (use the export for more)`);
  }
  const { days, total } = await rangeDays(
    pool,
    q.from,
    q.to,
    { site: q.site, unit: q.unit, sites: q.site ? undefined : q.sites, status: q.status },
    { offset: (q.page - 1) * q.pageSize, limit: q.pageSize },
  );
  const rows = days.map(rowOf);
  return { rows, total, page: q.page, page_size: q.pageSize };
}

// --- Audit -----------------------------------------------------------------------------------------

/** A date (YYYY-MM-DD, in the hub's zone; `end`: the day after) or an ISO 8601 instant. */
async function instantOf(pool: pg.Pool, v: string, field: string, end: boolean): Promise<Date> {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    if (!isValidDate(v)) throw new HadirError('BAD_REQUEST', `${field}: not a date: "${v}"`);
    return zonedToUtc(end ? addDays(v, 1) : v, '00:00', await hubZone(pool));
  }
  const at = new Date(v);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    throw new HadirError('BAD_REQUEST', `${field}: give YYYY-MM-DD or an ISO 8601 time (got "${v}")`);
  }
  return at;
}

export async function auditView(
  pool: pg.Pool,
  q: { from?: string; to?: string; action?: string; actor?: string; before?: number; limit: number },
): Promise<AuditPage> {
  const { rows, more } = await auditPage(pool, {
    before: q.before ?? null,
    from: q.from ? await instantOf(pool, q.from, 'from', false) : null,
    to: q.to ? await instantOf(pool, q.to, 'to', true) : null,
    action: q.action ?? null,
    actor: q.actor ?? null,
    limit: q.limit,
  });
  return {
    entries: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor_type: r.actor_type,
      actor_id: r.actor_id,
      action: r.action,
      target_type: r.target_type,
      target_id: r.target_id,
      details: r.details,
    })),
    next_before: more && rows.length ? rows[rows.length - 1].id : null,
  };
}
