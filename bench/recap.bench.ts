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
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { monthlyRecap, writeRecapXlsx } from '../src/main/hub/recap';
import { openHubPool } from '../src/main/hub/store/db';
import { runHubMigrations } from '../src/main/hub/store/migrate';
import { benchDatabase, MONTH, seededOrganisation } from './hub-org-fixture';
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
const log = (s: string) => process.stderr.write(`${s}\n`);

async function main() {
  const db = await benchDatabase('recap_bench');
  const pool = openHubPool(db.url, { max: 4 });
  try {
    await runHubMigrations(pool);
    const events = await seededOrganisation(pool, { people: PEOPLE, sites: SITES });
    const timings: Record<string, number[]> = { organisation: [], 'one site': [], 'xlsx (organisation)': [] };
    let people = 0;
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
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
