import { describe, expect, it } from 'vitest';
import type { DetectedFace } from '../../shared/face';
import { createRgbImage, type RgbImage } from './image';
import { checkQuality, DEFAULT_QUALITY_LIMITS, measureFaceQuality } from './quality';

/** A deterministic generator (a 32-bit LCG): the pictures are the same every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

/** A 200×200 picture of grey noise (sharp texture) at a given mean level. */
function noise(level: number, amplitude: number, seed = 1): RgbImage {
  const img = createRgbImage(200, 200);
  const rand = lcg(seed);
  for (let i = 0; i < 200 * 200; i++) {
    const v = Math.max(0, Math.min(255, Math.round(level + (rand() - 0.5) * 2 * amplitude)));
    img.data[3 * i] = img.data[3 * i + 1] = img.data[3 * i + 2] = v;
  }
  return img;
}

/** A 5×5 box blur, a few times over. */
function blurred(img: RgbImage, passes: number): RgbImage {
  let src = img;
  for (let p = 0; p < passes; p++) {
    const out = createRgbImage(src.width, src.height);
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          let n = 0;
          for (let dy = -2; dy <= 2; dy++) {
            for (let dx = -2; dx <= 2; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy < 0 || xx < 0 || yy >= src.height || xx >= src.width) continue;
              s += src.data[(yy * src.width + xx) * 3 + c];
              n++;
            }
          }
          out.data[(y * src.width + x) * 3 + c] = Math.round(s / n);
        }
      }
    }
    src = out;
  }
  return src;
}

/** Landmarks of an upright frontal face with the given eye distance, centred in the picture. */
function face(iod: number, rollDeg = 0): DetectedFace {
  const s = iod / 35.24; // the ArcFace template's eye distance
  const r = (rollDeg * Math.PI) / 180;
  const template: [number, number][] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
  ];
  const pts = template.map(([x, y]) => {
    const dx = (x - 56) * s;
    const dy = (y - 72) * s;
    return [100 + dx * Math.cos(r) - dy * Math.sin(r), 100 + dx * Math.sin(r) + dy * Math.cos(r)] as [number, number];
  });
  return { bbox: [50, 40, 150, 170], score: 0.9, landmarks: pts as DetectedFace['landmarks'] };
}

describe('face quality', () => {
  it('measures eye distance, pose, brightness and sharpness of the aligned crop', () => {
    const q = measureFaceQuality(noise(128, 60), face(60));
    expect(q.interOcular).toBeCloseTo(60, 1);
    expect(Math.abs(q.yaw!)).toBeLessThan(1);
    expect(Math.abs(q.roll!)).toBeLessThan(0.5);
    expect(q.brightness).toBeGreaterThan(110);
    expect(q.brightness).toBeLessThan(146);
    expect(q.darkClipped + q.brightClipped).toBeLessThan(0.01);
    expect(q.detScore).toBe(0.9);
    expect(checkQuality(q)).toEqual([]);
    expect(measureFaceQuality(noise(128, 60), face(60, 30)).roll).toBeCloseTo(30, 0);
  });

  it('reads blur as a falling Laplacian variance', () => {
    const sharp = noise(128, 60);
    const b1 = measureFaceQuality(blurred(sharp, 1), face(60)).blur;
    const b3 = measureFaceQuality(blurred(sharp, 3), face(60)).blur;
    expect(measureFaceQuality(sharp, face(60)).blur).toBeGreaterThan(10 * b1);
    expect(b1).toBeGreaterThan(b3);
    expect(checkQuality(measureFaceQuality(blurred(sharp, 3), face(60))).map((f) => f.check)).toContain('blur');
  });

  it('flags dark, bright and clipped faces, and small ones, with value and limit', () => {
    const dark = checkQuality(measureFaceQuality(noise(6, 6), face(60)));
    expect(dark.map((f) => f.check)).toEqual(expect.arrayContaining(['too_dark', 'clipped']));
    const bright = checkQuality(measureFaceQuality(noise(245, 8), face(60)));
    expect(bright.map((f) => f.check)).toEqual(expect.arrayContaining(['too_bright', 'clipped']));
    const small = checkQuality(measureFaceQuality(noise(128, 60), face(30)));
    expect(small[0]).toMatchObject({ check: 'inter_ocular', value: 30, limit: DEFAULT_QUALITY_LIMITS.minInterOcular });
  });
});
