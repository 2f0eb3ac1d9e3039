/**
 * Console API benchmark: the attendance page (GET /api/v1/hub/attendance?from=&to=…, console-views.ts
 * attendancePage) for one day and for 31 days of the whole organisation, and the dashboard
 * (dashboardView), on 10,000 people over 50 sites (WIB and WITA, the default schedule) with a month of
 * kiosk events (a check-in and a check-out on most workdays: ~420,000 events), some leave, a holiday and
 * corrections, written straight into PostgreSQL as bench/recap.bench.ts does. "before" is the per-date
 * path the page used until it derived a range in one pass (org-days.ts dayEntries for every date of the
 * range, counted and sliced); its answers are checked against the page's.
 *
 *   npm run bench:console-api [-- --people 10000 --sites 50 --runs 3 --before 1]
 *   HADIR_BENCH_DATABASE_URL=postgres://… (an empty database, or one this bench seeded before) instead of
 *   a throwaway cluster. JSON on stdout, progress on stderr.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { AttendancePage, AttendanceRowView } from '../src/shared/hub-admin';
import { datesBetween, weekdayOf, zonedToUtc } from '../src/shared/local-time';
import { attendancePage, dashboardView } from '../src/main/hub/console-views';
import { dayEntries, type DayStatus } from '../src/main/hub/org-days';
import { openHubPool } from '../src/main/hub/store/db';
import { insertPeople } from '../src/main/hub/store/people';
import { runHubMigrations } from '../src/main/hub/store/migrate';
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
const MONTH = '2026-03';
const log = (s: string) => process.stderr.write(`${s}\n`);

async function database(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env.HADIR_BENCH_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  const { startThrowawayCluster, withDatabase } = await import('../src/main/testing/postgres');
  const cluster = await startThrowawayCluster();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE console_api_bench');
  await admin.end();
  return { url: withDatabase(cluster.adminUrl, 'console_api_bench'), stop: () => cluster.stop() };
}

async function seed(pool: pg.Pool): Promise<number> {
  const sites: { id: number; zone: string; device: string; seq: number }[] = [];
  for (let i = 0; i < SITES; i++) {
    const zone = i % 2 ? 'Asia/Makassar' : 'Asia/Jakarta';
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO sites (code, name, time_zone, schedule) VALUES ($1, $2, $3, $4) RETURNING id`,
      [`S${String(i + 1).padStart(2, '0')}`, `Kantor ${i + 1}`, zone, JSON.stringify({ timeZone: zone })],
    );
    const device = randomUUID();
    await pool.query(
      `INSERT INTO devices (id, site_id, name, credential_hash, pack_id, app_version) VALUES ($1, $2, 'Loket 1', $3, 'p', '0')`,
      [device, rows[0].id, randomUUID()],
    );
    sites.push({ id: rows[0].id, zone, device, seq: 0 });
  }
  const people = [];
  for (let i = 0; i < PEOPLE; i += 5000) {
    people.push(
      ...(await insertPeople(
        pool,
        Array.from({ length: Math.min(5000, PEOPLE - i) }, (_, j) => ({
          employeeNumber: `N${String(i + j).padStart(6, '0')}`,
          fullName: `Pegawai ${i + j}`,
          unit: `Unit ${(i + j) % 12}`,
          homeSiteId: sites[(i + j) % SITES].id,
        })),
      )),
    );
  }
  await pool.query("UPDATE people SET created_at = '2020-01-01'");
  const workdays = datesBetween(`${MONTH}-01`, `${MONTH}-31`).filter((d) => weekdayOf(d) % 6 !== 0);
  let events = 0;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (!batch.length) return;
    const col = (k: number) => batch.map((r) => r[k]);
    await pool.query(
      `INSERT INTO attendance_events (device_id, seq, person_id, person_hub_id, employee_number, site_id, type,
                                      occurred_at, local_date, clock_offset_ms, clock_suspect, decision)
       SELECT *, 0, false, '{"decided_by":"face"}'::jsonb
         FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::uuid[], $5::text[], $6::bigint[], $7::text[],
                     $8::timestamptz[], $9::date[])`,
      [0, 1, 2, 3, 4, 5, 6, 7, 8].map(col),
    );
    events += batch.length;
    batch = [];
  };
  for (const [i, p] of people.entries()) {
    const site = sites[i % SITES];
    for (const [di, date] of workdays.entries()) {
      const r = (i * 31 + di * 17) % 100;
      if (r < 5) continue; // absent
      const inAt = r < 17 ? `07:${String(31 + (r % 28)).padStart(2, '0')}` : `07:${String(r % 30).padStart(2, '0')}`;
      const row = (type: string, time: string) =>
        batch.push([site.device, ++site.seq, p.id, p.hub_id, p.employee_number, site.id, type,
          zonedToUtc(date, time, site.zone).toISOString(), date]); // prettier-ignore
      row('in', inAt);
      if (r >= 96) continue; // no check-out
      row('out', r < 22 ? '15:10' : '16:20');
    }
    if (batch.length >= 10_000) await flush();
  }
  await flush();
  await pool.query(
    `INSERT INTO leave (person_id, from_date, to_date, kind) SELECT id, '2026-03-10', '2026-03-12', 'sakit' FROM people WHERE id % 40 = 0`,
  );
  await pool.query(
    `INSERT INTO attendance_corrections (person_id, local_date, check_in_at, late, reason, actor_type)
     SELECT id, '2026-03-04', '2026-03-04T00:00:00Z', false, 'bench', 'cli' FROM people WHERE id % 50 = 0`,
  );
  await pool.query(`INSERT INTO holidays (site_id, date, name) SELECT id, '2026-03-19', 'Nyepi' FROM sites`);
  await pool.query('ANALYZE');
  return events;
}

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
  const db = await database();
  const pool = openHubPool(db.url, { max: 4 });
  try {
    await runHubMigrations(pool);
    const t0 = performance.now();
    const held = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance_events')).rows[0].n;
    const events = held || (await seed(pool));
    if (!held) log(`seeded ${PEOPLE} people, ${SITES} sites, ${events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`); // prettier-ignore
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
