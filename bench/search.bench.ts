/**
 * Gallery search benchmark: p50/p95 of `topKPeople` (k = 5) over random L2-normalised templates,
 * ~3 per person, for N ∈ {10k, 100k, 1M} × D ∈ {128, 512}, on both scoring paths: the
 * WebAssembly SIMD kernel (matrices from `allocateTemplateMatrix`) and the plain JavaScript loop
 * (any other Float32Array). `ns/(N·D)` shows whether the cost stays linear in N·D.
 *
 *   node bin/run-ts.mjs bench/search.bench.ts [--json out.json] [--max-n 100000]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { allocateTemplateMatrix, isAccelerated, topKPeople } from '../src/main/engine/search';

const SIZES = [10_000, 100_000, 1_000_000];
const DIMENSIONS = [128, 512];
const K = 5;
const TEMPLATES_PER_PERSON = 3;
const PROBES = 16;

type ScoringPath = 'wasm-simd' | 'js';

interface BenchRow {
  n: number;
  d: number;
  path: ScoringPath;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  /** p50 divided by N·D: flat across rows when the cost is linear. */
  nsPerTemplateDim: number;
  /** Matrix bytes read per second at p50. */
  gbPerS: number;
}

interface Skipped {
  n: number;
  d: number;
  path: ScoringPath;
  reason: string;
}

const { values: options } = parseArgs({
  options: { json: { type: 'string' }, 'max-n': { type: 'string' } },
});
const maxN = options['max-n'] ? Number(options['max-n']) : Infinity;

/** xorshift32: fast enough to fill 512M floats in seconds; isotropy does not matter for timing. */
function fastRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
}

function fillNormalisedRows(matrix: Float32Array, n: number, d: number, random: () => number): void {
  for (let i = 0, row = 0; i < n; i++, row += d) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = random();
      matrix[row + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) matrix[row + j] *= inv;
  }
}

/** Nearest-rank percentile of ascending `sorted`. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

function runsFor(n: number, d: number, path: ScoringPath): { warmUp: number; runs: number } {
  const work = n * d * (path === 'js' ? 3 : 1);
  if (work >= 500_000_000) return { warmUp: 2, runs: 5 };
  if (work >= 100_000_000) return { warmUp: 3, runs: 10 };
  return { warmUp: 5, runs: 20 };
}

function timeSearches(
  matrix: Float32Array,
  n: number,
  d: number,
  personOf: Int32Array,
  probes: Float32Array[],
  path: ScoringPath,
): BenchRow {
  const { warmUp, runs } = runsFor(n, d, path);
  let sink = 0;
  for (let r = 0; r < warmUp; r++) sink += topKPeople(matrix, n, d, personOf, probes[r % probes.length], K).length;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const probe = probes[(r + warmUp) % probes.length];
    const start = performance.now();
    sink += topKPeople(matrix, n, d, personOf, probe, K).length;
    times.push(performance.now() - start);
  }
  if (sink !== (warmUp + runs) * K) throw new Error(`expected ${K} people per search`);
  times.sort((a, b) => a - b);
  const p50Ms = percentile(times, 0.5);
  return {
    n,
    d,
    path,
    runs,
    p50Ms,
    p95Ms: percentile(times, 0.95),
    nsPerTemplateDim: (p50Ms * 1e6) / (n * d),
    gbPerS: (n * d * 4) / (p50Ms * 1e6),
  };
}

const rows: BenchRow[] = [];
const skipped: Skipped[] = [];
const fmt = (v: number, digits: number) => v.toFixed(digits);
const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`);
console.log(`topKPeople k=${K}, ~${TEMPLATES_PER_PERSON} templates/person, random normalised templates\n`);
console.log(
  ['N', 'D', 'path', 'runs', 'p50 ms', 'p95 ms', 'ns/(N·D)', 'GB/s']
    .map((h, i) => (i < 3 ? h.padEnd(10) : h.padStart(9)))
    .join(''),
);
const printRow = (r: BenchRow) =>
  console.log(
    [label(r.n), String(r.d), r.path].map((c) => c.padEnd(10)).join('') +
      [String(r.runs), fmt(r.p50Ms, 2), fmt(r.p95Ms, 2), fmt(r.nsPerTemplateDim, 3), fmt(r.gbPerS, 1)]
        .map((c) => c.padStart(9))
        .join(''),
  );

for (const n of SIZES.filter((size) => size <= maxN)) {
  for (const d of DIMENSIONS) {
    const random = fastRandom(n + d);
    const personOf = new Int32Array(n);
    const people = Math.ceil(n / TEMPLATES_PER_PERSON);
    for (let i = 0; i < n; i++) personOf[i] = Math.floor((random() + 0.5) * people);
    const probes = Array.from({ length: PROBES }, () => {
      const probe = new Float32Array(d);
      fillNormalisedRows(probe, 1, d, random);
      return probe;
    });

    // 1M × 512 is 2 GiB of float32: V8 on 64-bit allows typed arrays of up to 2^32 elements, and
    // the wasm32 memory (matrix plus scratch) stays under its 4 GiB ceiling, so no chunking.
    let matrix: Float32Array | null;
    try {
      matrix = allocateTemplateMatrix(n, d);
      fillNormalisedRows(matrix, n, d, random);
    } catch (error) {
      matrix = null;
      skipped.push({ n, d, path: 'wasm-simd', reason: String(error) });
    }
    if (matrix) {
      if (!isAccelerated(matrix)) {
        skipped.push({ n, d, path: 'wasm-simd', reason: 'allocateTemplateMatrix fell back to a plain array' });
      } else {
        rows.push(timeSearches(matrix, n, d, personOf, probes, 'wasm-simd'));
        printRow(rows[rows.length - 1]);
      }
      let plain: Float32Array | null = null;
      try {
        plain = matrix.slice(0, n * d); // a copy outside any wasm memory: the JavaScript path
      } catch (error) {
        skipped.push({ n, d, path: 'js', reason: String(error) });
      }
      matrix = null;
      if (plain) {
        rows.push(timeSearches(plain, n, d, personOf, probes, 'js'));
        printRow(rows[rows.length - 1]);
      }
    }
  }
}

for (const s of skipped) console.log(`skipped ${label(s.n)} × ${s.d} (${s.path}): ${s.reason}`);

if (options.json) {
  const report = {
    benchmark: 'search',
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? null,
    cores: os.cpus().length,
    k: K,
    templatesPerPerson: TEMPLATES_PER_PERSON,
    rows,
    skipped,
  };
  writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${options.json}`);
}
