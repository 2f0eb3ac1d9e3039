/**
 * Console API benchmark: the attendance page (GET /api/v1/hub/attendance?from=&to=…, console-views.ts
 * attendancePage) for one day and for 31 days of the whole organisation, and the dashboard
 * (dashboardView), on 10,000 people over 50 sites (WIB and WITA, the default schedule) with a month of
 * kiosk events (a check-in and a check-out on most workdays: ~420,000 events), some leave, a holiday and
 * corrections, written straight into PostgreSQL by bench/hub-org-fixture.ts (as for bench/recap.bench.ts).
 * "before" is the per-date path the page used until it derived a range in one pass (org-days.ts
 * dayEntries for every date of the range, counted and sliced); its answers are checked against the page's.
 *
 *   npm run bench:console-api [-- --people 10000 --sites 50 --runs 3 --before 1]
 *   HADIR_BENCH_DATABASE_URL=postgres://… (an empty database, or one this bench seeded before) instead of
 *   a throwaway cluster. JSON on stdout, progress on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { AttendancePage, AttendanceRowView } from '../src/shared/hub-admin';
import { datesBetween } from '../src/shared/local-time';
import { attendancePage, dashboardView } from '../src/main/hub/console-views';
import { dayEntries, type DayStatus } from '../src/main/hub/org-days';
import { openHubPool } from '../src/main/hub/store/db';
import { runHubMigrations } from '../src/main/hub/store/migrate';
import { benchDatabase, MONTH, seededOrganisation } from './hub-org-fixture';
import { percentile } from './stats';

const { values: args } = parseArgs({
  options: {
    people: { type: 'string', default: '10000' },
    sites: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    /** Runs of the old per-date path (0: skip it). */
    before: { type: 'string', default: '1' },
  },
});
const PEOPLE = Number(args.people);
const SITES = Number(args.sites);
const RUNS = Number(args.runs);
const BEFORE = Number(args.before);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface PageQuery {
  from: string;
  to: string;
  site?: string;
  status?: DayStatus[];
  page: number;
  pageSize: number;
}

/** The page as it was computed before the one-pass range: dayEntries for each date, counted and sliced. */
async function beforePage(pool: pg.Pool, q: PageQuery): Promise<AttendancePage> {
  const wanted = q.status?.length ? new Set(q.status) : null;
  const first = (q.page - 1) * q.pageSize;
  const rows: AttendanceRowView[] = [];
  let total = 0;
  for (const date of datesBetween(q.from, q.to)) {
    const day = await dayEntries(pool, date, { site: q.site, sites: null });
    for (const e of day.entries) {
      if (wanted && !wanted.has(e.view.status)) continue;
      if (total >= first && rows.length < q.pageSize) {
        const d = e.view;
        rows.push({
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
        });
      }
      total++;
    }
  }
  return { rows, total, page: q.page, page_size: q.pageSize };
}

async function time<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(Math.round(performance.now() - t0));
  }
  return { ms, last };
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();

async function main() {
  const db = await benchDatabase('console_api_bench');
  const pool = openHubPool(db.url, { max: 4 });
  try {
    await runHubMigrations(pool);
    const events = await seededOrganisation(pool, { people: PEOPLE, sites: SITES, holiday: true });
    const cases: [string, PageQuery][] = [
      ['attendance 1 day', { from: `${MONTH}-16`, to: `${MONTH}-16`, page: 1, pageSize: 50 }],
      ['attendance 31 days', { from: `${MONTH}-01`, to: `${MONTH}-31`, page: 1, pageSize: 50 }],
      ['attendance 31 days, last page', { from: `${MONTH}-01`, to: `${MONTH}-31`, page: 6200, pageSize: 50 }],
      ['attendance 31 days, status=late', { from: `${MONTH}-01`, to: `${MONTH}-31`, status: ['late'], page: 2, pageSize: 50 }], // prettier-ignore
      ['attendance 31 days, site S01', { from: `${MONTH}-01`, to: `${MONTH}-31`, site: 'S01', page: 1, pageSize: 50 }], // prettier-ignore
    ];
    const results: Record<string, unknown>[] = [];
    for (const [name, q] of cases) {
      const after = await time(RUNS, () => attendancePage(pool, { ...q, sites: null }));
      const row: Record<string, unknown> = {
        case: name,
        total: after.last.total,
        after_ms: after.ms,
        after_median_ms: percentile(after.ms, 50),
      };
      // The old path: the 1-day case and the first 31-day case (the others cost as much again).
      if (BEFORE > 0 && (name === 'attendance 1 day' || name === 'attendance 31 days')) {
        const before = await time(BEFORE, () => beforePage(pool, q));
        row.before_ms = before.ms;
        row.before_median_ms = percentile(before.ms, 50);
        row.same_answer = JSON.stringify(before.last) === JSON.stringify(after.last);
      }
      log(`${name}: ${JSON.stringify(row)}`);
      results.push(row);
    }
    const dashboard = await time(RUNS, () => dashboardView(pool, { date: `${MONTH}-31`, sites: null }));
    results.push({ case: 'dashboard', after_ms: dashboard.ms, after_median_ms: percentile(dashboard.ms, 50) });
    process.stdout.write(
      `${JSON.stringify({ people: PEOPLE, sites: SITES, events, runs: RUNS, loadavg: loadavg(), results }, null, 2)}\n`,
    );
  } finally {
    await pool.end();
    await db.stop();
  }
}

await main();
