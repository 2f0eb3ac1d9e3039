import './setup-env';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { openPipeline } from '../src/main/engine/open-pipeline';
import { benchImages } from './images';
import { argValue, percentile, table } from './stats';

/**
 * Single-threaded pipeline benchmark: per-stage p50/p95 (decode, detect, align, embed) and total,
 * after warm-up, on real photos. `--json FILE` writes the figures; `--runs N`, `--threads N`.
 */
const runs = Number(argValue('--runs') ?? 30);
const threads = Number(argValue('--threads') ?? Math.min(2, os.cpus().length));
const pipeline = await openPipeline(argValue('--pack'), { provider: 'cpu', intraOpNumThreads: threads });
await pipeline.warmUp();

const stages = ['decode', 'detect', 'align', 'embed', 'total'] as const;
const results: Record<string, Record<string, { p50: number; p95: number }> & { faces: number }> = {};
const rows: (string | number)[][] = [];
for (const img of await benchImages()) {
  const samples: Record<string, number[]> = Object.fromEntries(stages.map((s) => [s, []]));
  let faces = 0;
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const a = await pipeline.analyzeBytes(img.bytes);
    const total = performance.now() - t0;
    faces = a.faces.length;
    if (i < 3) continue; // warm-up per image (allocator, shape-specific kernels)
    for (const s of stages) samples[s].push(s === 'total' ? total : a.timings[s]);
  }
  const fig = Object.fromEntries(
    stages.map((s) => [s, { p50: percentile(samples[s], 50), p95: percentile(samples[s], 95) }]),
  );
  results[img.name] = { ...fig, faces } as (typeof results)[string];
  rows.push([img.name, String(faces), ...stages.flatMap((s) => [fig[s].p50, fig[s].p95])]);
}

console.log(
  `pipeline benchmark: pack ${pipeline.pack.id}, det sizes ${pipeline.pack.detector.detSizes.join('+')}, ` +
    `provider ${pipeline.provider.active}, 1 thread of JS, intraOpNumThreads ${threads}, ${runs} runs, ${os.cpus().length} cores\n`,
);
console.log(table(['image', 'faces', ...stages.flatMap((s) => [`${s} p50`, 'p95'])], rows));
const jsonOut = argValue('--json');
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ pack: pipeline.pack.id, threads, runs, cores: os.cpus().length, results }, null, 2));
  console.log(`\nwrote ${jsonOut}`);
}
