/**
 * The monthly recap the personnel office hands to payroll (GET /api/v1/recap, `hadir hub recap`): per
 * person of the sites in view (by home site), over each day of the month up to today in the home
 * site's zone, the days as the day views judge them (org-days.ts judgeDay: first in and last out at
 * any site, lateness and early departure by the schedule, an operator's correction winning), counted:
 *
 * - workdays: days the home site works (its week, not its holidays) since the person was registered;
 * - days_present: days with a check-in or check-out (a weekend's too); days_late and late_minutes:
 *   of those, late by the schedule of the first check-in's site, minutes after its on-time limit;
 * - early_departures and early_minutes: the last check-out before its site's check-out window opened;
 * - missing_checkouts: a check-in and no check-out (today's is not missing yet);
 * - absent_days: workdays with no event and no leave, while active and registered;
 * - leave_days: workdays with no event covered by leave, by kind.
 *
 * So for someone active all month, workdays = present on workdays + absent_days + leave days.
 * A handful of queries in one snapshot, whatever the size: the month's events come aggregated to one
 * row per person and day (first in, last out and their sites), then judged in memory.
 */
import type pg from 'pg';
import { HadirError } from '../../shared/errors';
import { LEAVE_KINDS, type LeaveKindName, type RecapRow, type RecapView } from '../../shared/hub-admin';
import type { Actor } from '../../shared/people';
import { datesBetween, localParts } from '../../shared/local-time';
import { type DayEvent, ScheduleCache, type SiteRules } from './attendance-day';
import { judgeDay } from './org-days';
import {
  correctionsIn,
  type EventDayRow as DayRow,
  eventDaysIn,
  eventsOfDay,
  leaveIn,
  leaveOn,
  type LeaveSpan,
  siteRules,
  siteWorkdays,
} from './org-range';
import { recordAudit } from './store/audit';
import * as views from './store/attendance-views';
import { inTransaction } from './store/db';

export interface RecapQuery {
  /** YYYY-MM */
  month: string;
  site?: string;
  unit?: string;
  /** The caller's sites (an operator's scope); null or absent: every site. */
  sites?: readonly string[] | null;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isValidMonth(month: string): boolean {
  return MONTH.test(month);
}

/** The first and last date of a month (YYYY-MM). */
export function monthBounds(month: string): { first: string; last: string } {
  const m = MONTH.exec(month);
  if (!m) throw new HadirError('BAD_REQUEST', `month: give YYYY-MM (got "${month}")`);
  const days = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(days).padStart(2, '0')}` };
}

/** The recap of a month (see the module comment). */
export async function monthlyRecap(
  pool: pg.Pool,
  q: { month: string; site?: string; unit?: string; sites?: readonly string[] | null },
): Promise<RecapView> {
  const { first, last } = monthBounds(q.month);
  const unit = q.unit ?? null;
  return inTransaction(
    pool,
    async (tx) => {
      const sites = await views.viewSites(tx);
      const allowed = q.sites ? new Set(q.sites) : null;
      let scope: views.ViewSiteRow[];
      if (q.site !== undefined) {
        // Someone else's site is refused whether or not it exists.
        if (allowed && !allowed.has(q.site)) throw new HadirError('FORBIDDEN', `site "${q.site}" is not one of yours`);
        const site = sites.find((s) => s.code === q.site);
        if (!site) throw new HadirError('NOT_FOUND', `no site "${q.site}" (see \`hadir hub site list\`)`);
        scope = [site];
      } else {
        scope = allowed ? sites.filter((s) => allowed.has(s.code)) : sites;
      }
      const view: RecapView = { month: q.month, site: q.site ?? null, unit, people: [] };
      if (!scope.length) return view;
      const siteIds = scope.map((s) => s.id);
      const now = new Date();
      const todayOf = new Map(scope.map((s) => [s.id, localParts(now, s.time_zone).date]));
      // Up to the latest "today" among the sites' zones; each person's days stop at their own.
      const until = [...todayOf.values()].reduce((a, b) => (a > b ? a : b));
      const to = until < last ? until : last;
      if (to < first) {
        // A month still to come: everyone active, nothing counted.
        const people = await views.viewPeople(tx, null, unit);
        view.people = rows(
          people.filter((p) => p.active && siteIds.includes(p.home_site_id)),
          sites,
        );
        return view;
      }
      const covered = {
        condition: `p.home_site_id = ANY($3::bigint[]) AND ($4::text IS NULL OR p.unit = $4)`,
        params: [siteIds, unit],
      };
      const people = (
        await tx.query<views.ViewPersonRow>(
          `SELECT id, employee_number, full_name, unit, active, created_at, home_site_id FROM people
            WHERE home_site_id = ANY($1::bigint[]) AND ($2::text IS NULL OR unit = $2)`,
          [siteIds, unit],
        )
      ).rows;
      // The month's events, one row per person and local date: the first in and the last out, each with
      // its site.
      const days = await eventDaysIn(tx, first, to, covered);
      const leave = await leaveIn(tx, first, to, covered);
      const corrections = await correctionsIn(tx, first, to, covered);
      const holidays = (
        await tx.query<{ site_id: number; date: string; name: string }>(
          'SELECT site_id, date, name FROM holidays WHERE date BETWEEN $1::date AND $2::date AND site_id = ANY($3::bigint[])',
          [first, to, siteIds],
        )
      ).rows;
      view.people = recapRows({ people, days, leave, corrections, holidays, sites, first, to, todayOf });
      return view;
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}

function emptyRow(p: views.ViewPersonRow, site: string): RecapRow {
  return {
    employee_number: p.employee_number,
    name: p.full_name,
    unit: p.unit,
    site,
    workdays: 0,
    days_present: 0,
    days_late: 0,
    late_minutes: 0,
    early_departures: 0,
    early_minutes: 0,
    missing_checkouts: 0,
    absent_days: 0,
    leave_days: Object.fromEntries(LEAVE_KINDS.map((k) => [k, 0])) as Record<LeaveKindName, number>,
  };
}

/** By site, unit (people without one last), employee number. */
function sorted(out: RecapRow[]): RecapRow[] {
  return out.sort(
    (a, b) =>
      a.site.localeCompare(b.site) ||
      (a.unit ?? '\uffff').localeCompare(b.unit ?? '\uffff') ||
      a.employee_number.localeCompare(b.employee_number),
  );
}

function rows(people: views.ViewPersonRow[], sites: views.ViewSiteRow[]): RecapRow[] {
  const code = new Map(sites.map((s) => [s.id, s.code]));
  return sorted(people.map((p) => emptyRow(p, code.get(p.home_site_id)!)));
}

/** A person's month: per day of the month (index 0 = the 1st), the events and the correction. */
interface PersonMonth {
  events: (DayRow | undefined)[];
  corrections: (views.CorrectionRow | undefined)[];
}

const dayIndex = (date: string) => Number(date.slice(8, 10)) - 1;

function recapRows(m: {
  people: views.ViewPersonRow[];
  days: (DayRow & { person_id: number })[];
  leave: LeaveSpan[];
  corrections: views.CorrectionRow[];
  holidays: { site_id: number; date: string; name: string }[];
  sites: views.ViewSiteRow[];
  first: string;
  to: string;
  todayOf: Map<number, string>;
}): RecapRow[] {
  const siteById = new Map(m.sites.map((s) => [s.id, s]));
  const rules = new Map<number, SiteRules>(m.sites.map((s) => [s.id, siteRules(s)]));
  // People with an event or a correction in the month, and those days.
  const seen = new Map<number, PersonMonth>();
  const monthOf = (personId: number) => {
    let pm = seen.get(personId);
    if (!pm) {
      pm = { events: [], corrections: [] };
      seen.set(personId, pm);
    }
    return pm;
  };
  for (const d of m.days) monthOf(d.person_id).events[dayIndex(d.local_date)] = d;
  for (const c of m.corrections) monthOf(c.person_id).corrections[dayIndex(c.local_date)] = c;
  const leaveOf = new Map<number, LeaveSpan[]>();
  for (const l of m.leave) {
    const list = leaveOf.get(l.person_id);
    if (list) list.push(l);
    else leaveOf.set(l.person_id, [l]);
  }
  const dates = datesBetween(m.first, m.to);
  // Whether each site works each date (its week, as its kiosks follow it, and its holidays).
  const workdays = siteWorkdays(dates, m.holidays);

  const lateRules = new ScheduleCache();
  const none: DayEvent[] = [];
  const out: RecapRow[] = [];
  for (const p of m.people) {
    const home = siteById.get(p.home_site_id)!;
    const today = m.todayOf.get(home.id)!;
    // Registered by the end of a date in the home site's zone (as the day views count it).
    const since = localParts(p.created_at, home.time_zone).date;
    const pm = seen.get(p.id);
    // Nobody expected and nothing seen: not in the recap (someone who left, someone registered later).
    if ((!p.active || since > m.to) && !pm) continue;
    const row = emptyRow(p, home.code);
    const works = workdays(home);
    const homeRules = rules.get(home.id)!;
    const atHome = (type: 'in' | 'out', at: Date): DayEvent => ({ type, occurred_at: at, site: homeRules });
    const spans = leaveOf.get(p.id);
    for (let i = 0; i < dates.length; i++) {
      const date = dates[i];
      if (date > today) break;
      const existed = since <= date;
      const workday = works[i];
      if (workday && existed) row.workdays++;
      const day = pm?.events[i];
      const correction = pm?.corrections[i] ?? null;
      if (!day && !correction && (!p.active || !existed)) continue;
      // The leave that starts first, as the day views pick it.
      const leave = leaveOn(spans, date);
      const d = judgeDay(day ? eventsOfDay(day, rules) : none, correction, atHome, lateRules, leave, workday);
      if (d.status === 'absent') row.absent_days++;
      else if (d.status === 'on_leave') {
        // Leave counts on workdays; a kind the hub does not know (none enters one) excuses but is not counted.
        if (workday && leave && leave in row.leave_days) row.leave_days[leave as LeaveKindName]++;
      } else if (d.status === 'present' || d.status === 'late') {
        row.days_present++;
        if (d.late) {
          row.days_late++;
          row.late_minutes += d.late_minutes;
        }
        if (d.early_minutes > 0) {
          row.early_departures++;
          row.early_minutes += d.early_minutes;
        }
        if (d.first_in && !d.last_out && date !== today) row.missing_checkouts++;
      }
    }
    out.push(row);
  }
  return sorted(out);
}

/** An audit line for a recap handed out as a file (the CLI's --xlsx, the route's format=xlsx). */
export async function recordRecapExport(pool: pg.Pool, view: RecapView, format: string, actor: Actor): Promise<void> {
  await recordAudit(pool, {
    actor,
    action: 'attendance.recap',
    targetType: 'attendance',
    details: { month: view.month, site: view.site, unit: view.unit, format, people: view.people.length },
  });
}

// --- XLSX --------------------------------------------------------------------------------------------

const MONTHS = {
  id: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
}; // prettier-ignore

const WORDS = {
  id: {
    sheet: 'Rekap',
    title: 'Rekap kehadiran bulanan',
    site: 'Kantor',
    unit: 'Unit',
    allSites: 'semua kantor',
    allUnits: 'semua unit',
    headers: [
      'NIP',
      'Nama',
      'Unit',
      'Kantor',
      'Hari kerja',
      'Hadir (hari)',
      'Terlambat (hari)',
      'Terlambat (menit)',
      'Pulang cepat (hari)',
      'Pulang cepat (menit)',
      'Tidak absen pulang',
      'Tanpa keterangan',
      'Cuti',
      'Sakit',
      'Izin',
      'Dinas luar',
    ],
  },
  en: {
    sheet: 'Recap',
    title: 'Monthly attendance recap',
    site: 'Site',
    unit: 'Unit',
    allSites: 'all sites',
    allUnits: 'all units',
    headers: [
      'Employee number',
      'Name',
      'Unit',
      'Site',
      'Workdays',
      'Days present',
      'Days late',
      'Late minutes',
      'Early departures',
      'Early minutes',
      'Missing check-outs',
      'Absent without leave',
      'Annual leave',
      'Sick leave',
      'Permit',
      'Official travel',
    ],
  },
} as const;

/** The headers of {@link writeRecapXlsx} in a language (row 2 of the sheet). */
export function recapHeaders(lang: 'id' | 'en'): readonly string[] {
  return WORDS[lang].headers;
}

/** "Rekap kehadiran bulanan — Maret 2026 — Kantor: JKT — Unit: semua unit" */
export function recapTitle(view: RecapView, lang: 'id' | 'en'): string {
  const w = WORDS[lang];
  const [y, m] = view.month.split('-').map(Number);
  return (
    `${w.title} — ${MONTHS[lang][m - 1]} ${y} — ${w.site}: ${view.site ?? w.allSites} — ` +
    `${w.unit}: ${view.unit ?? w.allUnits}`
  );
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The recap as an XLSX workbook written by exceljs's streaming writer into `out` (ended when done):
 * a title row (month, site, unit), the headers in the language, one row per person. Text cells are
 * inline strings, never formulas.
 */
export async function writeRecapXlsx(view: RecapView, out: NodeJS.WritableStream, lang: 'id' | 'en'): Promise<void> {
  const ExcelJS = (await import('exceljs')).default;
  const w = WORDS[lang];
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out as unknown as import('node:stream').Writable,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = 'Hadir';
  wb.created = new Date(0); // deterministic output; who made it when is in the audit log
  const ws = wb.addWorksheet(w.sheet, {
    views: [{ state: 'frozen', ySplit: 2 }],
    autoFilter: { from: { row: 2, column: 1 }, to: { row: 2, column: w.headers.length } },
  } as Partial<import('exceljs').AddWorksheetOptions>);
  ws.columns = w.headers.map((h, i) => ({
    width: i === 0 ? 22 : i === 1 ? 28 : i < 4 ? 16 : Math.max(10, h.length + 2),
    ...(i === 0 ? { style: { numFmt: '@' } } : {}),
  }));
  const title = ws.addRow([recapTitle(view, lang)]);
  title.font = { bold: true, size: 13 };
  title.commit();
  const head = ws.addRow([...w.headers]);
  head.font = { bold: true };
  head.commit();
  for (const [i, r] of view.people.entries()) {
    ws.addRow([
      r.employee_number,
      r.name,
      r.unit,
      r.site,
      r.workdays,
      r.days_present,
      r.days_late,
      r.late_minutes,
      r.early_departures,
      r.early_minutes,
      r.missing_checkouts,
      r.absent_days,
      ...LEAVE_KINDS.map((k) => r.leave_days[k]),
    ]).commit();
    if (i % 1000 === 999) await yieldToLoop();
  }
  ws.commit();
  await wb.commit();
}
