import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPack } from '../engine/manifest';
import { openDb } from '../store/db';
import { Gallery } from '../store/gallery';
import { PeopleRepo } from '../store/people-repo';
import { SettingsRepo } from '../store/settings-repo';
import { TemplatesRepo } from '../store/templates-repo';
import { embedLabelledPhotos } from '../testing/labelled-embeddings';
import { haveSharedData, testdataDir } from '../testing/paths';
import { randomUnitVectors } from '../testing/synthetic-faces';
import { tempDb } from '../testing/temp-db';
import {
  calibrate,
  calibrateDistributions,
  Distribution,
  normalQuantile,
  ScoreHistogram,
  seededRandom,
  type LabelledEmbedding,
} from './calibrate';
import { matchPolicy, thresholdsKey } from './thresholds';
import { runHadir } from '../testing/run-cli';

describe('calibration maths', () => {
  it('inverts the normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 4);
    expect(normalQuantile(1 - 1e-3)).toBeCloseTo(3.090232, 4);
    expect(normalQuantile(1e-7)).toBeCloseTo(-5.199338, 4);
  });

  it('finds the threshold of a FAR, and says when too few impostors support it', () => {
    const scores = Array.from({ length: 10_000 }, (_, i) => i / 10_000); // uniform on [0, 1)
    const d = Distribution.fromScores(scores);
    const r = d.thresholdForFar(0.01);
    expect(r.above).toBe(100);
    expect(r.threshold).toBeCloseTo(0.99, 3);
    expect(r.supported).toBe(true);
    expect(d.thresholdForFar(0.0005)).toMatchObject({ above: 5, supported: false });
    // A histogram of the same scores agrees to within one bin.
    const h = new ScoreHistogram();
    for (const s of scores) h.add(s);
    const hd = Distribution.fromHistogram(h);
    expect(hd.thresholdForFar(0.01).threshold).toBeCloseTo(0.99, 2);
    expect(hd.summary.mean).toBeCloseTo(d.summary.mean, 6);
    expect(hd.summary.sd).toBeCloseTo(d.summary.sd, 6);
  });

  it('turns a FAR into a gallery FIR, and a target FIR into a threshold from the normal tail', () => {
    const rand = seededRandom(3);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const impostor = Distribution.fromScores(Array.from({ length: 50_000 }, () => 0.1 * gauss()));
    const cal = calibrateDistributions(impostor, null, { gallerySize: 1000, templatesPerPerson: 3, targetFir: 0.01 });
    const f = cal.fir!;
    expect(f.comparisons).toBe(3000);
    expect(f.neededFar).toBeCloseTo(3.35e-6, 7);
    expect(f.basis).toBe('normal-tail');
    expect(f.threshold).toBeCloseTo(0.1 * normalQuantile(1 - f.neededFar), 1);
    // FIR(G) = 1 − (1 − FAR)^(G·k) at each operating point.
    for (const [i, p] of cal.operatingPoints.entries()) {
      expect(f.firAtOperatingPoints[i].fir).toBeCloseTo(1 - (1 - p.far) ** 3000, 6);
    }
  });
});

describe.skipIf(!haveSharedData())('calibration on labels.json', () => {
  let samples: LabelledEmbedding[] = [];
  beforeAll(async () => {
    samples = await embedLabelledPhotos();
  });

  it('gives sane distributions, supported operating points and gallery FIR', () => {
    const cal = calibrate(samples, { gallerySize: 20, templatesPerPerson: 3, targetFir: 0.01 });
    expect(cal.identities).toBe(42);
    expect(cal.genuine!.count).toBeGreaterThan(1000);
    expect(cal.genuine!.mean).toBeGreaterThan(0.55);
    expect(Math.abs(cal.impostor.mean)).toBeLessThan(0.02);
    expect(cal.impostor.sd).toBeGreaterThan(0.06);
    expect(cal.impostor.sd).toBeLessThan(0.12);
    // Only FARs the data supports: 25,735 impostor pairs reach 1e-3, not 1e-4.
    expect(cal.operatingPoints.map((p) => p.targetFar)).toEqual([0.1, 0.01, 0.001]);
    for (const p of cal.operatingPoints) expect(p.impostorsAbove).toBeGreaterThanOrEqual(10);
    const at1e3 = cal.operatingPoints[2];
    // The pack's manifest threshold was calibrated on the same photos (InsightFace's embeddings).
    expect(at1e3.threshold).toBeCloseTo(getPack('mbf-y1').thresholds!.match, 2);
    expect(at1e3.tar).toBeGreaterThan(0.9);
    // Stricter thresholds, lower TAR.
    const ts = cal.operatingPoints.map((p) => p.threshold);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    const fir = cal.fir!;
    expect(fir.threshold).toBeGreaterThan(at1e3.threshold);
    expect(fir.tar).toBeGreaterThan(0.85);
    // Measured over random galleries of 20 identities: the model is not optimistic.
    const measured = cal.empiricalFir.find((e) => e.threshold === fir.threshold)!;
    expect(measured.strangerProbes).toBeGreaterThan(1000);
    expect(measured.rate).toBeLessThanOrEqual(2 * fir.targetFir);
    const modelAt1e3 = fir.firAtOperatingPoints[2].fir;
    const measuredAt1e3 = cal.empiricalFir.find((e) => e.threshold === at1e3.threshold)!.rate;
    expect(measuredAt1e3).toBeLessThanOrEqual(modelAt1e3 * 1.2);
    // A bigger gallery needs a higher threshold for the same FIR.
    const big = calibrate(samples, { gallerySize: 10_000 }).fir!;
    expect(big.threshold).toBeGreaterThan(fir.threshold + 0.05);
  });

  it('estimates the impostor distribution from an enrolled gallery alone', () => {
    const t = tempDb('hadir-cal-gallery-');
    try {
      const people = new PeopleRepo(t.db);
      const templates = new TemplatesRepo(t.db);
      const byLabel = new Map<string, LabelledEmbedding[]>();
      for (const s of samples) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s]);
      for (const [label, list] of byLabel) {
        const p = people.create({ employeeNumber: label, fullName: label });
        for (const s of list.slice(0, 3))
          templates.insert({ personId: p.id, packId: 'mbf-y1', embedding: s.embedding, source: 'import' });
      }
      const gallery = Gallery.load(t.db, templates, 'mbf-y1', 128);
      const h = new ScoreHistogram();
      gallery.pairScores(10_000, { impostor: (s) => h.add(s) });
      const fromGallery = calibrateDistributions(Distribution.fromHistogram(h), null, {
        gallerySize: gallery.peopleCount,
      });
      const labelled = calibrate(samples);
      expect(fromGallery.impostor.mean).toBeCloseTo(labelled.impostor.mean, 1);
      expect(Math.abs(fromGallery.impostor.sd - labelled.impostor.sd)).toBeLessThan(0.02);
      expect(fromGallery.fir!.gallerySize).toBe(42);
      expect(fromGallery.fir!.threshold).toBeGreaterThan(0.25);
      expect(fromGallery.fir!.threshold).toBeLessThan(0.45);
    } finally {
      t.cleanup();
    }
  });
});

describe.skipIf(!haveSharedData())('hadir calibrate', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-cal-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const hadir = (...args: string[]) => runHadir(args, { HADIR_DATA_DIR: dataDir });

  it('calibrates labels.json, stores the threshold for the gallery size, and identify then uses it', async () => {
    const r = await hadir(
      'calibrate',
      path.join(testdataDir, 'labels.json'),
      '--gallery-size',
      '20',
      '--store',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.pack).toBe('mbf-y1');
    expect(out.operatingPoints.length).toBeGreaterThanOrEqual(3);
    expect(out.stored.match).toBeCloseTo(Math.max(out.fir.threshold, out.operatingPoints[2].threshold), 4);
    const db = openDb({ file: path.join(dataDir, 'hadir.db') });
    try {
      const settings = new SettingsRepo(db);
      expect(settings.get<{ match: number }>(thresholdsKey('mbf-y1'))!.match).toBe(out.stored.match);
      expect(matchPolicy(settings, getPack('mbf-y1'))).toMatchObject({
        threshold: out.stored.match,
        thresholdSource: 'settings',
      });
    } finally {
      db.close();
    }
    // Without labelled data and without a gallery, there is nothing to calibrate on.
    const empty = await hadir('calibrate', '--gallery');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/at least 2/);
    expect((await hadir('calibrate')).code).toBe(2);
  });
});

describe('synthetic vectors', () => {
  it('are unit length and nearly orthogonal', () => {
    const [a, b] = randomUnitVectors(2, 128, 5);
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
    let dot = 0;
    for (let i = 0; i < 128; i++) dot += a[i] * b[i];
    expect(Math.abs(dot)).toBeLessThan(0.35);
  });
});
