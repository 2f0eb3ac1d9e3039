/**
 * Monthly recap benchmark: 10,000 people over 50 sites (WIB and WITA, the default schedule), a month
 * of kiosk events (a check-in and a check-out on most workdays: ~420,000 events), some leave and
 * corrections, written straight into PostgreSQL (this measures the recap, not ingest); then
 * monthlyRecap for the whole organisation and for one site, and the XLSX of the whole organisation.
 * Target: the organisation's month within a few seconds.
 *
 *   npm run bench:recap [-- --people 10000 --sites 50 --json out.json]
 *   HADIR_BENCH_DATABASE_URL=postgres://… (an empty database, or one this bench seeded before) instead of
 *   a throwaway cluster.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { datesBetween, weekdayOf, zonedToUtc } from '../src/shared/local-time';
import { monthlyRecap, writeRecapXlsx } from '../src/main/hub/recap';
import { openHubPool } from '../src/main/hub/store/db';
import { insertPeople } from '../src/main/hub/store/people';
import { runHubMigrations } from '../src/main/hub/store/migrate';
import { percentile, table } from './stats';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    people: { type: 'string', default: '10000' },
    sites: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
  },
});
const PEOPLE = Number(args.people);
const SITES = Number(args.sites);
const RUNS = Number(args.runs);
const MONTH = '2026-03';
const log = (s: string) => process.stderr.write(`${s}\n`);

async function database(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env.HADIR_BENCH_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  const { startThrowawayCluster, withDatabase } = await import('../src/main/testing/postgres');
  const cluster = await startThrowawayCluster();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE recap_bench');
  await admin.end();
  return { url: withDatabase(cluster.adminUrl, 'recap_bench'), stop: () => cluster.stop() };
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
  await pool.query('ANALYZE');
  return events;
}

async function main() {
  const db = await database();
  const pool = openHubPool(db.url, { max: 4 });
  try {
    await runHubMigrations(pool);
    let t0 = performance.now();
    // A given database already holding the bench's organisation is used as it is (for repeated runs).
    const held = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance_events')).rows[0].n;
    const events = held || (await seed(pool));
    if (!held)
      log(
        `seeded ${PEOPLE} people, ${SITES} sites, ${events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    const timings: Record<string, number[]> = { organisation: [], 'one site': [], 'xlsx (organisation)': [] };
    let people = 0;
    for (let i = 0; i < RUNS; i++) {
      t0 = performance.now();
      const all = await monthlyRecap(pool, { month: MONTH });
      timings.organisation.push(performance.now() - t0);
      people = all.people.length;
      t0 = performance.now();
      await monthlyRecap(pool, { month: MONTH, site: 'S01' });
      timings['one site'].push(performance.now() - t0);
      t0 = performance.now();
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done();
        },
      });
      await writeRecapXlsx(all, sink, 'id');
      timings['xlsx (organisation)'].push(performance.now() - t0);
      if (i === 0) log(`recap: ${people} people; xlsx ${(bytes / 1024).toFixed(0)} KiB`);
    }
    const rows = Object.entries(timings).map(([k, v]) => [k, percentile(v, 50), Math.max(...v)]);
    process.stdout.write(`${table(['monthly recap (ms)', 'median', 'max'], rows)}\n`);
    if (args.json) writeFileSync(args.json, JSON.stringify({ people: PEOPLE, sites: SITES, events, timings }, null, 2));
  } finally {
    await pool.end();
    await db.stop();
  }
}

await main();
