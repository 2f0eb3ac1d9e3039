import type { GenuineQuantiles, ImpostorTail } from '../engine/manifest';

/**
 * The match threshold for a gallery of G people, from the pack's impostor-score tail.
 *
 * A stranger at a kiosk is compared with every template of every person searched: with G people of
 * k templates that is G·k chances to be named. For a target false-positive identification rate per
 * stranger's attempt (FPIR), each comparison may pass with probability at most
 * FAR = 1 − (1 − FPIR)^(1/(G·k)) (comparisons treated as independent; one person's templates are
 * correlated, which makes this an upper bound on FPIR, so the threshold errs strict). At 10,000
 * people and FPIR 0.1 % that is about 3·10⁻⁸: far below what a few thousand labelled impostor pairs
 * can measure, so the tail beyond the data is extrapolated:
 *
 * - Exceedances over u (the lowest of the stored top scores) are fitted with a generalised Pareto
 *   distribution by probability-weighted moments (Hosking & Wallis 1987), P(S > t) =
 *   (n_u/N)·(1 + ξ(t − u)/σ)^(−1/ξ).
 * - ξ is clamped at 0 (an exponential tail) when the fit says ξ < 0. A negative ξ means a bounded
 *   tail with an end point u − σ/ξ; fitted from a few hundred pairs that end point is a guess, and on
 *   this project's labelled photos it was wrong: the fitting split's tail ended at 0.31–0.32 while
 *   the checking split had impostor pairs at 0.34. Cosine scores of normalised embeddings have a
 *   light (Gumbel-domain) tail, so the exponential over-estimates the far tail: strict, never lax.
 * - Where the needed FAR is within what the stored pairs measure (≥ 10 pairs above), the measured
 *   quantile is used instead.
 */

export type { GenuineQuantiles, ImpostorTail };

export interface TailFit {
  /** The score the exceedances are measured from. */
  u: number;
  /** Scores above u (n_u). */
  exceedances: number;
  pairs: number;
  xi: number;
  sigma: number;
  /** ξ as fitted, before the clamp at 0. */
  xiFitted: number;
}

/** Fewer measured pairs above a threshold than this and the rate is extrapolated, not read off. */
export const MIN_MEASURED_ABOVE = 10;

export function fitTail(tail: ImpostorTail): TailFit {
  const top = tail.top;
  if (top.length < 20 || !(tail.pairs >= top.length)) {
    throw new Error(`an impostor tail needs at least 20 top scores out of as many pairs (got ${top.length})`);
  }
  const nu = top.length - 1;
  const u = top[nu];
  // Exceedances ascending, for the weights (n − 1 − i)/(n − 1) of the PWM a1.
  const y = top
    .slice(0, nu)
    .map((s) => s - u)
    .sort((a, b) => a - b);
  const n = y.length;
  let a0 = 0;
  let a1 = 0;
  for (let i = 0; i < n; i++) {
    a0 += y[i];
    a1 += ((n - 1 - i) / (n - 1)) * y[i];
  }
  a0 /= n;
  a1 /= n;
  // Hosking's shape k = −ξ and scale, from the first two probability-weighted moments.
  const k = a0 / (a0 - 2 * a1) - 2;
  const sigmaPwm = (2 * a0 * a1) / (a0 - 2 * a1);
  const xiFitted = -k;
  if (xiFitted >= 0 && Number.isFinite(sigmaPwm) && sigmaPwm > 0) {
    return { u, exceedances: nu, pairs: tail.pairs, xi: xiFitted, sigma: sigmaPwm, xiFitted };
  }
  // Exponential tail: its maximum-likelihood scale is the mean exceedance.
  return { u, exceedances: nu, pairs: tail.pairs, xi: 0, sigma: a0, xiFitted };
}

/** P(impostor score ≥ t) by the fitted tail (for t ≥ u). */
export function tailFar(fit: TailFit, t: number): number {
  const z = Math.max(0, t - fit.u);
  const atU = fit.exceedances / fit.pairs;
  return fit.xi === 0 ? atU * Math.exp(-z / fit.sigma) : atU * Math.pow(1 + (fit.xi * z) / fit.sigma, -1 / fit.xi);
}

/** The score whose exceedance probability by the fitted tail is `far`. */
export function tailQuantile(fit: TailFit, far: number): number {
  const r = (far * fit.pairs) / fit.exceedances;
  return fit.xi === 0 ? fit.u - fit.sigma * Math.log(r) : fit.u + (fit.sigma / fit.xi) * (Math.pow(r, -fit.xi) - 1);
}

/** Per-comparison FAR that keeps FPIR at `targetFpir` with `comparisons` = G·k chances. */
export function neededFar(targetFpir: number, comparisons: number): number {
  return -Math.expm1(Math.log1p(-targetFpir) / Math.max(1, comparisons));
}

export interface GalleryThreshold {
  threshold: number;
  /** People searched (G) and the templates assumed per person (k). */
  gallerySize: number;
  templatesPerPerson: number;
  targetFpir: number;
  neededFar: number;
  /** 'measured': read off the stored pairs; 'tail-fit': extrapolated by the fitted tail. */
  basis: 'measured' | 'tail-fit';
  /** Impostor pairs behind the estimate: all pairs, and how many lie in the fitted tail. */
  pairs: number;
  tailPairs: number;
  /** Expected false non-identification rate at the threshold (genuine 1:1 pairs below it), if known. */
  expectedFnir: number | null;
}

export interface GalleryThresholdInput {
  tail: ImpostorTail;
  genuine?: GenuineQuantiles | null;
  gallerySize: number;
  templatesPerPerson?: number;
  targetFpir: number;
  /** Never below this (the pack's 1:1 threshold). */
  floor?: number;
}

export function galleryThreshold(o: GalleryThresholdInput): GalleryThreshold {
  if (!(o.targetFpir > 0 && o.targetFpir < 1)) throw new Error(`target FPIR must lie in (0, 1) (got ${o.targetFpir})`);
  const k = o.templatesPerPerson ?? 3;
  const G = Math.max(1, Math.floor(o.gallerySize));
  const far = neededFar(o.targetFpir, G * k);
  const fit = fitTail(o.tail);
  const allowed = far * o.tail.pairs;
  let threshold: number;
  let basis: GalleryThreshold['basis'];
  if (allowed >= MIN_MEASURED_ABOVE && Math.floor(allowed) < o.tail.top.length) {
    // Just above the (allowed+1)-th highest score: `allowed` pairs reach it.
    const i = Math.floor(allowed);
    threshold = (o.tail.top[i - 1] + o.tail.top[i]) / 2;
    basis = 'measured';
  } else {
    threshold = tailQuantile(fit, far);
    basis = 'tail-fit';
  }
  if (o.floor !== undefined && threshold < o.floor) threshold = o.floor;
  threshold = Math.min(threshold, 1);
  return {
    threshold,
    gallerySize: G,
    templatesPerPerson: k,
    targetFpir: o.targetFpir,
    neededFar: far,
    basis,
    pairs: o.tail.pairs,
    tailPairs: fit.exceedances,
    expectedFnir: o.genuine ? genuineBelow(o.genuine, threshold) : null,
  };
}

/** The fraction of genuine pairs scoring below t, interpolated between percentiles. */
export function genuineBelow(g: GenuineQuantiles, t: number): number {
  const q = g.q;
  if (q.length < 2) return NaN;
  if (t <= q[0]) return 0;
  if (t >= q[q.length - 1]) return 1;
  let i = 1;
  while (q[i] < t) i++;
  const span = q[i] - q[i - 1];
  const frac = span > 0 ? (t - q[i - 1]) / span : 0;
  return (i - 1 + frac) / (q.length - 1);
}

/** The stored form of a distribution: the top impostor scores and genuine percentiles (for a manifest). */
export function summariseScores(impostor: readonly number[], genuine: readonly number[], top = 300) {
  const imp = Float64Array.from(impostor).sort().reverse();
  const gen = Float64Array.from(genuine).sort();
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  const q: number[] = [];
  for (let p = 0; p <= 100; p++) {
    const pos = (p / 100) * (gen.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(gen.length - 1, lo + 1);
    q.push(round(gen[lo] + (gen[hi] - gen[lo]) * (pos - lo)));
  }
  return {
    impostorTail: { pairs: imp.length, top: Array.from(imp.subarray(0, Math.min(top, imp.length)), round) },
    genuineQuantiles: { pairs: gen.length, q },
  };
}
