/**
 * Hub face API benchmark (issue 14): an organisation of 10,000 people × 3 templates in a real PostgreSQL
 * (a throwaway cluster), served by real `hadir hub serve` processes on loopback.
 *
 * - The organisation: 10,000 people over 10 sites. A dozen of them are real people of
 *   `../shared/testdata/labels.json`, enrolled from 3 of their photos through the hub's own
 *   `addPerson`/`addTemplates`; the rest have synthetic L2-normalised templates, sealed with the hub's
 *   data key (`sealEmbedding`, as `insertTemplate` does) and inserted in bulk. Probes are other photos
 *   of the real people, kept only when they pass liveness and the pack's 1:1 threshold (checked first
 *   with an in-process engine), so every request does the whole work: decode, detect, embed, liveness,
 *   then a 1:1 check and a recorded event, or a 1:N search of the whole organisation.
 * - (a) start → health `ok` of a hub process with that gallery (and the gallery's own load time);
 * - (b) `POST /api/v1/attendance/claimed` (one selfie frame, a fresh Idempotency-Key each) and
 *   `POST /api/v1/identify` (whole organisation) at concurrency 1, 2, 4, 8, with one process of 2
 *   workers and with two processes of 1 worker each (requests round-robin between them, client side):
 *   throughput, p50/p95/p99, 503 rate, answers. The two processes run twice: as HADIR_ENGINE_WORKERS=1
 *   configures them (each sees every core, so its worker gets that many intra-op threads) and pinned
 *   one per core with taskset (1 thread each; `--no-pinned` skips this);
 * - (c) identification per probe at 30,000 templates, in process: `HubGallery` loaded from the same
 *   database, `identity().identifyFaces([probe])` (top-k search + threshold and margin);
 * - (d) CPU per request: the hub processes' CPU time (/proc/<pid>/stat, worker threads included) over
 *   each point divided by its answers, with PostgreSQL's (the postmaster and its backends) and the load
 *   generator's beside it.
 *
 * Every loop is bounded (a request count and a time cap per point) and stops by itself. Loopback only.
 * JSON on stdout (one object), progress on stderr.
 *
 *   npm run bench:hub-api [-- --requests 40 --point-cap-s 12] [-- --people 10000] [-- --json out.json]
 *   HADIR_BENCH_DATABASE_URL=postgres://… (an empty database) instead of a throwaway cluster.
 */
import './setup-env';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cosineSimilarity, mainFaceIndex } from '../src/shared/face';
import { packLivenessThreshold } from '../src/main/engine/liveness';
import { resolvePack } from '../src/main/engine/model-files';
import { InferencePool } from '../src/main/engine/pool';
import { createApiKey } from '../src/main/hub/access';
import { staticSettings } from '../src/main/hub/face-api';
import { HubGallery } from '../src/main/hub/gallery';
import { ChangeNotifier } from '../src/main/hub/notifier';
import { addPerson, addTemplates } from '../src/main/hub/people';
import { openHubDataKey, sealEmbedding } from '../src/main/hub/store/data-key';
import { openHubPool } from '../src/main/hub/store/db';
import { runHubMigrations } from '../src/main/hub/store/migrate';
import { embeddingBytes, insertPeople } from '../src/main/hub/store/people';
import { insertSite, type SiteRow } from '../src/main/hub/store/sites';
import { hubKeyring } from '../src/main/store/data-key-file';
import { TemplateMatrix } from '../src/main/store/template-matrix';
import { facesDir, type Labels, repoRoot, testdataDir } from '../src/main/testing/paths';
import { freePort } from '../src/main/testing/postgres';
import { benchDatabase } from './hub-org-fixture';
import { percentile, table } from './stats';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    people: { type: 'string', default: '10000' },
    sites: { type: 'string', default: '10' },
    'real-people': { type: 'string', default: '12' },
    requests: { type: 'string', default: '40' },
    'point-cap-s': { type: 'string', default: '12' },
    concurrency: { type: 'string', default: '1,2,4,8' },
    'search-runs': { type: 'string', default: '300' },
    'no-pinned': { type: 'boolean', default: false },
  },
});
const PEOPLE = Number(args.people);
const SITES = Number(args.sites);
const REAL_PEOPLE = Number(args['real-people']);
const REQUESTS = Number(args.requests);
const POINT_CAP_MS = Number(args['point-cap-s']) * 1000;
const LEVELS = args.concurrency.split(',').map(Number);
const SEARCH_RUNS = Number(args['search-runs']);
const PINNED = !args['no-pinned'] && os.availableParallelism() >= 2;
const WARM_UP = 4;
const ACTOR = { type: 'system' as const, id: 'bench' };
const DATA_KEY = process.env.HADIR_HUB_DATA_KEY || randomBytes(32).toString('base64');
const CLK_TCK = 100; // Linux USER_HZ (getconf CLK_TCK), what /proc/<pid>/stat counts in

/** Whether `hadir` runs its compiled build (bin/compiled-cli.mjs) or the sources through tsx. */
const { compiledState } = (await import(pathToFileURL(path.join(repoRoot, 'bin/compiled-cli.mjs')).href)) as {
  compiledState: () => string;
};

const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const round = (v: number, d = 1) => (Number.isFinite(v) ? Math.round(v * 10 ** d) / 10 ** d : null);

// --- CPU accounting ----------------------------------------------------------------------------------

/** utime + stime (ticks) and parent pid of a process, or null when it is gone. */
function procStat(pid: number): { ticks: number; ppid: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(f[11]) + Number(f[12]), ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

/** CPU ticks per pid of a process tree root and its direct children (PostgreSQL: postmaster + backends). */
function treeTicks(root: number): Map<number, number> {
  const out = new Map<number, number>();
  const r = procStat(root);
  if (r) out.set(root, r.ticks);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s && s.ppid === root) out.set(Number(name), s.ticks);
  }
  return out;
}

/** CPU seconds spent between two samples (a process born in between counts from zero). */
function ticksBetween(a: Map<number, number>, b: Map<number, number>): number {
  let t = 0;
  for (const [pid, ticks] of b) t += ticks - (a.get(pid) ?? 0);
  return t / CLK_TCK;
}

// --- Database ----------------------------------------------------------------------------------------

/** The postmaster's pid (its data folder's postmaster.pid), for CPU accounting; null when not readable. */
async function postmasterPid(pool: pg.Pool): Promise<number | null> {
  try {
    const { rows } = await pool.query<{ setting: string }>(
      "SELECT setting FROM pg_settings WHERE name = 'data_directory'",
    );
    const pid = Number(readFileSync(path.join(rows[0].setting, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return procStat(pid) ? pid : null;
  } catch {
    return null;
  }
}

// --- Photos ------------------------------------------------------------------------------------------

interface RealPerson {
  number: string;
  name: string;
  enrolled: string[];
  templates: Float32Array[];
  probes: { file: string; bytes: Uint8Array; score: number; pReal: number; width: number; height: number }[];
}

/**
 * Real people: identities of labels.json with at least 4 photos; 3 enrolled, the others kept as
 * probes when the in-process engine finds one face that passes liveness and the 1:1 threshold.
 */
async function realPeople(
  engine: InferencePool,
  matchThreshold: number,
  livenessThreshold: number,
): Promise<RealPerson[]> {
  const labels = JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
  const out: RealPerson[] = [];
  for (const [name, files] of Object.entries(labels.identities)) {
    if (out.length >= REAL_PEOPLE) break;
    if (files.length < 4) continue;
    const analysed = await Promise.all(
      files.slice(0, 8).map(async (file) => {
        const bytes = new Uint8Array(readFileSync(path.join(facesDir, file)));
        const a = await engine.analyzeEncoded(bytes.slice(), { embed: true, liveness: true }).catch(() => null);
        const main = a ? mainFaceIndex(a.faces) : -1;
        return a && main >= 0 ? { file, bytes, a, face: a.faces[main] } : null;
      }),
    );
    const found = analysed.filter((x) => x !== null && x.face.embedding);
    if (found.length < 4) continue;
    const enrolled = found.slice(0, 3);
    const templates = enrolled.map((x) => x!.face.embedding!);
    const probes = found
      .slice(3)
      .map((x) => ({
        file: x!.file,
        bytes: x!.bytes,
        score: Math.max(...templates.map((t) => cosineSimilarity(t, x!.face.embedding!))),
        pReal: x!.face.liveness?.p_real ?? 0,
        width: x!.a.width,
        height: x!.a.height,
      }))
      .filter((p) => p.score >= matchThreshold && p.pReal >= livenessThreshold);
    if (probes.length === 0) continue;
    out.push({
      number: `R${String(out.length + 1).padStart(3, '0')}`,
      name,
      enrolled: enrolled.map((x) => x!.file),
      templates,
      probes: probes.slice(0, 3),
    });
  }
  return out;
}

/** multipart/form-data by hand: text fields without a content type, files with one. */
function multipart(parts: { name: string; value: string | Uint8Array; filename?: string }[]) {
  const boundary = `hadirbench${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if (typeof p.value === 'string') {
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename ?? 'selfie.jpg'}"\r\n` +
            'Content-Type: image/jpeg\r\n\r\n',
        ),
        Buffer.from(p.value),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

// --- Hub processes -----------------------------------------------------------------------------------

interface Hub {
  child: ChildProcess;
  url: string;
  workers: number;
  startedAt: number;
  listeningMs: number | null;
  readyMs: number | null;
  galleryLoadMs: number | null;
  tail: string[];
}

/** `hadir hub serve` with `workers` inference workers; with `cpu`, pinned to that core (taskset). */
function spawnHub(databaseUrl: string, port: number, workers: number, cpu?: number): Hub {
  const startedAt = performance.now();
  const argv = [process.execPath, path.join(repoRoot, 'bin/hadir.mjs'), 'hub', 'serve'];
  if (cpu !== undefined) argv.unshift('taskset', '-c', String(cpu));
  const child = spawn(argv[0], argv.slice(1), {
    cwd: repoRoot,
    env: {
      ...process.env,
      HADIR_HUB_DATA_KEY: DATA_KEY,
      HADIR_HUB_DATABASE_URL: databaseUrl,
      HADIR_HUB_HOST: '127.0.0.1',
      HADIR_HUB_PORT: String(port),
      HADIR_ENGINE_WORKERS: String(workers),
      // One client address sends every request here (as the old backend would): no per-caller limit.
      HADIR_RATE_LIMIT: '0',
      HADIR_HUB_FACE: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const hub: Hub = {
    child,
    url: `http://127.0.0.1:${port}`,
    workers,
    startedAt,
    listeningMs: null,
    readyMs: null,
    galleryLoadMs: null,
    tail: [],
  };
  const onLine = (line: string) => {
    hub.tail.push(line.slice(0, 400));
    if (hub.tail.length > 30) hub.tail.shift();
    if (hub.listeningMs === null && /listening on/.test(line)) hub.listeningMs = performance.now() - startedAt;
    const m = /gallery ready: \d+ templates of \d+ people in (\d+) ms/.exec(line);
    if (m) hub.galleryLoadMs = Number(m[1]);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  return hub;
}

/** Poll health until `ok` (the engine warm and the gallery loaded); bounded at 120 s. */
async function awaitReady(hub: Hub): Promise<void> {
  for (let i = 0; i < 4800; i++) {
    if (hub.child.exitCode !== null) throw new Error(`hub exited ${hub.child.exitCode}: ${hub.tail.join('\n')}`);
    try {
      const r = await fetch(`${hub.url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
      const h = (await r.json()) as { status?: string };
      if (h.status === 'ok') {
        hub.readyMs = performance.now() - hub.startedAt;
        return;
      }
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  throw new Error(`hub not ready after 120 s: ${hub.tail.join('\n')}`);
}

async function stopHub(hub: Hub): Promise<void> {
  if (hub.child.exitCode !== null) return;
  const gone = new Promise((r) => hub.child.once('exit', r));
  hub.child.kill('SIGTERM');
  await Promise.race([gone, sleep(6000)]);
  if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
}

// --- Load --------------------------------------------------------------------------------------------

type Route = 'claimed' | 'identify';

interface Prepared {
  claimed: { number: string; body: Uint8Array; contentType: string }[];
  identify: { number: string; body: Uint8Array; contentType: string }[];
}

interface Point {
  route: Route;
  processes: number;
  workers_per_process: number;
  concurrency: number;
  requests: number;
  seconds: number;
  throughput_rps: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  rate_503: number;
  answers: Record<string, number>;
  /** The server's own stage timings (timings_ms of the 200 answers: wall time in the worker), mean. */
  stage_ms_mean: Record<string, number | null>;
  hub_cpu_ms_per_request: number | null;
  pg_cpu_ms_per_request: number | null;
  client_cpu_ms_per_request: number | null;
  hub_cpu_utilisation: number | null;
  loadavg: number[];
}

let requestSeq = 0;
const RUN = randomBytes(4).toString('hex');

/** One request; the answer's key for the tally (status, then outcome or decision or error code). */
async function once(base: string, route: Route, prepared: Prepared, i: number, apiKey: string) {
  const list = prepared[route];
  const item = list[i % list.length];
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, 'content-type': item.contentType };
  if (route === 'claimed') headers['idempotency-key'] = `bench-${RUN}-${++requestSeq}`;
  const url = `${base}${route === 'claimed' ? '/api/v1/attendance/claimed' : '/api/v1/identify'}`;
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: item.body as Uint8Array<ArrayBuffer>,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  let key = String(res.status);
  let timings: Record<string, number> | null = null;
  try {
    const b = JSON.parse(text) as {
      outcome?: string;
      error?: { code?: string };
      faces?: { identity?: { decision?: string; employee_number?: string | null } }[];
      timings_ms?: Record<string, number>;
    };
    if (res.status === 200) timings = b.timings_ms ?? null;
    if (res.status !== 200) key += ` ${b.error?.code ?? '?'}`;
    else if (route === 'claimed') key += ` ${b.outcome}`;
    else {
      // The probes show one person: the expected match among the faces, else what the first face got.
      const ids = (b.faces ?? []).map((f) => f.identity);
      const right = ids.find((x) => x?.decision === 'match' && x.employee_number === item.number);
      const first = ids[0];
      key += right
        ? ' match'
        : ` ${first?.decision ?? 'no_face'}${first?.decision === 'match' ? ' (wrong person)' : ''}`;
    }
  } catch {
    key += ' (not JSON)';
  }
  return { ms, status: res.status, key, timings };
}

async function point(
  hubs: Hub[],
  route: Route,
  concurrency: number,
  prepared: Prepared,
  apiKey: string,
  pgRoot: number | null,
): Promise<Point> {
  const lat: number[] = [];
  const answers: Record<string, number> = {};
  const stages: Record<string, number> = {};
  let timed = 0;
  let next = 0;
  let busy = 0;
  const cpu0 = hubs.map((h) => procStat(h.child.pid!)?.ticks ?? 0);
  const pg0 = pgRoot ? treeTicks(pgRoot) : null;
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + POINT_CAP_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < REQUESTS && performance.now() < deadline) {
        const i = next++;
        const r = await once(hubs[i % hubs.length].url, route, prepared, i, apiKey);
        lat.push(r.ms);
        answers[r.key] = (answers[r.key] ?? 0) + 1;
        if (r.status === 503) busy++;
        if (r.timings) {
          timed++;
          for (const [k, v] of Object.entries(r.timings)) stages[k] = (stages[k] ?? 0) + v;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const hubCpuS = hubs.reduce((a, h, j) => a + ((procStat(h.child.pid!)?.ticks ?? 0) - cpu0[j]) / CLK_TCK, 0);
  const pgCpuS = pgRoot && pg0 ? ticksBetween(pg0, treeTicks(pgRoot)) : null;
  const client = process.cpuUsage(client0);
  const n = lat.length;
  const served = n - busy;
  return {
    route,
    processes: hubs.length,
    workers_per_process: hubs[0].workers,
    concurrency,
    requests: n,
    seconds: round(seconds, 2)!,
    throughput_rps: round(n / seconds, 2)!,
    p50_ms: round(percentile(lat, 50)),
    p95_ms: round(percentile(lat, 95)),
    p99_ms: round(percentile(lat, 99)),
    max_ms: round(Math.max(...lat)),
    rate_503: round(busy / Math.max(1, n), 3)!,
    answers,
    stage_ms_mean: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round(v / timed)])),
    hub_cpu_ms_per_request: served > 0 ? round((hubCpuS * 1000) / served) : null,
    pg_cpu_ms_per_request: pgCpuS !== null && served > 0 ? round((pgCpuS * 1000) / served, 2) : null,
    client_cpu_ms_per_request: n > 0 ? round((client.user + client.system) / 1000 / n) : null,
    hub_cpu_utilisation: round(hubCpuS / seconds, 2),
    loadavg: loadavg(),
  };
}

async function runConfig(
  label: string,
  hubs: Hub[],
  prepared: Prepared,
  apiKey: string,
  pgRoot: number | null,
): Promise<Point[]> {
  // Warm each process and each of its workers (first requests pay for lazy initialisation and the JIT).
  for (const route of ['claimed', 'identify'] as Route[]) {
    await Promise.all(
      hubs.map(async (h) => {
        await Promise.all(
          Array.from({ length: h.workers }, async () => {
            for (let i = 0; i < WARM_UP / h.workers; i++) await once(h.url, route, prepared, i, apiKey);
          }),
        );
      }),
    );
  }
  const points: Point[] = [];
  for (const route of ['claimed', 'identify'] as Route[]) {
    for (const c of LEVELS) {
      const p = await point(hubs, route, c, prepared, apiKey, pgRoot);
      log(
        `${label} ${route} c=${c}: ${p.throughput_rps} req/s, p50 ${p.p50_ms} p95 ${p.p95_ms} p99 ${p.p99_ms} ms, ` +
          `503 ${(p.rate_503 * 100).toFixed(1)} %, hub CPU ${p.hub_cpu_ms_per_request} ms/req, ` +
          `${JSON.stringify(p.answers)}, load ${p.loadavg.join(' ')}`,
      );
      points.push(p);
    }
  }
  return points;
}

/** CPU per answered request over a whole configuration and route (all concurrencies together). */
function cpuSummary(points: Point[], route: Route) {
  const ps = points.filter((p) => p.route === route);
  const served = ps.reduce((a, p) => a + p.requests * (1 - p.rate_503), 0);
  const w = (f: (p: Point) => number | null) =>
    round(ps.reduce((a, p) => a + (f(p) ?? 0) * p.requests * (1 - p.rate_503), 0) / Math.max(1, served), 2);
  return {
    hub_cpu_ms_per_request: w((p) => p.hub_cpu_ms_per_request),
    pg_cpu_ms_per_request: w((p) => p.pg_cpu_ms_per_request),
    best_throughput_rps: Math.max(...ps.map((p) => p.throughput_rps)),
  };
}

// --- Main --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tBench = performance.now();
  const loadStart = loadavg();
  log(`load average at start: ${loadStart.join(' ')}; compiled CLI: ${compiledState()}`);
  const resolved = await resolvePack(undefined, { verify: true });
  const pack = resolved.pack;
  const DIM = pack.recognizer.embeddingSize;
  const match = pack.thresholds?.match;
  if (match === undefined) throw new Error(`pack ${pack.id} has no 1:1 threshold`);
  const livenessThreshold = packLivenessThreshold(pack);

  // The real people, from photos (in-process engine, closed before anything is measured).
  const tPhotos = performance.now();
  const engine = await InferencePool.start({ paths: resolved, workers: 2, intraOpNumThreads: 1 });
  let real: RealPerson[];
  try {
    real = await realPeople(engine, match, livenessThreshold);
  } finally {
    await engine.close();
  }
  if (real.length === 0) throw new Error('no labelled identity gave a usable probe');
  const probes = real.flatMap((p) => p.probes.map((q) => ({ person: p, ...q })));
  log(
    `${real.length} real people, ${probes.length} probes (pass liveness ≥ ${livenessThreshold} and 1:1 ≥ ${match}) ` +
      `in ${((performance.now() - tPhotos) / 1000).toFixed(1)} s`,
  );

  const db = await benchDatabase('hub_api_bench');
  const pgPool = openHubPool(db.url, { max: 4, applicationName: 'hadir-bench' });
  const hubs: Hub[] = [];
  try {
    await runHubMigrations(pgPool);
    const keyring = hubKeyring({ HADIR_HUB_DATA_KEY: DATA_KEY });
    await openHubDataKey(pgPool, keyring);
    const pgRoot = await postmasterPid(pgPool);

    // --- The organisation ------------------------------------------------------------------------
    const tSeed = performance.now();
    const sites: SiteRow[] = [];
    for (let s = 0; s < SITES; s++) {
      sites.push(await insertSite(pgPool, { code: `S${s}`, name: `Site ${s}`, timeZone: 'Asia/Jakarta' }));
    }
    for (const [i, p] of real.entries()) {
      await addPerson(pgPool, { employeeNumber: p.number, fullName: p.name, homeSite: sites[i % SITES].code }, ACTOR);
      await addTemplates(
        pgPool,
        p.number,
        p.templates.map((embedding, j) => ({ packId: pack.id, embedding, source: p.enrolled[j] })),
        ACTOR,
      );
    }
    let state = 0x9e3779b9;
    const random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296 - 0.5;
    };
    const unit = () => {
      const v = new Float32Array(DIM);
      let n = 0;
      for (let i = 0; i < DIM; i++) n += (v[i] = random()) ** 2;
      const inv = 1 / Math.sqrt(n);
      for (let i = 0; i < DIM; i++) v[i] *= inv;
      return v;
    };
    const synthetic = PEOPLE - real.length;
    for (let from = 0; from < synthetic; from += 1000) {
      const n = Math.min(1000, synthetic - from);
      const rows = await insertPeople(
        pgPool,
        Array.from({ length: n }, (_, j) => ({
          employeeNumber: `N${String(from + j).padStart(6, '0')}`,
          fullName: `Pegawai ${from + j}`,
          unit: `U${(from + j) % 7}`,
          homeSiteId: sites[(from + j) % SITES].id,
        })),
      );
      const personIds = rows.flatMap((r) => [r.id, r.id, r.id]);
      const hubIds = personIds.map(() => randomUUID());
      const sealed = personIds.map((pid, k) => sealEmbedding(keyring, embeddingBytes(unit()), hubIds[k], pid));
      await pgPool.query(
        `INSERT INTO face_templates (hub_id, person_id, pack_id, dim, key_id, embedding, source)
         SELECT t.h, t.p, $4, $5, t.k, t.e, 'bench' FROM unnest($1::uuid[], $2::bigint[], $3::bytea[], $6::bigint[]) AS t(h, p, e, k)`,
        [hubIds, personIds, sealed.map((s) => s.embedding), pack.id, DIM, sealed.map((s) => s.keyId)],
      );
    }
    const { key: apiKey } = await createApiKey(pgPool, 'bench', ['read'], ACTOR);
    const { rows: counted } = await pgPool.query<{ people: number; templates: number; sealed: number }>(
      `SELECT (SELECT count(*) FROM people)::int AS people, (SELECT count(*) FROM face_templates)::int AS templates,
              (SELECT count(*) FROM face_templates WHERE key_id IS NOT NULL)::int AS sealed`,
    );
    const seedS = (performance.now() - tSeed) / 1000;
    log(
      `seeded ${counted[0].people} people, ${counted[0].templates} templates (${counted[0].sealed} sealed, dim ${DIM}) ` +
        `over ${SITES} sites in ${seedS.toFixed(1)} s`,
    );

    // --- (c) identification search at 30,000 templates, in process ---------------------------------
    const notifier = new ChangeNotifier(db.url, { pollMs: 60_000 });
    await notifier.start();
    const gallery = new HubGallery(pgPool, notifier, pack, staticSettings({}));
    const tGallery = performance.now();
    gallery.start();
    await gallery.ready;
    const inProcessLoadMs = performance.now() - tGallery;
    const identity = gallery.identity();
    const searchProbes = [...probes.map((p) => p.person.templates[0]), ...Array.from({ length: 16 }, unit)];
    let sink = 0;
    for (let i = 0; i < 30; i++) sink += identity.identifyFaces([searchProbes[i % searchProbes.length]]).length;
    const searchMs: number[] = [];
    for (let i = 0; i < SEARCH_RUNS; i++) {
      const probe = searchProbes[i % searchProbes.length];
      const t = performance.now();
      sink += identity.identifyFaces([probe]).length;
      searchMs.push(performance.now() - t);
    }
    const galleryStats = gallery.stats();
    const named = real.filter((p) => identity.identifyFaces([p.templates[0]])[0].employee_number === p.number).length;
    await gallery.close();
    await notifier.close();
    if (sink !== 30 + SEARCH_RUNS) throw new Error('a search answered no identity');
    const search = {
      path: 'HubGallery.identity().identifyFaces([probe]): top-k people + threshold and margin',
      templates: galleryStats.templates,
      people: galleryStats.people,
      runs: SEARCH_RUNS,
      p50_ms: round(percentile(searchMs, 50), 3),
      p95_ms: round(percentile(searchMs, 95), 3),
      p99_ms: round(percentile(searchMs, 99), 3),
      enrolled_templates_named_back: `${named} of ${real.length}`,
      in_process_gallery_load_ms: round(inProcessLoadMs, 0),
      loadavg: loadavg(),
    };
    log(`identification at ${search.templates} templates: p50 ${search.p50_ms} ms, p95 ${search.p95_ms} ms`);
    // The same search at 512 dimensions (a larger recognizer than this pack's), 30,000 synthetic rows.
    const wide = new TemplateMatrix(512, 30_000);
    const unit512 = () => {
      const v = new Float32Array(512);
      let n = 0;
      for (let i = 0; i < 512; i++) n += (v[i] = random()) ** 2;
      return v.map((x) => x / Math.sqrt(n));
    };
    for (let t = 0; t < 30_000; t++) wide.add({ id: t + 1, personId: Math.floor(t / 3) + 1, embedding: unit512() });
    const wideProbes = Array.from({ length: 16 }, unit512);
    for (let i = 0; i < 30; i++) sink += wide.topPeople(wideProbes[i % 16], 5).length > 0 ? 0 : 1;
    const wideMs: number[] = [];
    for (let i = 0; i < SEARCH_RUNS; i++) {
      const t = performance.now();
      sink += wide.topPeople(wideProbes[i % 16], 5).length > 0 ? 0 : 1;
      wideMs.push(performance.now() - t);
    }
    const search512 = {
      templates: wide.size,
      dim: 512,
      accelerated: wide.accelerated,
      runs: SEARCH_RUNS,
      p50_ms: round(percentile(wideMs, 50), 3),
      p95_ms: round(percentile(wideMs, 95), 3),
      p99_ms: round(percentile(wideMs, 99), 3),
    };
    log(`top-5 people at 30,000 × 512-d templates: p50 ${search512.p50_ms} ms, p95 ${search512.p95_ms} ms`);
    if (sink !== 30 + SEARCH_RUNS) throw new Error('a 512-d search found nobody');

    // --- Requests, prepared once ------------------------------------------------------------------
    const prepared: Prepared = {
      claimed: probes.map((p) => ({
        number: p.person.number,
        ...multipart([
          { name: 'employee_number', value: p.person.number },
          { name: 'image', value: p.bytes, filename: p.file },
        ]),
      })),
      identify: probes.map((p) => ({
        number: p.person.number,
        ...multipart([{ name: 'image', value: p.bytes, filename: p.file }]),
      })),
    };

    // --- One process, 2 workers -------------------------------------------------------------------
    const loadOne = loadavg();
    hubs.push(spawnHub(db.url, await freePort(), 2));
    await awaitReady(hubs[0]);
    const startOne = {
      listening_ms: round(hubs[0].listeningMs ?? NaN, 0),
      ready_ms: round(hubs[0].readyMs!, 0),
      gallery_load_ms: hubs[0].galleryLoadMs,
      loadavg_before: loadOne,
    };
    log(`1 process × 2 workers: ready in ${startOne.ready_ms} ms (gallery load ${startOne.gallery_load_ms} ms)`);
    const one = await runConfig('1×2', hubs, prepared, apiKey, pgRoot);
    await stopHub(hubs.pop()!);

    // --- Two processes, 1 worker each (started together) -----------------------------------------
    // As configured by HADIR_ENGINE_WORKERS=1 alone: each process sees 2 cores, so its one worker gets
    // 2 intra-op threads; then pinned one process per core (taskset), which gives each 1 thread.
    const twoProcesses = async (label: string, pinned: boolean) => {
      const loadBefore = loadavg();
      const two = [
        spawnHub(db.url, await freePort(), 1, pinned ? 0 : undefined),
        spawnHub(db.url, await freePort(), 1, pinned ? 1 : undefined),
      ];
      hubs.push(...two);
      await Promise.all(two.map(awaitReady));
      const start = {
        processes: two.map((h) => ({
          listening_ms: round(h.listeningMs ?? NaN, 0),
          ready_ms: round(h.readyMs!, 0),
          gallery_load_ms: h.galleryLoadMs,
        })),
        loadavg_before: loadBefore,
      };
      log(`${label}: ready in ${start.processes.map((s) => s.ready_ms).join(' / ')} ms`);
      const points = await runConfig(label, two, prepared, apiKey, pgRoot);
      for (const h of two) await stopHub(h);
      hubs.length = 0;
      return { start, points };
    };
    const twoFree = await twoProcesses('2×1', false);
    const twoPinned = PINNED ? await twoProcesses('2×1 pinned', true) : null;

    const { rows: events } = await pgPool.query<{ n: number; keys: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM attendance_events WHERE source = 'phone'",
    );

    const report = {
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? '?',
        node: process.version,
        memory_gb: round(os.totalmem() / 2 ** 30),
        gpu: null,
        loadavg_start: loadStart,
        loadavg_end: loadavg(),
        note: 'shared machine: other engineers ran tests at the same time; the load generator and PostgreSQL share the cores',
      },
      hub_cli: compiledState() === 'fresh' ? 'compiled (out/cli)' : 'tsx (sources newer than out/cli)',
      setup: {
        people: counted[0].people,
        templates: counted[0].templates,
        templates_sealed: counted[0].sealed,
        dim: DIM,
        sites: SITES,
        pack: pack.id,
        match_threshold: match,
        liveness_threshold: livenessThreshold,
        real_people: real.map((p) => ({ number: p.number, identity: p.name, enrolled: p.enrolled })),
        probes: probes.map((p) => ({
          person: p.person.number,
          file: p.file,
          bytes: p.bytes.length,
          size: `${p.width}x${p.height}`,
          score_1to1: round(p.score, 3),
          p_real: round(p.pReal, 3),
        })),
        seed_s: round(seedS, 1),
        requests_per_point: REQUESTS,
        point_cap_s: POINT_CAP_MS / 1000,
        frames_per_checkin: 1,
        rate_limit: 'off (HADIR_RATE_LIMIT=0)',
      },
      start_to_ready: {
        one_process_2_workers: startOne,
        two_processes_1_worker: twoFree.start,
        two_processes_1_worker_pinned: twoPinned?.start ?? null,
      },
      identification_search: { pack_dim: search, synthetic_512d: search512 },
      load: {
        one_process_2_workers: one,
        two_processes_1_worker: twoFree.points,
        two_processes_1_worker_pinned: twoPinned?.points ?? null,
      },
      cpu_per_request: {
        one_process_2_workers: { claimed: cpuSummary(one, 'claimed'), identify: cpuSummary(one, 'identify') },
        two_processes_1_worker: {
          claimed: cpuSummary(twoFree.points, 'claimed'),
          identify: cpuSummary(twoFree.points, 'identify'),
        },
        two_processes_1_worker_pinned: twoPinned
          ? { claimed: cpuSummary(twoPinned.points, 'claimed'), identify: cpuSummary(twoPinned.points, 'identify') }
          : null,
      },
      phone_events_recorded: events[0].n,
      phone_events_distinct_keys: events[0].keys,
      bench_s: round((performance.now() - tBench) / 1000, 1),
    };
    console.log(JSON.stringify(report, null, 2));
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
    log(
      '\n' +
        table(
          ['config', 'route', 'c', 'req/s', 'p50', 'p95', 'p99', '503 %', 'hub CPU ms/req', 'PG CPU ms/req'],
          [
            ...one.map((p) => ['1×2', p] as const),
            ...twoFree.points.map((p) => ['2×1', p] as const),
            ...(twoPinned?.points ?? []).map((p) => ['2×1 pinned', p] as const),
          ].map(([config, p]) => [
            config,
            p.route,
            String(p.concurrency),
            p.throughput_rps,
            p.p50_ms ?? NaN,
            p.p95_ms ?? NaN,
            p.p99_ms ?? NaN,
            p.rate_503 * 100,
            p.hub_cpu_ms_per_request ?? NaN,
            p.pg_cpu_ms_per_request ?? NaN,
          ]),
        ),
    );
  } finally {
    for (const h of hubs) await stopHub(h);
    await pgPool.end();
    await db.stop();
  }
}

await main();
