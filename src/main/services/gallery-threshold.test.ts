import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPack } from '../engine/manifest';
import { SettingsRepo } from '../store/settings-repo';
import { isFittingIdentity } from '../testing/identity-split';
import { embedLabelledPhotos } from '../testing/labelled-embeddings';
import { haveSharedData } from '../testing/paths';
import { tempDb } from '../testing/temp-db';
import { empiricalFir, pairScores, seededRandom, type LabelledEmbedding } from './calibrate';
import {
  fitTail,
  galleryThreshold,
  genuineBelow,
  neededFar,
  summariseScores,
  tailFar,
  tailQuantile,
  type ImpostorTail,
} from './gallery-threshold';
import { DEFAULT_TARGET_FPIR, TARGET_FPIR_KEY, manualThresholdKey, matchPolicy } from './thresholds';

/** The top `keep` of `n` scores drawn by `draw`, as a pack stores them. */
function tailOf(n: number, draw: () => number, keep = 300): ImpostorTail {
  const s = Float64Array.from({ length: n }, draw).sort().reverse();
  return { pairs: n, top: Array.from(s.subarray(0, keep)) };
}

describe('impostor tail fit', () => {
  const rand = seededRandom(7);

  it('recovers an exponential tail and extrapolates it beyond the data', () => {
    // P(S > t) = exp(-(t - 0.1) / 0.03) above 0.1, for a fraction 0.2 of 50,000 pairs.
    const n = 50_000;
    const tail = tailOf(n, () => (rand() < 0.2 ? 0.1 - 0.03 * Math.log(1 - rand()) : 0.1 * rand()));
    const fit = fitTail(tail);
    expect(fit.xi).toBeLessThan(0.1);
    expect(fit.sigma).toBeGreaterThan(0.024);
    expect(fit.sigma).toBeLessThan(0.036);
    // At a FAR of 1e-8 (no pair measures it): the true quantile is 0.1 + 0.03·ln(0.2/1e-8).
    const truth = 0.1 + 0.03 * Math.log(0.2 / 1e-8);
    expect(Math.abs(tailQuantile(fit, 1e-8) - truth)).toBeLessThan(0.06);
    expect(tailFar(fit, tailQuantile(fit, 1e-6))).toBeCloseTo(1e-6, 9);
  });

  it('never trusts a bounded tail fitted from a few hundred pairs: ξ < 0 is clamped to 0', () => {
    // Uniform scores have a hard end point (ξ = −1): the fit sees it, the threshold does not rely on it.
    const tail = tailOf(6000, () => 0.3 * rand());
    const fit = fitTail(tail);
    expect(fit.xiFitted).toBeLessThan(-0.5);
    expect(fit.xi).toBe(0);
    // Extrapolated past the sample's maximum rather than stopping at the fitted end point.
    expect(tailQuantile(fit, 1e-8)).toBeGreaterThan(tail.top[0] + 0.01);
  });

  it('reads the threshold off the data where enough pairs measure it, and extrapolates beyond', () => {
    const tail = tailOf(100_000, () => 0.1 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
    const small = galleryThreshold({ tail, gallerySize: 1, templatesPerPerson: 1, targetFpir: 1e-3 });
    expect(small.basis).toBe('measured');
    expect(small.neededFar).toBeCloseTo(1e-3, 12);
    const above = tail.top.filter((s) => s >= small.threshold).length;
    expect(above).toBe(100);
    const big = galleryThreshold({ tail, gallerySize: 10_000, targetFpir: 1e-3 });
    expect(big.basis).toBe('tail-fit');
    expect(big.threshold).toBeGreaterThan(tail.top[0]);
  });

  it('rises with the gallery and with a stricter target, and never goes below the floor', () => {
    const tail = tailOf(20_000, () => 0.09 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
    const at = (g: number, fpir = 1e-3) => galleryThreshold({ tail, gallerySize: g, targetFpir: fpir }).threshold;
    const ts = [1, 16, 100, 1000, 10_000].map((g) => at(g));
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThan(ts[i - 1]);
    expect(at(100, 1e-4)).toBeGreaterThan(at(100, 1e-3));
    expect(galleryThreshold({ tail, gallerySize: 1, targetFpir: 0.05, floor: 0.9 }).threshold).toBe(0.9);
    expect(() => galleryThreshold({ tail, gallerySize: 1, targetFpir: 0 })).toThrow(/target FPIR/);
  });

  it('turns G·k comparisons and a target FPIR into a per-comparison FAR', () => {
    expect(neededFar(1e-3, 30_000) * 30_000).toBeCloseTo(1e-3, 5);
    expect(1 - (1 - neededFar(0.01, 48)) ** 48).toBeCloseTo(0.01, 12);
  });

  it('interpolates the expected FNIR from genuine percentiles', () => {
    const { genuineQuantiles: g } = summariseScores(
      [0],
      Array.from({ length: 1001 }, (_, i) => i / 1000),
    );
    expect(genuineBelow(g, 0.25)).toBeCloseTo(0.25, 3);
    expect(genuineBelow(g, -1)).toBe(0);
    expect(genuineBelow(g, 2)).toBe(1);
  });
});

describe('the threshold in force follows the searched gallery (default pack)', () => {
  const pack = getPack(undefined);
  let t: ReturnType<typeof tempDb>;
  let settings: SettingsRepo;
  beforeAll(() => {
    t = tempDb();
    settings = new SettingsRepo(t.db, () => new Date());
  });
  afterAll(() => t.cleanup());

  it('is the gallery rule by default, recomputed for each G, and a site setting changes its target', () => {
    expect(pack.thresholds?.impostorTail?.top.length).toBeGreaterThanOrEqual(100);
    const one = matchPolicy(settings, pack, 1);
    const many = matchPolicy(settings, pack, 10_000);
    expect(one.thresholdSource).toBe('gallery');
    expect(one.gallery?.targetFpir).toBe(DEFAULT_TARGET_FPIR);
    expect(one.threshold).toBeGreaterThanOrEqual(pack.thresholds!.match);
    expect(many.threshold).toBeGreaterThan(one.threshold + 0.1);
    expect(many.gallery?.gallerySize).toBe(10_000);
    expect(many.gallery?.expectedFnir).toBeGreaterThan(one.gallery!.expectedFnir!);
    settings.set(TARGET_FPIR_KEY, 0.01);
    expect(matchPolicy(settings, pack, 10_000).threshold).toBeLessThan(many.threshold);
    settings.set(manualThresholdKey(pack.id), 0.5);
    expect(matchPolicy(settings, pack, 10_000)).toMatchObject({ threshold: 0.5, thresholdSource: 'manual' });
  });
});

describe.skipIf(!haveSharedData())('FPIR and FNIR against G on the checking split', () => {
  let check: LabelledEmbedding[];
  beforeAll(async () => {
    check = (await embedLabelledPhotos()).filter((s) => !isFittingIdentity(s.label));
  });

  it('names no stranger of the checking split at the thresholds fitted on the fitting split', () => {
    const pack = getPack(undefined);
    const tail = pack.thresholds!.impostorTail!;
    const genuineQ = pack.thresholds!.genuineQuantiles!;
    const { genuine } = pairScores(check);
    const rows = [16, 100, 1000, 10_000].map((G) => {
      const g = galleryThreshold({
        tail,
        genuine: genuineQ,
        gallerySize: G,
        targetFpir: 1e-3,
        floor: pack.thresholds!.match,
      });
      const identities = new Set(check.map((s) => s.label)).size;
      // Measured where the split has more identities than G: random galleries, the rest as strangers.
      const measured = G < identities ? empiricalFir(check, G, 2, [g.threshold], 5)[0] : null;
      return {
        G,
        threshold: Number(g.threshold.toFixed(3)),
        basis: g.basis,
        fnirFitted: Number((g.expectedFnir ?? NaN).toFixed(3)),
        fnirChecking: Number((genuine.filter((s) => s < g.threshold).length / genuine.length).toFixed(3)),
        fpirMeasured: measured ? `${measured.named}/${measured.strangerProbes}` : 'n/a',
      };
    });
    console.log('[fpir] target FPIR 0.1 %, k = 3; FNIR per genuine 1:1 pair\n' + JSON.stringify(rows, null, 1));
    const g16 = rows[0];
    expect(g16.fpirMeasured).toMatch(/^0\//);
    // Every checking impostor pair stays below the G = 16 threshold: the tail fit is not optimistic.
    const { impostor } = pairScores(check);
    expect(Math.max(...impostor)).toBeLessThan(g16.threshold);
    for (let i = 1; i < rows.length; i++) expect(rows[i].threshold).toBeGreaterThan(rows[i - 1].threshold);
  });
});
