/**
 * Hub benchmark: an organisation of 10,000 people × 3 templates over 50 sites (one of 500 people), and
 * 100 simulated kiosks (light sync clients speaking the wire protocol over loopback; no face pipeline),
 * against `hadir hub serve` child processes on a throwaway PostgreSQL cluster.
 *
 * - first sync: each kiosk's snapshot, page after page, until caught up (10 at a time), and the
 *   500-person site's kiosk alone (target ≤ 5 s);
 * - enrollment: a person with 3 templates added at the hub → seen by every (long-polling) kiosk of
 *   their site, p50/p95 (target ≤ 2 s);
 * - morning rush: 10,000 check-ins from 100 kiosks over 15 simulated minutes compressed into 15 s,
 *   pushed as they happen; then a backlog push (every kiosk sends its backlog in batches of 500),
 *   throughput and p95 ack latency, with one hub process and with two (target ≥ 2,000 events/s).
 *
 * Every loop is bounded and stops by itself. Loopback only.
 *
 *   npm run bench:hub [-- --json out.json] [-- --people 10000 --backlog 300]
 *   HADIR_BENCH_DATABASE_URL=postgres://… (an empty database) instead of a throwaway cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AttendanceEvent, ChangesPage, PushResponse } from '../src/shared/sync-protocol';
import { addPerson, addTemplates } from '../src/main/hub/people';
import { sha256Hex } from '../src/main/hub/pairing';
import { openHubDataKey, sealPlaintextTemplates } from '../src/main/hub/store/data-key';
import { openHubPool } from '../src/main/hub/store/db';
import { insertDevice } from '../src/main/hub/store/devices';
import { embeddingBytes, insertPeople } from '../src/main/hub/store/people';
import { insertSite, type SiteRow } from '../src/main/hub/store/sites';
import { runHubMigrations } from '../src/main/hub/store/migrate';
import { hubKeyring } from '../src/main/store/data-key-file';
import { repoRoot } from '../src/main/testing/paths';
import { freePort } from '../src/main/testing/postgres';
import { benchDatabase } from './hub-org-fixture';
import { percentile, table } from './stats';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    people: { type: 'string', default: '10000' },
    sites: { type: 'string', default: '50' },
    kiosks: { type: 'string', default: '100' },
    backlog: { type: 'string', default: '300' },
    dim: { type: 'string', default: '512' },
  },
});
const PEOPLE = Number(args.people);
const SITES = Number(args.sites);
const KIOSKS = Number(args.kiosks);
const BIG_SITE = Math.min(500, PEOPLE);
const BACKLOG = Number(args.backlog);
const DIM = Number(args.dim);
const PACK = 'bench-pack';
const ENROLLMENTS = 20;
const RUSH_EVENTS = 10_000;
const RUSH_REAL_S = 15;
const ACTOR = { type: 'system' as const, id: 'bench' };

/** The hub data key the bench's hubs share (HADIR_HUB_DATA_KEY, else one made for this run). */
const DATA_KEY = process.env.HADIR_HUB_DATA_KEY || randomBytes(32).toString('base64');

const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startHubProcess(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/hadir.mjs'), 'hub', 'serve', '--no-face'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HADIR_HUB_DATA_KEY: DATA_KEY,
      HADIR_HUB_DATABASE_URL: databaseUrl,
      HADIR_HUB_PORT: String(port),
      HADIR_HUB_FACE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  for (let i = 0; i < 1200 && !/listening on/.test(out); i++) {
    if (child.exitCode !== null) throw new Error(`hub exited: ${out}`);
    await sleep(50);
  }
  if (!/listening on/.test(out)) throw new Error(`hub did not start: ${out}`);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stopHub(h: { child: ChildProcess }): Promise<void> {
  if (h.child.exitCode !== null) return;
  const gone = new Promise((r) => h.child.once('exit', r));
  h.child.kill('SIGTERM');
  await Promise.race([gone, sleep(10_000)]);
  if (h.child.exitCode === null) h.child.kill('SIGKILL');
}

function unitVector(): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = Math.random() - 0.5;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

interface Kiosk {
  id: string;
  credential: string;
  site: number;
  siteCode: string;
  cursor: string | null;
  seq: number;
}

async function call<T>(url: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** The first sync: pages until the hub says nothing more is ready. */
async function firstSync(base: string, k: Kiosk): Promise<{ ms: number; people: number; pages: number }> {
  const t0 = performance.now();
  let people = 0;
  let pages = 0;
  k.cursor = null;
  for (let i = 0; i < 10_000; i++) {
    const q: string = k.cursor ? `?cursor=${encodeURIComponent(k.cursor)}` : '';
    const page: ChangesPage = await call<ChangesPage>(`${base}/api/v1/sync/changes${q}`, k.credential);
    pages++;
    people += page.items.filter((x) => x.type === 'person').length;
    k.cursor = page.cursor;
    if (!page.more) break;
  }
  return { ms: performance.now() - t0, people, pages };
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function event(k: Kiosk, employeeNumber: string, at: Date): AttendanceEvent {
  return {
    seq: ++k.seq,
    person_hub_id: null,
    employee_number: employeeNumber,
    type: 'in',
    occurred_at: at.toISOString(),
    clock_offset_ms: 0,
    decision: { decided_by: 'face', late: false, similarity: 0.8, liveness: 0.99, clock_flag: null },
  };
}

interface PushStats {
  events: number;
  seconds: number;
  eventsPerS: number;
  ackP50Ms: number;
  ackP95Ms: number;
  pushes: number;
}

async function pushAll(
  bases: readonly string[],
  kiosks: readonly Kiosk[],
  batchesOf: (k: Kiosk) => AsyncGenerator<AttendanceEvent[]>,
): Promise<PushStats> {
  const acks: number[] = [];
  let events = 0;
  const t0 = performance.now();
  await Promise.all(
    kiosks.map(async (k, i) => {
      const base = bases[i % bases.length];
      for await (const batch of batchesOf(k)) {
        const s = performance.now();
        const r = await call<PushResponse>(`${base}/api/v1/sync/events`, k.credential, {
          method: 'POST',
          body: { events: batch },
        });
        acks.push(performance.now() - s);
        if (r.acked_seq !== batch.at(-1)!.seq) throw new Error(`kiosk ${k.id}: acked ${r.acked_seq}`);
        events += batch.length;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    events,
    seconds,
    eventsPerS: events / seconds,
    ackP50Ms: percentile(acks, 50),
    ackP95Ms: percentile(acks, 95),
    pushes: acks.length,
  };
}

/** 10,000 check-ins over 07:00-07:15 (simulated), each kiosk pushing what happened every 250 ms (real). */
function rush(kiosks: readonly Kiosk[], day: string) {
  const perKiosk = Math.ceil(RUSH_EVENTS / kiosks.length);
  const start = Date.parse(`${day}T00:00:00Z`); // 07:00 WIB
  const compression = (15 * 60) / RUSH_REAL_S;
  return async function* (k: Kiosk): AsyncGenerator<AttendanceEvent[]> {
    const times = Array.from({ length: perKiosk }, () => Math.random() * 15 * 60_000).sort((a, b) => a - b);
    const t0 = performance.now();
    let i = 0;
    while (i < times.length) {
      const simulatedNow = (performance.now() - t0) * compression;
      const due: AttendanceEvent[] = [];
      while (i < times.length && times[i] <= simulatedNow) {
        due.push(event(k, `B${k.site}-${i}`, new Date(start + times[i])));
        i++;
      }
      if (due.length) yield due;
      await sleep(250);
    }
  };
}

function backlog(perKiosk: number, day: string) {
  return async function* (k: Kiosk): AsyncGenerator<AttendanceEvent[]> {
    const start = Date.parse(`${day}T00:00:00Z`);
    for (let done = 0; done < perKiosk;) {
      const n = Math.min(500, perKiosk - done);
      yield Array.from({ length: n }, (_, j) =>
        event(k, `B${k.site}-${done + j}`, new Date(start + (done + j) * 1000)),
      );
      done += n;
    }
  };
}

async function main(): Promise<void> {
  const db = await benchDatabase('hub_bench');
  const hubs: { child: ChildProcess; url: string }[] = [];
  const pgPool = openHubPool(db.url, { max: 4, applicationName: 'hadir-bench' });
  try {
    await runHubMigrations(pgPool);
    await openHubDataKey(pgPool, hubKeyring({ HADIR_HUB_DATA_KEY: DATA_KEY }));
    // --- The organisation --------------------------------------------------------------------------
    const tSeed = performance.now();
    const sites: SiteRow[] = [];
    for (let s = 0; s < SITES; s++) {
      sites.push(
        await insertSite(pgPool, {
          code: `S${String(s).padStart(2, '0')}`,
          name: `Site ${s}`,
          timeZone: 'Asia/Jakarta',
        }),
      );
    }
    const rest = Math.ceil((PEOPLE - BIG_SITE) / Math.max(1, SITES - 1));
    const homeOf = (i: number) => (i < BIG_SITE ? 0 : 1 + Math.floor((i - BIG_SITE) / rest));
    for (let from = 0; from < PEOPLE; from += 1000) {
      const n = Math.min(1000, PEOPLE - from);
      const rows = await insertPeople(
        pgPool,
        Array.from({ length: n }, (_, j) => ({
          employeeNumber: `N${String(from + j).padStart(6, '0')}`,
          fullName: `Pegawai ${from + j}`,
          unit: `U${(from + j) % 7}`,
          homeSiteId: sites[Math.min(SITES - 1, homeOf(from + j))].id,
        })),
      );
      const ids = rows.flatMap((r) => [r.id, r.id, r.id]);
      await pgPool.query(
        `INSERT INTO face_templates (person_id, pack_id, dim, embedding, source)
         SELECT unnest($1::bigint[]), $2, $3, unnest($4::bytea[]), 'bench'`,
        [ids, PACK, DIM, ids.map(() => embeddingBytes(unitVector()))],
      );
    }
    // Seeded in the clear for speed, then sealed as a hub upgraded from before migration 4 would be.
    await sealPlaintextTemplates(pgPool, { batch: 5000 });
    const kiosks: Kiosk[] = [];
    for (let i = 0; i < KIOSKS; i++) {
      const site = sites[i % SITES];
      const credential = randomBytes(32).toString('base64url');
      const id = randomUUID();
      await insertDevice(pgPool, {
        id,
        siteId: site.id,
        name: `Kiosk ${i}`,
        credentialHash: sha256Hex(credential),
        packId: PACK,
        appVersion: 'bench',
      });
      kiosks.push({ id, credential, site: site.id, siteCode: site.code, cursor: null, seq: 0 });
    }
    const seedS = (performance.now() - tSeed) / 1000;
    log(
      `seeded ${PEOPLE} people × 3 templates (dim ${DIM}), ${SITES} sites, ${KIOSKS} kiosks in ${seedS.toFixed(1)} s`,
    );

    hubs.push(await startHubProcess(db.url));
    const one = [hubs[0].url];

    // --- First sync -------------------------------------------------------------------------------
    const big = kiosks.find((k) => k.site === sites[0].id)!;
    const bigSync = await firstSync(one[0], big);
    log(`first sync of the ${BIG_SITE}-person site: ${bigSync.ms.toFixed(0)} ms`);
    const syncs: number[] = [];
    const tAll = performance.now();
    await pool(kiosks, 10, async (k) => {
      syncs.push((await firstSync(one[0], k)).ms);
    });
    const allSyncS = (performance.now() - tAll) / 1000;
    log(`first sync of ${KIOSKS} kiosks (10 at a time): ${allSyncS.toFixed(1)} s`);

    // --- Enrollment → every kiosk of the site -------------------------------------------------------
    const latencies: number[] = [];
    const stop = new AbortController();
    const pending = new Map<string, { t0: number; waiting: Set<string> }>();
    const pollers = kiosks.map(async (k) => {
      while (!stop.signal.aborted) {
        const q = `?cursor=${encodeURIComponent(k.cursor!)}&wait=25`;
        let page: ChangesPage;
        try {
          const res = await fetch(`${one[0]}/api/v1/sync/changes${q}`, {
            headers: { authorization: `Bearer ${k.credential}` },
            signal: stop.signal,
          });
          page = (await res.json()) as ChangesPage;
        } catch {
          return;
        }
        k.cursor = page.cursor;
        const now = performance.now();
        for (const item of page.items) {
          if (item.type !== 'person') continue;
          const p = pending.get(item.person.employee_number);
          if (p?.waiting.delete(k.id)) latencies.push(now - p.t0);
        }
      }
    });
    await sleep(1000); // every kiosk is waiting in its long-poll
    for (let e = 0; e < ENROLLMENTS; e++) {
      const site = sites[(e * 7) % SITES];
      const number = `NEW${e}`;
      const waiting = new Set(kiosks.filter((k) => k.site === site.id).map((k) => k.id));
      pending.set(number, { t0: performance.now(), waiting });
      await addPerson(pgPool, { employeeNumber: number, fullName: `Baru ${e}`, homeSite: site.code }, ACTOR);
      await addTemplates(
        pgPool,
        number,
        [0, 1, 2].map(() => ({ packId: PACK, embedding: unitVector(), source: 'bench' })),
        ACTOR,
      );
      for (let w = 0; w < 200 && waiting.size > 0; w++) await sleep(25);
      // The kiosks saw the person first without templates; the latency counts to the first sight.
    }
    stop.abort();
    await Promise.all(pollers);
    log(`enrollment → kiosks: ${latencies.length} deliveries`);

    // --- Morning rush and backlog, one hub then two ------------------------------------------------
    const results: Record<string, PushStats> = {};
    results.rush_1 = await pushAll(one, kiosks, rush(kiosks, '2026-03-02'));
    log(
      `rush, 1 hub: ${results.rush_1.eventsPerS.toFixed(0)} events/s, p95 ack ${results.rush_1.ackP95Ms.toFixed(0)} ms`,
    );
    results.backlog_1 = await pushAll(one, kiosks, backlog(BACKLOG, '2026-03-03'));
    log(`backlog, 1 hub: ${results.backlog_1.eventsPerS.toFixed(0)} events/s`);
    hubs.push(await startHubProcess(db.url));
    const two = hubs.map((h) => h.url);
    results.rush_2 = await pushAll(two, kiosks, rush(kiosks, '2026-03-04'));
    log(
      `rush, 2 hubs: ${results.rush_2.eventsPerS.toFixed(0)} events/s, p95 ack ${results.rush_2.ackP95Ms.toFixed(0)} ms`,
    );
    results.backlog_2 = await pushAll(two, kiosks, backlog(BACKLOG, '2026-03-05'));
    log(`backlog, 2 hubs: ${results.backlog_2.eventsPerS.toFixed(0)} events/s`);

    const { rows } = await pgPool.query<{ n: number; d: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT (device_id, seq))::int AS d FROM attendance_events',
    );
    const expected = kiosks.reduce((a, k) => a + k.seq, 0);
    if (rows[0].n !== expected || rows[0].d !== expected) {
      throw new Error(`stored ${rows[0].n} events (${rows[0].d} distinct), sent ${expected}`);
    }

    const report = {
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', node: process.version },
      setup: { people: PEOPLE, templates_per_person: 3, dim: DIM, sites: SITES, kiosks: KIOSKS, seed_s: seedS },
      first_sync: {
        big_site_people: BIG_SITE,
        big_site_ms: bigSync.ms,
        big_site_pages: bigSync.pages,
        per_kiosk_p50_ms: percentile(syncs, 50),
        per_kiosk_p95_ms: percentile(syncs, 95),
        per_kiosk_max_ms: Math.max(...syncs),
        all_kiosks_s: allSyncS,
        concurrency: 10,
      },
      enrollment: {
        people: ENROLLMENTS,
        deliveries: latencies.length,
        expected_deliveries: ENROLLMENTS * (KIOSKS / SITES),
        p50_ms: percentile(latencies, 50),
        p95_ms: percentile(latencies, 95),
        max_ms: Math.max(...latencies),
      },
      push: results,
      stored_events: rows[0].n,
    };
    console.log(JSON.stringify(report, null, 2));
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
    log(
      '\n' +
        table(
          ['measure', 'value', 'target'],
          [
            [`first sync, ${BIG_SITE}-person site (ms)`, bigSync.ms, '≤ 5000'],
            ['first sync per kiosk p50 (ms)', report.first_sync.per_kiosk_p50_ms, ''],
            ['first sync per kiosk p95 (ms)', report.first_sync.per_kiosk_p95_ms, ''],
            ['enrollment → kiosks p50 (ms)', report.enrollment.p50_ms, ''],
            ['enrollment → kiosks p95 (ms)', report.enrollment.p95_ms, '≤ 2000'],
            ...(['rush_1', 'backlog_1', 'rush_2', 'backlog_2'] as const).flatMap((k) => [
              [`${k}: events/s`, results[k].eventsPerS, k.startsWith('backlog') ? '≥ 2000' : ''],
              [`${k}: ack p95 (ms)`, results[k].ackP95Ms, ''],
            ]),
          ],
        ),
    );
  } finally {
    for (const h of hubs) await stopHub(h);
    await pgPool.end();
    await db.stop();
  }
}

await main();
