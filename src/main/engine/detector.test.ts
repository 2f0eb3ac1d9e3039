import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { mainFaceIndex } from '../../shared/face';
import { facesDir } from '../testing/paths';
import { decodeImage } from '../vision/decode';
import type { RgbImage } from '../vision/image';
import { alignFace } from '../vision/align';
import { getPack } from './manifest';
import { resolvePack } from './model-files';
import { ScrfdDetector } from './detector';
import { Recognizer } from './recognizer';
import { createSession } from './session';

/** The generic SCRFD reader and the recognizer's batching, across the model variants in shared/models. */
const photos = ['0c5e25d359f6.jpg', '1282f6c6ddd4.jpg', '0930e3aa8cae.jpg', '09a0e07d6fb3.jpg'];
const images: RgbImage[] = [];
beforeAll(async () => {
  for (const f of photos) images.push(await decodeImage(readFileSync(path.join(facesDir, f))));
});

async function detector(packId: string, detSizes: number[]) {
  const r = await resolvePack(packId);
  const { session } = await createSession(r.detectorPath, { provider: 'cpu', intraOpNumThreads: 2 });
  return new ScrfdDetector(session, { ...r.pack.detector, detSizes });
}

describe('kiosk detection profile', () => {
  it('stops at the smallest size when it finds a kiosk-sized face, and falls back to every size otherwise', async () => {
    const det = await detector('mbf-y1', [128, 640]);
    // The genuine webcam sample, cropped to a 640×480 frame: one large face.
    const { data, info } = await sharp(readFileSync(path.join(facesDir, 'f4455149f488.jpeg')))
      .rotate()
      .resize(640, 480, { fit: 'cover' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const frame: RgbImage = { data: new Uint8Array(data), width: info.width, height: info.height };
    const full = await det.detect(frame);
    expect(det.lastPassCount).toBe(2);
    const kiosk = await det.detect(frame, 'kiosk');
    expect(det.lastPassCount).toBe(1);
    expect(kiosk).toHaveLength(1);
    const main = full[mainFaceIndex(full)];
    for (let k = 0; k < 4; k++) expect(Math.abs(kiosk[0].bbox[k] - main.bbox[k])).toBeLessThan(2);
    // A crowd: small faces only, so the kiosk profile runs every size and finds what `full` finds.
    const crowd = images[1];
    const all = await det.detect(crowd);
    expect(await det.detect(crowd, 'kiosk')).toEqual(all);
    expect(det.lastPassCount).toBe(2);
  });
});

describe('ScrfdDetector variants', () => {
  it('reads the fixed 640×640 export with batched, named outputs exactly like det_500m', async () => {
    const dynamic = await detector('mbf-y1', [640]);
    const fixed = await detector('scrfd-fixed-mbf-y1', [640]);
    expect(fixed.fixedSize).toEqual([640, 640]);
    expect(dynamic.fixedSize).toBeNull();
    for (const img of images) {
      const a = await dynamic.detect(img);
      const b = await fixed.detect(img);
      expect(b.length).toBe(a.length);
      a.forEach((f, i) => {
        for (let k = 0; k < 4; k++) expect(Math.abs(b[i].bbox[k] - f.bbox[k])).toBeLessThan(0.05);
        expect(Math.abs(b[i].score - f.score)).toBeLessThan(1e-4);
      });
    }
  });

  it('runs a smaller detection size inside the fixed canvas, and skips larger ones with a warning', async () => {
    const fixed = await detector('scrfd-fixed-mbf-y1', [128, 640, 800]);
    expect(fixed.warnings.join()).toMatch(/800.*skipped/);
    const tight = images[0];
    const faces = await fixed.detect(tight);
    expect(faces.length).toBeGreaterThanOrEqual(1);
  });

  it('merges the 128 and 640 passes so faces that fill the frame are found', async () => {
    const only640 = await detector('mbf-y1', [640]);
    const both = await detector('mbf-y1', [128, 640]);
    // Tight 150×150 crops that a single 640 pass misses (MODELS.md "Tight crops").
    const tightCrops = ['0283a79b2b66.jpg', '0746dd380003.jpg', '0c309a24a661.jpg', '0c8063fcb3f8.jpg'];
    let missedBy640 = 0;
    for (const f of tightCrops) {
      const img = await decodeImage(readFileSync(path.join(facesDir, f)));
      if ((await only640.detect(img)).length === 0) missedBy640++;
      expect((await both.detect(img)).length, f).toBeGreaterThanOrEqual(1);
    }
    expect(missedBy640).toBeGreaterThan(0);
  });

  it('decodes the larger det_2.5g detector', async () => {
    const d = await detector('det2.5g-mbf-y1', [128, 640]);
    const faces = await d.detect(images[0]);
    expect(faces.length).toBe(1);
    expect(faces[0].landmarks[0][0]).toBeLessThan(faces[0].landmarks[1][0]);
  });
});

describe('Recognizer batching and preprocessing', () => {
  it('runs all faces of an image in one batch on a dynamic-batch model, equal to one run per face', async () => {
    const r = await resolvePack('mbf-paddlex');
    const { session } = await createSession(r.recognizerPath, { provider: 'cpu', intraOpNumThreads: 2 });
    const rec = new Recognizer(session, getPack('mbf-paddlex').recognizer);
    expect(rec.dynamicBatch).toBe(true);
    const det = await detector('mbf-paddlex', [128, 640]);
    const crowd = images[1];
    const faces = (await det.detect(crowd)).slice(0, 12);
    const crops = faces.map((f) => alignFace(crowd, f.landmarks));
    const batched = await rec.embed(crops);
    for (let i = 0; i < crops.length; i++) {
      const [single] = await rec.embed([crops[i]]);
      let dot = 0;
      for (let k = 0; k < single.length; k++) dot += single[k] * batched[i][k];
      expect(dot).toBeGreaterThan(0.99999);
    }
  });

  it('uses a fixed batch of 1 one face at a time, and honours per-channel normalisation', async () => {
    for (const id of ['mbf-y1', 'mbf-foamliu']) {
      const r = await resolvePack(id);
      const { session } = await createSession(r.recognizerPath, { provider: 'cpu', intraOpNumThreads: 2 });
      const rec = new Recognizer(session, getPack(id).recognizer);
      expect(rec.dynamicBatch).toBe(false);
      const det = await detector(id, [128, 640]);
      const a = (await det.detect(images[0]))[0];
      const same = await decodeImage(readFileSync(path.join(facesDir, '22e82d129abd.jpg')));
      const b = (await det.detect(same))[0];
      const other = (await det.detect(images[2]))[0];
      const [ea, eb, eo] = await rec.embed([
        alignFace(images[0], a.landmarks),
        alignFace(same, b.landmarks),
        alignFace(images[2], other.landmarks),
      ]);
      const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, k) => s + v * y[k], 0);
      expect(dot(ea, eb), id).toBeGreaterThan(0.4);
      expect(dot(ea, eo), id).toBeLessThan(0.3);
    }
  });
});
