import './setup-env';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolvePack } from '../src/main/engine/model-files';
import { InferencePool, defaultPoolShape } from '../src/main/engine/pool';
import { benchImages } from './images';
import { argValue, percentile, table } from './stats';

/**
 * Inference pool benchmark: for each pool shape (workers × intra-op threads) the time from start to
 * ready, single-request latency, and throughput with p50/p95 latency at concurrency 1, 2, 4 and 8,
 * on the 640×480 kiosk frame; peak RSS of the process (workers included).
 * `--shapes 1x2,2x1`, `--requests N` per concurrency level, `--json FILE`.
 */
const shapes = (argValue('--shapes') ?? '1x2,2x1,1x1,2x2')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);
const requests = Number(argValue('--requests') ?? 48);
const levels = [1, 2, 4, 8];
const paths = await resolvePack(argValue('--pack'));
const [frame, photo] = await benchImages();
const def = defaultPoolShape();

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

interface ShapeResult {
  shape: string;
  startMs: number;
  latency: { p50: number; p95: number };
  photoLatency: { p50: number; p95: number };
  levels: Record<number, { rps: number; p50: number; p95: number; busy: number }>;
  peakRssMb: number;
}
const results: ShapeResult[] = [];

for (const [workers, threads] of shapes) {
  peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const pool = await InferencePool.start({ paths, workers, intraOpNumThreads: threads, maxQueue: 64, provider: 'cpu' });
  const startMs = performance.now() - t0;
  const one = async (bytes: Buffer) => {
    const t = performance.now();
    await pool.analyzeEncoded(new Uint8Array(bytes));
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await one(frame.bytes);
  const single: number[] = [];
  for (let i = 0; i < 30; i++) single.push(await one(frame.bytes));
  const singlePhoto: number[] = [];
  for (let i = 0; i < 15; i++) singlePhoto.push(await one(photo.bytes));
  const byLevel: ShapeResult['levels'] = {};
  for (const c of levels) {
    const lat: number[] = [];
    let busy = 0;
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (next < requests) {
          next++;
          try {
            lat.push(await one(frame.bytes));
          } catch {
            busy++;
          }
        }
      }),
    );
    const secs = (performance.now() - t) / 1000;
    byLevel[c] = { rps: lat.length / secs, p50: percentile(lat, 50), p95: percentile(lat, 95), busy };
  }
  await pool.close();
  results.push({
    shape: `${workers}x${threads}`,
    startMs,
    latency: { p50: percentile(single, 50), p95: percentile(single, 95) },
    photoLatency: { p50: percentile(singlePhoto, 50), p95: percentile(singlePhoto, 95) },
    levels: byLevel,
    peakRssMb: peakRss / 2 ** 20,
  });
}
clearInterval(sampler);

console.log(
  `pool benchmark: ${frame.name}, ${requests} requests per level, ${os.cpus().length} cores; ` +
    `default shape here ${def.workers}x${def.intraOpNumThreads} (workers x intra-op threads)\n`,
);
console.log(
  table(
    [
      'shape',
      'ready ms',
      'frame p50',
      'p95',
      '720p p50',
      'p95',
      ...levels.flatMap((c) => [`c${c} img/s`, 'p50', 'p95']),
      'peak RSS MB',
    ],
    results.map((r) => [
      r.shape,
      r.startMs,
      r.latency.p50,
      r.latency.p95,
      r.photoLatency.p50,
      r.photoLatency.p95,
      ...levels.flatMap((c) => [r.levels[c].rps, r.levels[c].p50, r.levels[c].p95]),
      r.peakRssMb,
    ]),
  ),
);
const best4 = Math.max(...results.map((r) => r.levels[4].rps));
const bestLat = Math.min(...results.map((r) => r.latency.p50));
const d = results.find((r) => r.shape === `${def.workers}x${def.intraOpNumThreads}`);
if (d) {
  console.log(
    `\ndefault ${d.shape}: ${((d.levels[4].rps / best4) * 100).toFixed(0)}% of the best throughput at concurrency 4 ` +
      `(target ≥ 90%); single-request p50 ${((d.latency.p50 / bestLat - 1) * 100).toFixed(0)}% over the best (target ≤ 25%)`,
  );
}
const jsonOut = argValue('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ cores: os.cpus().length, requests, results }, null, 2));
