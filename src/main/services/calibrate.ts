import { cosineSimilarity } from '../../shared/face';

/**
 * Threshold calibration from score distributions.
 *
 * - Genuine pairs: two samples of one identity; impostor pairs: samples of two different identities.
 * - For each false-accept rate (FAR, per comparison) the impostor data can support — at least
 *   {@link MIN_IMPOSTORS_ABOVE} impostor pairs at or above the threshold, so the rate is measured,
 *   not guessed — the threshold and the true-accept rate (TAR) there.
 * - A kiosk compares a stranger with everyone enrolled. With G people of k templates each that is
 *   G·k chances to be wrongly named, so the false-identification rate is
 *   FIR(G) ≈ 1 − (1 − FAR(t))^(G·k) (treating the comparisons as independent; templates of one person
 *   are correlated, which makes this an upper bound). The threshold for a target FIR needs a FAR far
 *   below what a labelled set can measure at a large G, so it comes from a normal fit to the impostor
 *   distribution, shifted up wherever the measured tail is heavier than the fit (never optimistic).
 * - Where the labelled set has more identities than G, FIR is also measured directly: random
 *   galleries of G identities, every other identity's samples as strangers.
 * - Without labelled data, the impostor distribution comes from the enrolled gallery itself: scores
 *   between different people's templates (see {@link Distribution.fromHistogram}).
 */

export const MIN_IMPOSTORS_ABOVE = 10;

export interface LabelledEmbedding {
  label: string;
  embedding: Float32Array;
}

export interface ScoreSummary {
  count: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
  /** Scores at these fractions from the bottom: 1%, 5%, 50%, 95%, 99%. */
  p1: number;
  p5: number;
  p50: number;
  p95: number;
  p99: number;
}

/** A score distribution that can say how many scores lie at or above a threshold. */
export class Distribution {
  private constructor(
    /** Sorted descending (exact), or bin upper edges with counts (histogram). */
    private readonly values: Float64Array,
    private readonly counts: Float64Array | null,
    readonly summary: ScoreSummary,
  ) {}

  static fromScores(scores: ArrayLike<number>): Distribution {
    const v = Float64Array.from(scores).sort().reverse();
    const n = v.length;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      sum += v[i];
      sq += v[i] * v[i];
    }
    const mean = n ? sum / n : NaN;
    const at = (fracFromBottom: number) =>
      n ? v[Math.min(n - 1, Math.max(0, Math.round((1 - fracFromBottom) * (n - 1))))] : NaN;
    return new Distribution(v, null, {
      count: n,
      mean,
      sd: n > 1 ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN,
      min: n ? v[n - 1] : NaN,
      max: n ? v[0] : NaN,
      p1: at(0.01),
      p5: at(0.05),
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
    });
  }

  static fromHistogram(h: ScoreHistogram): Distribution {
    const edges: number[] = [];
    const counts: number[] = [];
    for (let b = h.bins.length - 1; b >= 0; b--) {
      if (h.bins[b] === 0) continue;
      edges.push(h.binLow(b));
      counts.push(h.bins[b]);
    }
    const n = h.count;
    const mean = n ? h.sum / n : NaN;
    const d = new Distribution(Float64Array.from(edges), Float64Array.from(counts), {
      count: n,
      mean,
      sd: n > 1 ? Math.sqrt(Math.max(0, h.sumSq / n - mean * mean)) : NaN,
      min: h.min,
      max: h.max,
      p1: NaN,
      p5: NaN,
      p50: NaN,
      p95: NaN,
      p99: NaN,
    });
    const s = d.summary;
    s.p1 = d.quantileFromTop(0.99);
    s.p5 = d.quantileFromTop(0.95);
    s.p50 = d.quantileFromTop(0.5);
    s.p95 = d.quantileFromTop(0.05);
    s.p99 = d.quantileFromTop(0.01);
    return d;
  }

  get count(): number {
    return this.summary.count;
  }

  /** How many scores are ≥ t. */
  countAtOrAbove(t: number): number {
    if (!this.counts) {
      // Binary search in the descending array for the first value < t.
      let lo = 0;
      let hi = this.values.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.values[mid] >= t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    let c = 0;
    for (let i = 0; i < this.values.length && this.values[i] >= t; i++) c += this.counts[i];
    return c;
  }

  /** The lowest score s such that at most `fraction` of scores are ≥ s (a threshold for that FAR). */
  private quantileFromTop(fraction: number): number {
    const allowed = Math.floor(fraction * this.count);
    if (!this.counts) {
      if (this.values.length === 0) return NaN;
      if (allowed >= this.values.length) return this.values[this.values.length - 1];
      // Just above the (allowed+1)-th highest score: exactly `allowed` scores reach it (ties aside).
      return allowed === 0 ? this.values[0] + 1e-6 : (this.values[allowed - 1] + this.values[allowed]) / 2;
    }
    let c = 0;
    for (let i = 0; i < this.values.length; i++) {
      if (c + this.counts[i] > allowed) return i === 0 ? this.values[0] + HISTOGRAM_BIN : this.values[i - 1];
      c += this.counts[i];
    }
    return this.values[this.values.length - 1];
  }

  /** The threshold for a FAR, and how many scores reach it; `supported` when enough do to measure it. */
  thresholdForFar(far: number): { threshold: number; above: number; supported: boolean } {
    const threshold = this.quantileFromTop(far);
    const above = this.countAtOrAbove(threshold);
    return { threshold, above, supported: above >= MIN_IMPOSTORS_ABOVE };
  }
}

/** Bins of 0.0005 over [-1, 1]: fine enough for thresholds quoted to three decimals. */
const HISTOGRAM_BIN = 0.0005;

/** A fixed-width histogram of cosine scores, for distributions too large to keep (a gallery's impostor pairs). */
export class ScoreHistogram {
  readonly bins = new Float64Array(Math.round(2 / HISTOGRAM_BIN) + 1);
  count = 0;
  sum = 0;
  sumSq = 0;
  min = Infinity;
  max = -Infinity;

  add(score: number): void {
    if (!(score === score)) return;
    const s = Math.max(-1, Math.min(1, score));
    this.bins[Math.floor((s + 1) / HISTOGRAM_BIN)]++;
    this.count++;
    this.sum += s;
    this.sumSq += s * s;
    if (s < this.min) this.min = s;
    if (s > this.max) this.max = s;
  }

  binLow(b: number): number {
    return b * HISTOGRAM_BIN - 1;
  }
}

/**
 * Inverse of the standard normal CDF: Acklam's rational approximation without its refinement step,
 * good to about 2e-5 in z (1e-6 in a cosine threshold at sd 0.09), far inside what the data can tell.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549671010115819, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

export interface OperatingPoint {
  /** Measured per-comparison false-accept rate at the threshold. */
  far: number;
  /** The FAR asked for (10^-k). */
  targetFar: number;
  threshold: number;
  /** True-accept rate at the threshold (null without genuine pairs). */
  tar: number | null;
  impostorsAbove: number;
}

export interface GalleryFir {
  /** People in the gallery, templates per person, and so comparisons per stranger. */
  gallerySize: number;
  templatesPerPerson: number;
  comparisons: number;
  targetFir: number;
  /** Per-comparison FAR the target needs: 1 − (1 − FIR)^(1/comparisons). */
  neededFar: number;
  /** Threshold for the target FIR, and how it was found. */
  threshold: number;
  basis: 'measured' | 'normal-tail';
  /** Added to the normal fit where the measured tail was heavier (0 when it was not). */
  tailCorrection: number;
  tar: number | null;
  /** FIR(G) the model predicts at each operating point's threshold. */
  firAtOperatingPoints: { threshold: number; fir: number }[];
}

export interface EmpiricalFir {
  gallerySize: number;
  threshold: number;
  trials: number;
  strangerProbes: number;
  named: number;
  rate: number;
}

export interface Calibration {
  identities: number;
  samples: number;
  genuine: ScoreSummary | null;
  impostor: ScoreSummary;
  operatingPoints: OperatingPoint[];
  fir: GalleryFir | null;
  empiricalFir: EmpiricalFir[];
}

export interface CalibrateOptions {
  /** People enrolled at the site (G); FIR is reported when given. */
  gallerySize?: number;
  /** Templates per enrolled person (k, default 3: the enrollment default). */
  templatesPerPerson?: number;
  /** The false-identification rate to choose a threshold for (default 1%). */
  targetFir?: number;
  /** FARs to report, when supported (default 10^-1 … 10^-7). */
  fars?: number[];
  /** Seed of the random galleries of the empirical FIR. */
  seed?: number;
}

export const DEFAULT_FARS = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7];

/** Genuine and impostor scores of every pair of a labelled set. */
export function pairScores(samples: readonly LabelledEmbedding[]): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const s = cosineSimilarity(samples[i].embedding, samples[j].embedding);
      (samples[i].label === samples[j].label ? genuine : impostor).push(s);
    }
  }
  return { genuine, impostor };
}

/** Calibrate from labelled embeddings (one per photo). */
export function calibrate(samples: readonly LabelledEmbedding[], opts: CalibrateOptions = {}): Calibration {
  const { genuine, impostor } = pairScores(samples);
  const identities = new Set(samples.map((s) => s.label)).size;
  const cal = calibrateDistributions(
    Distribution.fromScores(impostor),
    genuine.length ? Distribution.fromScores(genuine) : null,
    opts,
  );
  cal.identities = identities;
  cal.samples = samples.length;
  if (opts.gallerySize && identities > opts.gallerySize) {
    const thresholds = [
      ...new Set([...(cal.fir ? [cal.fir.threshold] : []), ...cal.operatingPoints.map((p) => p.threshold)]),
    ];
    cal.empiricalFir = empiricalFir(
      samples,
      opts.gallerySize,
      opts.templatesPerPerson ?? 3,
      thresholds,
      opts.seed ?? 1,
    );
  }
  return cal;
}

/** Operating points and gallery FIR from an impostor distribution (and a genuine one when known). */
export function calibrateDistributions(
  impostor: Distribution,
  genuine: Distribution | null,
  opts: CalibrateOptions = {},
): Calibration {
  const tarAt = (t: number) => (genuine && genuine.count ? genuine.countAtOrAbove(t) / genuine.count : null);
  const operatingPoints: OperatingPoint[] = [];
  for (const targetFar of opts.fars ?? DEFAULT_FARS) {
    const r = impostor.thresholdForFar(targetFar);
    if (!r.supported) continue;
    operatingPoints.push({
      targetFar,
      far: r.above / impostor.count,
      threshold: r.threshold,
      tar: tarAt(r.threshold),
      impostorsAbove: r.above,
    });
  }
  let fir: GalleryFir | null = null;
  if (opts.gallerySize && opts.gallerySize > 0) {
    const k = opts.templatesPerPerson ?? 3;
    const comparisons = opts.gallerySize * k;
    const targetFir = opts.targetFir ?? 0.01;
    const neededFar = -Math.expm1(Math.log1p(-targetFir) / comparisons);
    const measured = impostor.thresholdForFar(neededFar);
    const { mean, sd } = impostor.summary;
    // How much heavier the measured tail is than the normal fit, at the rarest FAR measured.
    const rarest = operatingPoints.at(-1);
    const tailCorrection = rarest ? Math.max(0, rarest.threshold - (mean + sd * normalQuantile(1 - rarest.far))) : 0;
    const threshold = measured.supported
      ? measured.threshold
      : mean + sd * normalQuantile(1 - neededFar) + tailCorrection;
    const firAt = (t: number) => {
      const far = impostor.countAtOrAbove(t) / impostor.count;
      return -Math.expm1(comparisons * Math.log1p(-far));
    };
    fir = {
      gallerySize: opts.gallerySize,
      templatesPerPerson: k,
      comparisons,
      targetFir,
      neededFar,
      threshold,
      basis: measured.supported ? 'measured' : 'normal-tail',
      tailCorrection,
      tar: tarAt(threshold),
      firAtOperatingPoints: operatingPoints.map((p) => ({ threshold: p.threshold, fir: firAt(p.threshold) })),
    };
  }
  return {
    identities: 0,
    samples: 0,
    genuine: genuine?.summary ?? null,
    impostor: impostor.summary,
    operatingPoints,
    fir,
    empiricalFir: [],
  };
}

/** A small deterministic PRNG (mulberry32), so reported figures repeat run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FIR measured directly: random galleries of G identities (up to k samples each as templates), every
 * sample of the identities left out as a stranger; a stranger is named when their best person score
 * reaches the threshold.
 */
export function empiricalFir(
  samples: readonly LabelledEmbedding[],
  gallerySize: number,
  templatesPerPerson: number,
  thresholds: readonly number[],
  seed = 1,
  trials = 20,
): EmpiricalFir[] {
  const byLabel = new Map<string, LabelledEmbedding[]>();
  for (const s of samples) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s]);
  const labels = [...byLabel.keys()];
  if (labels.length <= gallerySize) return [];
  const rand = seededRandom(seed);
  const named = thresholds.map(() => 0);
  let probes = 0;
  for (let t = 0; t < trials; t++) {
    const order = labels.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const gallery = order.slice(0, gallerySize).map((l) => byLabel.get(l)!.slice(0, templatesPerPerson));
    for (const l of order.slice(gallerySize)) {
      for (const s of byLabel.get(l)!) {
        probes++;
        let best = -Infinity;
        for (const person of gallery)
          for (const g of person) best = Math.max(best, cosineSimilarity(s.embedding, g.embedding));
        thresholds.forEach((th, i) => {
          if (best >= th) named[i]++;
        });
      }
    }
  }
  return thresholds.map((threshold, i) => ({
    gallerySize,
    threshold,
    trials,
    strangerProbes: probes,
    named: named[i],
    rate: probes ? named[i] / probes : 0,
  }));
}
