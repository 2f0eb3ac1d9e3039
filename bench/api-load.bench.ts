import './setup-env';
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { multipartBody } from '../src/main/testing/http-client';
import { facesDir, repoRoot } from '../src/main/testing/paths';
import { argValue, table } from './stats';

/**
 * Bounded load test of the HTTP API: `hadir serve` in its own process on loopback (default pool shape,
 * no rate limit, an empty store), then autocannon posts a real photo to /api/v1/recognition for a fixed
 * duration at each concurrency. Prints requests/s, latency p50/p99, answers by status and error code
 * (expected: 200, and 503 BUSY once the queue is full — nothing else) and the server's RSS before and
 * after. The server runs in a child process so the load generator does not share its event loop.
 * `--duration 10` seconds per level, `--connections 2,8,32`, `--photo NAME` (in the test faces),
 * `--workers N`, `--json FILE`.
 */
const duration = Number(argValue('--duration') ?? 10);
const levels = (argValue('--connections') ?? '2,8,32').split(',').map(Number);
const photoName = argValue('--photo') ?? 'f4455149f488.jpeg';
const workers = argValue('--workers');
const photo = new Uint8Array(readFileSync(path.join(facesDir, photoName)));
const { body, contentType } = multipartBody([{ name: 'image', filename: photoName, bytes: photo }]);

const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

/** Resident set of a process, bytes (Linux /proc, else ps). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return (
    Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    ) * 1024
  );
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-bench-'));
const server = spawn(
  process.execPath,
  [
    path.join(repoRoot, 'bin', 'hadir.mjs'),
    'serve',
    '--port',
    '0',
    '--rate-limit',
    '0',
    ...(workers ? ['--workers', workers] : []),
  ],
  { cwd: repoRoot, env: { ...process.env, HADIR_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const listening = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/\S+) \((.*)\)/.exec(out);
    if (m) resolve(out.trim());
  });
  server.on('exit', (code) => reject(new Error(`hadir serve exited with ${code}`)));
});
const baseUrl = /listening on (http:\/\/\S+)/.exec(listening)![1];
const url = `${baseUrl}/api/v1/recognition`;
const health = (await (await fetch(`${baseUrl}/api/v1/health`)).json()) as {
  workers: { total: number };
  max_queue: number;
  provider: { active: string } | null;
};

// Warm the path (first requests pay for lazy initialisation in sharp and the JIT).
for (let i = 0; i < 5; i++) {
  const r = await fetch(url, {
    method: 'POST',
    body: body as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': contentType },
  });
  if (r.status !== 200) throw new Error(`warm-up answered ${r.status}: ${await r.text()}`);
}
const rssBefore = rssOf(server.pid!);
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server.pid!))), 250);

interface LevelResult {
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  answers: Record<string, number>;
  socketErrors: number;
  timeouts: number;
}
const results: LevelResult[] = [];

for (const connections of levels) {
  const answers: Record<string, number> = {};
  const result = await autocannon({
    url,
    connections,
    duration,
    pipelining: 1,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: Buffer.from(body),
        onResponse: (statusCode: number, resBody: string) => {
          let key = String(statusCode);
          if (statusCode !== 200) {
            try {
              key += ` ${(JSON.parse(resBody) as { error?: { code?: string } }).error?.code ?? '?'}`;
            } catch {
              key += ' (not JSON)';
            }
          }
          answers[key] = (answers[key] ?? 0) + 1;
        },
      },
    ],
  });
  results.push({
    connections,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    answers,
    socketErrors: result.errors,
    timeouts: result.timeouts,
  });
}
clearInterval(sampler);
const rssAfter = rssOf(server.pid!);
const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
server.kill('SIGTERM');
const exitCode = await exited;
rmSync(dataDir, { recursive: true, force: true });

console.log(
  `\nPOST /api/v1/recognition with ${photoName} (${photo.length} bytes), ${duration} s per level, ` +
    `${health.workers.total} worker(s), queue ${health.max_queue}, ${health.provider?.active ?? '?'}, ` +
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})\n${listening}\n`,
);
console.log(
  table(
    ['connections', 'req/s', 'p50 ms', 'p99 ms', 'answers', 'socket errors', 'timeouts'],
    results.map((r) => [
      String(r.connections),
      r.rps,
      r.p50,
      r.p99,
      Object.entries(r.answers)
        .sort()
        .map(([k, n]) => `${k}: ${n}`)
        .join(', '),
      String(r.socketErrors),
      String(r.timeouts),
    ]),
  ),
);
console.log(
  `\nserver RSS before ${mb(rssBefore)} MB, after ${mb(rssAfter)} MB, peak ${mb(peakRss)} MB (workers included)`,
);
console.log(`server stopped on SIGTERM with exit code ${exitCode}`);
const unexpected = results.flatMap((r) => Object.keys(r.answers).filter((k) => k !== '200' && k !== '503 BUSY'));
if (unexpected.length > 0 || results.some((r) => r.socketErrors > 0 || r.timeouts > 0)) {
  console.log(`UNEXPECTED answers: ${[...new Set(unexpected)].join(', ') || 'socket errors/timeouts'}`);
  process.exitCode = 1;
}
const jsonOut = argValue('--json');
if (jsonOut) {
  writeFileSync(
    jsonOut,
    JSON.stringify(
      { photo: photoName, duration, health, results, rss: { before: rssBefore, after: rssAfter, peak: peakRss } },
      null,
      2,
    ),
  );
}
