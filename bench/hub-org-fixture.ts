/**
 * The hub benches' PostgreSQL fixture, kept in one place so the benches that read the same organisation
 * (recap.bench.ts, console-api.bench.ts) seed exactly the same data and can be compared:
 *
 * - benchDatabase: HADIR_BENCH_DATABASE_URL when given, else a throwaway cluster with one empty database
 *   (stopped by `stop`); hub.bench.ts and hub-api.bench.ts use it too;
 * - seededOrganisation: an organisation of `people` over `sites` sites (WIB and WITA alternately, the
 *   default schedule, one kiosk each) with a month of kiosk events (a check-in and a check-out on most
 *   workdays of MONTH), some leave and corrections, written straight into PostgreSQL; a database that
 *   already holds events (a bench's earlier run) is used as it is.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { datesBetween, weekdayOf, zonedToUtc } from '../src/shared/local-time';
import { insertPeople } from '../src/main/hub/store/people';

/** The month the organisation's events, leave, corrections and holiday fall in. */
export const MONTH = '2026-03';

/** A database: the given one, or `name` in a throwaway cluster (stopped by `stop`). */
export async function benchDatabase(name: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env.HADIR_BENCH_DATABASE_URL;
  if (given) return { url: given, stop: async () => {} };
  const { startThrowawayCluster, withDatabase } = await import('../src/main/testing/postgres');
  const cluster = await startThrowawayCluster();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return { url: withDatabase(cluster.adminUrl, name), stop: () => cluster.stop() };
}

export interface OrganisationOptions {
  people: number;
  sites: number;
  /** Also a holiday (Nyepi, MONTH-19) at every site. */
  holiday?: boolean;
}

/**
 * The number of events in the (migrated) database: those it already holds, or those of the organisation
 * seeded now (logged on stderr with the time it took).
 */
export async function seededOrganisation(pool: pg.Pool, opts: OrganisationOptions): Promise<number> {
  const t0 = performance.now();
  // A given database already holding the bench's organisation is used as it is (for repeated runs).
  const held = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance_events')).rows[0].n;
  if (held) return held;
  const events = await seed(pool, opts);
  process.stderr.write(
    `seeded ${opts.people} people, ${opts.sites} sites, ${events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return events;
}

async function seed(
  pool: pg.Pool,
  { people: personCount, sites: siteCount, holiday }: OrganisationOptions,
): Promise<number> {
  const sites: { id: number; zone: string; device: string; seq: number }[] = [];
  for (let i = 0; i < siteCount; i++) {
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
  for (let i = 0; i < personCount; i += 5000) {
    people.push(
      ...(await insertPeople(
        pool,
        Array.from({ length: Math.min(5000, personCount - i) }, (_, j) => ({
          employeeNumber: `N${String(i + j).padStart(6, '0')}`,
          fullName: `Pegawai ${i + j}`,
          unit: `Unit ${(i + j) % 12}`,
          homeSiteId: sites[(i + j) % siteCount].id,
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
    const site = sites[i % siteCount];
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
  if (holiday)
    await pool.query(`INSERT INTO holidays (site_id, date, name) SELECT id, '2026-03-19', 'Nyepi' FROM sites`);
  await pool.query('ANALYZE');
  return events;
}
