import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { interOcular, type BBox, type Landmarks5 } from '../../shared/face';

/**
 * The parity measures of `shared/tools/parity.py` and `identity_metrics.py`, in TypeScript, so
 * the test suite asserts exactly what those scripts check.
 */

export interface RefFace {
  bbox: BBox;
  score: number;
  kps: Landmarks5;
  aligned: string | null;
  embedding: number[];
}
export interface RefImage {
  image: string;
  decodable: boolean;
  width: number;
  height: number;
  faces: RefFace[];
}
export interface ProductFace {
  bbox: BBox;
  score: number;
  landmarks: Landmarks5;
  embedding?: number[];
}
export interface ProductImage {
  image: string;
  width?: number;
  height?: number;
  faces?: ProductFace[];
  error?: { code: string; message: string };
}

export const stem = (file: string): string => path.basename(file).replace(/\.[^.]+$/, '');

export function loadReference(dir: string): Map<string, RefImage> {
  const out = new Map<string, RefImage>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    const r = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RefImage;
    out.set(stem(r.image), r);
  }
  return out;
}

export function loadProductJsonl(file: string): Map<string, ProductImage> {
  const out = new Map<string, ProductImage>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as ProductImage;
    out.set(stem(r.image), r);
  }
  return out;
}

export function iou(a: BBox, b: BBox): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[2], b[2]);
  const y2 = Math.min(a[3], b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return ua > 0 ? inter / ua : 0;
}

function cos(a: number[], b: number[]): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / (Math.sqrt(na) * Math.sqrt(nb));
}

export interface Match {
  stem: string;
  ref: RefFace;
  refIndex: number;
  product: ProductFace | null;
}

export interface ParityReport {
  images: number;
  refFaces: number;
  largeFaces: number;
  largeMatched: number;
  largeHiScoreMatched: number;
  smallFaces: number;
  smallMatched: number;
  extraFacesRatio: number;
  kpsWithinTol: number;
  kpsMedianRel: number;
  embN: number;
  embCosGe099: number;
  embCosMedian: number;
  /** Matched large faces, for crop comparisons. */
  matches: Match[];
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One-to-one matching in descending reference score, as parity.py does. */
export function parity(ref: Map<string, RefImage>, prod: Map<string, ProductImage>): ParityReport {
  let bigN = 0;
  let bigM = 0;
  let hiN = 0;
  let hiM = 0;
  let smallN = 0;
  let smallM = 0;
  let extra = 0;
  const kps: { rel: number; abs: number }[] = [];
  const coss: number[] = [];
  const matches: Match[] = [];
  for (const [s, r] of ref) {
    const pf = prod.get(s)?.faces ?? [];
    const used = new Set<number>();
    const order = r.faces.map((f, i) => ({ f, i })).sort((a, b) => b.f.score - a.f.score);
    for (const { f, i: refIndex } of order) {
      const io = interOcular(f.kps);
      const small = io < 20;
      let best = 0;
      let bi = -1;
      pf.forEach((q, j) => {
        if (used.has(j)) return;
        const v = iou(f.bbox, q.bbox);
        if (v > best) {
          best = v;
          bi = j;
        }
      });
      const ok = best >= (small ? 0.7 : 0.9);
      if (ok) used.add(bi);
      if (small) {
        smallN++;
        if (ok) smallM++;
        continue;
      }
      bigN++;
      if (ok) bigM++;
      if (f.score >= 0.6) {
        hiN++;
        if (ok) hiM++;
      }
      matches.push({ stem: s, ref: f, refIndex, product: ok ? pf[bi] : null });
      if (!ok) continue;
      const q = pf[bi];
      const err = Math.max(...f.kps.map((p, k) => Math.hypot(p[0] - q.landmarks[k][0], p[1] - q.landmarks[k][1])));
      kps.push({ rel: err / io, abs: err });
      if (q.embedding && f.embedding) coss.push(cos(f.embedding, q.embedding));
    }
    extra += pf.length - used.size;
  }
  const total = bigN + smallN;
  return {
    images: ref.size,
    refFaces: total,
    largeFaces: bigN,
    largeMatched: bigM / Math.max(bigN, 1),
    largeHiScoreMatched: hiM / Math.max(hiN, 1),
    smallFaces: smallN,
    smallMatched: smallM / Math.max(smallN, 1),
    extraFacesRatio: extra / Math.max(total, 1),
    kpsWithinTol: kps.filter((e) => e.rel <= 0.03 || e.abs <= 1).length / Math.max(kps.length, 1),
    kpsMedianRel: median(kps.map((e) => e.rel)),
    embN: coss.length,
    embCosGe099: coss.filter((c) => c >= 0.99).length / Math.max(coss.length, 1),
    embCosMedian: median(coss),
    matches,
  };
}

export interface IdentityReport {
  images: number;
  withoutFace: number;
  genuinePairs: number;
  impostorPairs: number;
  thresholdAtFar: number;
  tarAtFar: number;
  rank1: number;
  rank1Probes: number;
  rank1Misses: number;
}

/** Verification and rank-1 identification over labelled identities, as identity_metrics.py. */
export function identityMetrics(
  embeddings: Map<string, number[] | null>,
  identities: Record<string, string[]>,
  far = 1e-3,
): IdentityReport {
  const items: { name: string; e: Float64Array }[] = [];
  let missing = 0;
  for (const [name, files] of Object.entries(identities)) {
    for (const f of files) {
      const e = embeddings.get(stem(f));
      if (!e) {
        missing++;
        continue;
      }
      const n = Math.hypot(...e);
      items.push({ name, e: Float64Array.from(e, (v) => v / n) });
    }
  }
  const n = items.length;
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let d = 0;
      const a = items[i].e;
      const b = items[j].e;
      for (let k = 0; k < a.length; k++) d += a[k] * b[k];
      S[i * n + j] = S[j * n + i] = d;
    }
  }
  const gen: number[] = [];
  const imp: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) (items[i].name === items[j].name ? gen : imp).push(S[i * n + j]);
  }
  imp.sort((a, b) => a - b);
  // numpy.quantile, linear interpolation.
  const q = 1 - far;
  const pos = q * (imp.length - 1);
  const lo = Math.floor(pos);
  const thr = imp.length ? imp[lo] + (imp[Math.min(lo + 1, imp.length - 1)] - imp[lo]) * (pos - lo) : 1;
  const tar = gen.filter((g) => g > thr).length / Math.max(gen.length, 1);
  const counts = new Map<string, number>();
  for (const it of items) counts.set(it.name, (counts.get(it.name) ?? 0) + 1);
  let probes = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if ((counts.get(items[i].name) ?? 0) < 2) continue;
    probes++;
    let best = -Infinity;
    let bj = -1;
    for (let j = 0; j < n; j++) {
      if (j !== i && S[i * n + j] > best) {
        best = S[i * n + j];
        bj = j;
      }
    }
    if (items[bj].name === items[i].name) hits++;
  }
  return {
    images: n + missing,
    withoutFace: missing,
    genuinePairs: gen.length,
    impostorPairs: imp.length,
    thresholdAtFar: thr,
    tarAtFar: tar,
    rank1: probes ? hits / probes : 0,
    rank1Probes: probes,
    rank1Misses: probes - hits,
  };
}

/** Largest face's embedding per image, as the identity scripts choose it. */
export function mainEmbeddings(prod: Map<string, ProductImage>): Map<string, number[] | null> {
  const out = new Map<string, number[] | null>();
  for (const [s, p] of prod) {
    const faces = p.faces ?? [];
    let best: ProductFace | null = null;
    let area = -1;
    for (const f of faces) {
      const a = (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]);
      if (a > area) {
        area = a;
        best = f;
      }
    }
    out.set(s, best?.embedding ?? null);
  }
  return out;
}
