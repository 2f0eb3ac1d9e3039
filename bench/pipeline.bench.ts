import './setup-env';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { openPipeline } from '../src/main/engine/open-pipeline';
import { allocateTemplateMatrix, topKPeople } from '../src/main/engine/search';
import { benchImages } from './images';
import { argValue, percentile, table } from './stats';

/**
 * Single-threaded pipeline benchmark: per-stage p50/p95 (decode, detect, align, embed, liveness, and
 * a 1:N search of the main face over a 10k-person gallery) and total, after warm-up, on real photos;
 * plus the share of the total spent outside the networks' run() calls.
 * The kiosk frame runs twice: with every detection size (as `hadir analyze`) and with the kiosk
 * detection profile the kiosk's camera frames use (engine/detector.ts).
 * `--json FILE` writes the figures; `--runs N`, `--threads N`, `--gallery N`.
 */
const runs = Number(argValue('--runs') ?? 30);
const threads = Number(argValue('--threads') ?? 1);
const galleryPeople = Number(argValue('--gallery') ?? 10_000);
const pipeline = await openPipeline(argValue('--pack'), { provider: 'cpu', intraOpNumThreads: threads });
await pipeline.warmUp();

// A synthetic gallery of random normalised templates, 3 per person, for the search stage.
const dim = pipeline.recognizer.embeddingSize;
const n = galleryPeople * 3;
const matrix = allocateTemplateMatrix(n, dim);
const personOf = new Int32Array(n);
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
for (let i = 0; i < n; i++) {
  let s = 0;
  for (let k = 0; k < dim; k++) s += (matrix[i * dim + k] = rand()) ** 2;
  const inv = 1 / Math.sqrt(s);
  for (let k = 0; k < dim; k++) matrix[i * dim + k] *= inv;
  personOf[i] = Math.floor(i / 3);
}

const stages = ['decode', 'detect', 'align', 'embed', 'liveness', 'search', 'total'] as const;
type Stage = (typeof stages)[number];
const results: Record<string, { faces: number; prePostShare: number } & Record<Stage, { p50: number; p95: number }>> =
  {};
const rows: (string | number)[][] = [];
const images = await benchImages();
const inputs = [
  images[0],
  { ...images[0], name: `${images[0].name}, kiosk profile`, detection: 'kiosk' as const },
  ...images.slice(1),
];
for (const img of inputs) {
  const samples = Object.fromEntries(stages.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
  const shares: number[] = [];
  let faces = 0;
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const a = await pipeline.analyzeBytes(img.bytes, {
      liveness: pipeline.livenessAvailable,
      ...('detection' in img ? { detection: img.detection } : {}),
    });
    const t1 = performance.now();
    let search = 0;
    if (a.faces[0]?.embedding) {
      topKPeople(matrix, n, dim, personOf, a.faces[0].embedding, 5);
      search = performance.now() - t1;
    }
    const total = performance.now() - t0;
    faces = a.faces.length;
    if (i < 3) continue; // warm-up per image
    for (const s of stages) {
      samples[s].push(s === 'total' ? total : s === 'search' ? search : (a.timings[s] ?? 0));
    }
    shares.push(1 - (a.timings.inference ?? 0) / (total - search));
  }
  const fig = Object.fromEntries(
    stages.map((s) => [s, { p50: percentile(samples[s], 50), p95: percentile(samples[s], 95) }]),
  ) as Record<Stage, { p50: number; p95: number }>;
  const prePostShare = percentile(shares, 50);
  results[img.name] = { ...fig, faces, prePostShare };
  rows.push([
    img.name,
    String(faces),
    ...stages.flatMap((s) => [fig[s].p50, fig[s].p95]),
    `${(prePostShare * 100).toFixed(1)}%`,
  ]);
}

console.log(
  `pipeline benchmark: pack ${pipeline.pack.id}, det sizes ${pipeline.pack.detector.detSizes.join('+')}, ` +
    `provider ${pipeline.provider.active}, one thread of JS, intraOpNumThreads ${threads}, liveness ${pipeline.livenessAvailable ? 'on' : 'off'}, ` +
    `search over ${galleryPeople} people x 3 templates (${dim}-d), ${runs} runs, ${os.cpus().length} cores\n`,
);
console.log(table(['image', 'faces', ...stages.flatMap((s) => [`${s} p50`, 'p95']), 'pre/post share'], rows));
const jsonOut = argValue('--json');
if (jsonOut) {
  writeFileSync(
    jsonOut,
    JSON.stringify({ pack: pipeline.pack.id, threads, runs, cores: os.cpus().length, results }, null, 2),
  );
  console.log(`\nwrote ${jsonOut}`);
}
