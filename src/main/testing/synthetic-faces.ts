import { seededRandom } from '../services/calibrate';

/**
 * Synthetic embeddings for store and gallery tests and benchmarks: random unit vectors (two of them
 * score about 0 ± 1/√d, like different people), and noisy copies (like photos of one person).
 */
export function randomUnitVectors(count: number, d: number, seed = 1): Float32Array[] {
  const rand = seededRandom(seed);
  const gauss = () => {
    // Box–Muller; 1 − u keeps the log finite.
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const e = new Float32Array(d);
    for (let j = 0; j < d; j++) e[j] = gauss();
    out.push(normalise(e));
  }
  return out;
}

export function normalise(e: Float32Array): Float32Array {
  let n = 0;
  for (const v of e) n += v * v;
  n = Math.sqrt(n);
  for (let j = 0; j < e.length; j++) e[j] /= n;
  return e;
}

/** A unit vector at cosine similarity `cos` to `base` (exactly), in a random direction. */
export function nearby(base: Float32Array, cos: number, seed: number): Float32Array {
  const r = randomUnitVectors(1, base.length, seed)[0];
  // Remove r's component along base, then mix: cos·base + sin·r⊥.
  let dot = 0;
  for (let j = 0; j < base.length; j++) dot += r[j] * base[j];
  for (let j = 0; j < base.length; j++) r[j] -= dot * base[j];
  normalise(r);
  const sin = Math.sqrt(1 - cos * cos);
  const out = new Float32Array(base.length);
  for (let j = 0; j < base.length; j++) out[j] = cos * base[j] + sin * r[j];
  return normalise(out);
}
