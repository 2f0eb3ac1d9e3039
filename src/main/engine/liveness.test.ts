import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainFaceIndex } from '../../shared/face';
import { facesDir, modelsDir, testdataDir, type Labels } from '../testing/paths';
import { DEFAULT_LIVENESS_THRESHOLD, LivenessChecker, softmax } from './liveness';
import { getPack } from './manifest';
import { resolvePack, type ResolvedPack } from './model-files';
import { FacePipeline } from './pipeline';

const labels = JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
const read = (f: string) => new Uint8Array(readFileSync(path.join(facesDir, f)));

describe('softmax', () => {
  it('is stable for large logits and sums to 1', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(p[0]);
    expect(Array.from(softmax([0, 0]))).toEqual([0.5, 0.5]);
  });
});

describe('liveness (MiniFASNetV2 + MiniFASNetV1SE, pack mbf-y1)', () => {
  let resolved: ResolvedPack;
  let pipeline: FacePipeline;
  beforeAll(async () => {
    resolved = await resolvePack(undefined);
    pipeline = await FacePipeline.load(resolved, { provider: 'cpu', intraOpNumThreads: 1 });
  });
  afterAll(() => pipeline?.dispose());

  it('is available with the pack threshold', () => {
    expect(resolved.livenessPaths).toHaveLength(2);
    expect(pipeline.livenessAvailable).toBe(true);
    expect(pipeline.livenessThreshold).toBe(getPack('mbf-y1').livenessThreshold ?? DEFAULT_LIVENESS_THRESHOLD);
    expect(pipeline.warnings).toEqual([]);
  });

  it('judges the three attack samples spoof and the genuine one (stored sideways) real', async () => {
    // Four samples show the wiring works; they cannot measure an error rate.
    const seen: string[] = [];
    for (const [file, { label }] of Object.entries(labels.liveness)) {
      const a = await pipeline.analyzeBytes(read(file), { liveness: true, embed: false });
      expect(a.livenessAvailable, file).toBe(true);
      const face = a.faces[mainFaceIndex(a.faces)];
      expect(face?.liveness, file).toBeDefined();
      seen.push(
        `${file} (${label}, ${a.width}x${a.height}): p_real ${face.liveness!.p_real.toFixed(4)} → ${face.liveness!.decision}`,
      );
      expect(face.liveness!.decision, file).toBe(label);
      expect(a.timings.liveness).toBeGreaterThan(0);
    }
    console.log(`[liveness] threshold ${pipeline.livenessThreshold}\n  ${seen.join('\n  ')}`);
    // The genuine sample is stored 640x480 with EXIF orientation 6: judged upright after rotation.
    const genuine = await pipeline.analyzeBytes(read('f4455149f488.jpeg'), { liveness: true });
    expect([genuine.width, genuine.height]).toEqual([480, 640]);
  });

  it('reports the share of identity photos judged real (web photos, not camera frames)', async () => {
    let judged = 0;
    let real = 0;
    let faces = 0;
    let ms = 0;
    const files = Object.values(labels.identities).flat();
    for (const file of files) {
      let a;
      try {
        a = await pipeline.analyzeBytes(read(file), { liveness: true, embed: false });
      } catch {
        continue; // an undecodable file is the decoder's test, not this one's
      }
      faces += a.faces.length;
      ms += a.timings.liveness ?? 0;
      const i = mainFaceIndex(a.faces);
      if (i < 0) continue;
      const live = a.faces[i].liveness;
      expect(live, file).toBeDefined();
      expect(live!.p_real).toBeGreaterThanOrEqual(0);
      expect(live!.p_real).toBeLessThanOrEqual(1);
      judged++;
      if (live!.decision === 'real') real++;
    }
    console.log(
      `[liveness] identity photos: ${real}/${judged} main faces judged real (${((100 * real) / judged).toFixed(1)}%), ` +
        `${(ms / faces).toFixed(1)} ms of liveness per face over ${faces} faces`,
    );
    expect(judged).toBeGreaterThan(0.9 * files.length);
  }, 300_000);

  it('adds nothing to the analysis unless liveness is asked for', async () => {
    const a = await pipeline.analyzeBytes(read('f4455149f488.jpeg'));
    expect('livenessAvailable' in a).toBe(false);
    expect(a.timings.liveness).toBeUndefined();
    expect(a.faces.every((f) => f.liveness === undefined && f.embedding !== undefined)).toBe(true);
  });

  it('takes the threshold from a setting, and refuses one outside [0, 1]', async () => {
    const lenient = await FacePipeline.load(resolved, {
      provider: 'cpu',
      intraOpNumThreads: 1,
      livenessThreshold: 0.2,
    });
    try {
      const a = await lenient.analyzeBytes(read('4b11b5d7a8a8.jpg'), { liveness: true, embed: false });
      const live = a.faces[mainFaceIndex(a.faces)].liveness!;
      expect(live.p_real).toBeGreaterThan(0.2);
      expect(live.decision).toBe('real');
    } finally {
      await lenient.dispose();
    }
    await expect(FacePipeline.load(resolved, { livenessThreshold: 1.5 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('refuses a model whose input size differs from the pack', async () => {
    const specs = resolved.pack.liveness!.map((s) => ({ ...s, size: 64 }));
    await expect(LivenessChecker.load(resolved.livenessPaths!, specs, 0.5)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
    });
  });
});

describe('liveness models that cannot be loaded', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hadir-badliveness-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('turn liveness off with a warning instead of stopping recognition', async () => {
    const bogus = path.join(dir, 'not-a-model.onnx');
    await writeFile(bogus, 'not an onnx model');
    const pack = getPack('mbf-y1');
    const broken = await FacePipeline.load(
      {
        pack,
        detectorPath: path.join(modelsDir, pack.detector.file),
        recognizerPath: path.join(modelsDir, pack.recognizer.file),
        livenessPaths: [bogus, bogus],
      },
      { provider: 'cpu', intraOpNumThreads: 1 },
    );
    try {
      expect(broken.livenessAvailable).toBe(false);
      expect(broken.warnings.join('\n')).toMatch(/liveness is off/);
      const a = await broken.analyzeBytes(read('f4455149f488.jpeg'), { liveness: true });
      expect(a.livenessAvailable).toBe(false);
      expect(a.faces.length).toBeGreaterThan(0);
      expect(a.faces.every((f) => f.liveness === undefined && f.embedding !== undefined)).toBe(true);
    } finally {
      await broken.dispose();
    }
  });
});
