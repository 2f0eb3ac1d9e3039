import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeImage } from '../vision/decode';
import { alignFace } from '../vision/align';
import { facesDir, referenceDir, testdataDir, toolsDir, type Labels } from '../testing/paths';
import {
  identityMetrics,
  loadProductJsonl,
  loadReference,
  mainEmbeddings,
  parity,
  type ParityReport,
  type ProductImage,
  type RefImage,
} from '../testing/parity-metrics';

/**
 * The pipeline against InsightFace's own outputs on every test photo (the tolerances).
 * The analysis itself ran once, through `hadir analyze --json`, in the global setup.
 */
const jsonl = inject('analysisJsonl');
const run = jsonl ? describe : describe.skip;

run('pipeline parity with InsightFace (det_500m + mobilefacenet_y1_arcface, sizes 128 + 640)', () => {
  let ref: Map<string, RefImage>;
  let prod: Map<string, ProductImage>;
  let report: ParityReport;
  const labels = JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
  const summary = JSON.parse(readFileSync(path.join(referenceDir, '..', 'SUMMARY.json'), 'utf8')) as {
    tar_at_far: number;
    rank1: number;
    rank1_probes: number;
  };

  beforeAll(() => {
    ref = loadReference(referenceDir);
    prod = loadProductJsonl(jsonl);
    report = parity(ref, prod);
    const { matches: _m, ...figures } = report;
    console.log('[parity]', JSON.stringify(figures));
  });

  it('answers every image, and decodes every image the reference decoded', () => {
    expect(prod.size).toBe(ref.size);
    const failed = [...ref.entries()].filter(([s, r]) => r.decodable && prod.get(s)?.error).map(([s]) => s);
    expect(failed).toEqual([]);
    for (const [s, r] of ref) {
      const p = prod.get(s)!;
      if (!r.decodable || p.error) continue;
      expect([p.width, p.height], s).toEqual([r.width, r.height]);
    }
  });

  it('matches every large face scoring ≥ 0.6 and ≥ 99% of all large faces at IoU ≥ 0.90', () => {
    expect(report.largeFaces).toBeGreaterThan(900);
    expect(report.largeHiScoreMatched).toBe(1);
    expect(report.largeMatched).toBeGreaterThanOrEqual(0.99);
  });

  it('matches ≥ 95% of small faces at IoU ≥ 0.70 with ≤ 3% extra faces', () => {
    expect(report.smallMatched).toBeGreaterThanOrEqual(0.95);
    expect(report.extraFacesRatio).toBeLessThanOrEqual(0.03);
  });

  it('places the 5 landmarks within max(3% io, 1 px) for ≥ 99%, median ≤ 1% io', () => {
    expect(report.kpsWithinTol).toBeGreaterThanOrEqual(0.99);
    expect(report.kpsMedianRel).toBeLessThanOrEqual(0.01);
  });

  it('gives embeddings with cosine ≥ 0.99 to the reference for ≥ 97%, median ≥ 0.995', () => {
    expect(report.embN).toBeGreaterThan(900);
    expect(report.embCosGe099).toBeGreaterThanOrEqual(0.97);
    expect(report.embCosMedian).toBeGreaterThanOrEqual(0.995);
  });

  it('produces aligned crops within mean |Δ| ≤ 3 of the reference crops for ≥ 95%', async () => {
    const byImage = new Map<string, typeof report.matches>();
    for (const m of report.matches) {
      if (!m.product || !m.ref.aligned) continue;
      byImage.set(m.stem, [...(byImage.get(m.stem) ?? []), m]);
    }
    const diffs: number[] = [];
    for (const [s, ms] of byImage) {
      const r = ref.get(s)!;
      const img = await decodeImage(readFileSync(path.join(facesDir, r.image)));
      for (const m of ms) {
        const crop = alignFace(img, m.product!.landmarks);
        const { data } = await sharp(path.join(referenceDir, m.ref.aligned!))
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        let sum = 0;
        for (let i = 0; i < crop.data.length; i++) sum += Math.abs(crop.data[i] - data[i]);
        diffs.push(sum / crop.data.length);
      }
    }
    expect(diffs.length).toBeGreaterThan(500);
    const within = diffs.filter((d) => d <= 3).length / diffs.length;
    console.log(`[parity] crops: ${diffs.length}, within mean |Δ| ≤ 3: ${(within * 100).toFixed(2)}%`);
    expect(within).toBeGreaterThanOrEqual(0.95);
  });

  it('finds a face on every identity photo, with TAR@FAR1e-3 and rank-1 as good as the reference', () => {
    const id = identityMetrics(mainEmbeddings(prod), labels.identities, 1e-3);
    console.log('[identity]', JSON.stringify(id));
    expect(id.withoutFace).toBe(0);
    expect(id.tarAtFar).toBeGreaterThanOrEqual(summary.tar_at_far - 0.005);
    const refMisses = Math.round(summary.rank1_probes * (1 - summary.rank1));
    expect(id.rank1Misses).toBeLessThanOrEqual(refMisses + 1);
  });

  const python = ['python3'].find((p) => {
    try {
      execFileSync(p, ['-c', 'import numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  const withPython = python && existsSync(path.join(toolsDir, 'parity.py')) ? it : it.skip;
  withPython('passes the shared parity.py --check and identity_metrics.py', () => {
    const out = execFileSync(python!, [
      path.join(toolsDir, 'parity.py'),
      '--ref-dir',
      referenceDir,
      '--jsonl',
      jsonl,
      '--check',
    ]).toString();
    expect(JSON.parse(out).fails).toEqual([]);
    const id = JSON.parse(
      execFileSync(python!, [
        path.join(toolsDir, 'identity_metrics.py'),
        '--jsonl',
        jsonl,
        '--labels',
        path.join(testdataDir, 'labels.json'),
      ]).toString(),
    ) as { tar_at_far: number; without_face: number };
    expect(id.without_face).toBe(0);
    expect(id.tar_at_far).toBeGreaterThanOrEqual(summary.tar_at_far - 0.005);
  });
});
