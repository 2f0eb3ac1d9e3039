import './setup-env';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolvePack } from '../src/main/engine/model-files';
import { InferencePool } from '../src/main/engine/pool';
import { facesDir } from '../src/main/testing/paths';
import { argValue, table } from './stats';

/**
 * Cross-request batching of the recognizer, off against on (HADIR_BATCH_FACES), on this machine's
 * provider: `--requests N` requests (default 96) at `--concurrency C` (default 8) over a mix of photos
 * (1 to 8 faces), `--rounds R` alternating rounds (default 2), `--workers W` (default: the pool's),
 * `--json FILE`. Reports the process's CPU time (worker threads included) per face, the recognizer's time
 * per face (the requests' `embed` timings summed), faces per second and how the batches formed.
 */
const requests = Number(argValue('--requests') ?? 96);
const concurrency = Number(argValue('--concurrency') ?? 8);
const rounds = Number(argValue('--rounds') ?? 2);
const workersArg = argValue('--workers');
const workers = workersArg ? Number(workersArg) : undefined;
const paths = await resolvePack(argValue('--pack'));
const files = ['ae393985f8e3.jpg', '0c5e25d359f6.jpg', '445efed057f8.jpg', 'f4455149f488.jpeg', 'bbc888520e34.jpg'];
const images = files.map((f) => readFileSync(path.join(facesDir, f)));

interface Run {
  mode: 'off' | 'on';
  faces: number;
  cpuMsPerFace: number;
  embedMsPerFace: number;
  facesPerS: number;
  batches: number;
  batchedRequests: number;
  largestBatch: number;
}
const runs: Run[] = [];

async function run(mode: 'off' | 'on'): Promise<Run> {
  const pool = await InferencePool.start({ paths, workers, maxQueue: 256, batchFaces: mode, timeoutMs: 120_000 });
  try {
    for (let i = 0; i < 10; i++) await pool.analyzeEncoded(new Uint8Array(images[i % images.length]));
    const before = pool.status().batchFaces!;
    let faces = 0;
    let embedMs = 0;
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          const bytes = images[next++ % images.length];
          const a = await pool.analyzeEncoded(new Uint8Array(bytes));
          faces += a.faces.length;
          embedMs += a.timings.embed;
        }
      }),
    );
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const after = pool.status().batchFaces!;
    return {
      mode,
      faces,
      cpuMsPerFace: (cpu.user + cpu.system) / 1000 / faces,
      embedMsPerFace: embedMs / faces,
      facesPerS: faces / (wallMs / 1000),
      batches: after.batches - before.batches,
      batchedRequests: after.batchedRequests - before.batchedRequests,
      largestBatch: after.largestBatch,
    };
  } finally {
    await pool.close();
  }
}

for (let r = 0; r < rounds; r++) for (const mode of ['off', 'on'] as const) runs.push(await run(mode));

console.log(
  `${requests} requests at concurrency ${concurrency}, ${workers ?? 'default'} workers, photos: ${files.join(', ')}\n`,
);
console.log(
  table(
    ['batching', 'faces', 'CPU ms/face', 'recognizer ms/face', 'faces/s', 'batches', 'requests batched', 'largest'],
    runs.map((x) => [
      x.mode,
      String(x.faces),
      x.cpuMsPerFace,
      x.embedMsPerFace,
      x.facesPerS,
      String(x.batches),
      String(x.batchedRequests),
      String(x.largestBatch),
    ]),
  ),
);
const out = argValue('--json');
if (out) writeFileSync(out, JSON.stringify({ requests, concurrency, workers, files, runs }, null, 2));
