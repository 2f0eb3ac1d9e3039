import { describe, expect, it } from 'vitest';
import type { Point } from '../../shared/face';
import { ARCFACE_TEMPLATE_112, applyAffine, estimateSimilarityTransform } from './similarity';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('estimateSimilarityTransform (Umeyama)', () => {
  it('recovers random rotations, scales and translations to 1e-5', () => {
    const r = rng(42);
    for (let t = 0; t < 200; t++) {
      const angle = (r() * 2 - 1) * Math.PI;
      const scale = 0.05 + r() * 20;
      const tx = (r() * 2 - 1) * 1000;
      const ty = (r() * 2 - 1) * 1000;
      const src: Point[] = Array.from({ length: 5 }, () => [r() * 500, r() * 500] as Point);
      const dst = src.map(([x, y]) => [
        scale * (Math.cos(angle) * x - Math.sin(angle) * y) + tx,
        scale * (Math.sin(angle) * x + Math.cos(angle) * y) + ty,
      ]) as Point[];
      const m = estimateSimilarityTransform(src, dst);
      expect(m[0]).toBeCloseTo(scale * Math.cos(angle), 5);
      expect(m[1]).toBeCloseTo(-scale * Math.sin(angle), 5);
      expect(m[3]).toBeCloseTo(scale * Math.sin(angle), 5);
      expect(m[4]).toBeCloseTo(scale * Math.cos(angle), 5);
      expect(Math.abs(m[2] - tx)).toBeLessThan(1e-5 * Math.max(1, Math.abs(tx)));
      expect(Math.abs(m[5] - ty)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ty)));
      for (let i = 0; i < 5; i++) {
        const p = applyAffine(m, src[i]);
        expect(Math.hypot(p[0] - dst[i][0], p[1] - dst[i][1])).toBeLessThan(1e-5 * Math.max(1, scale * 500));
      }
    }
  });

  it('is the least-squares fit for noisy points (matches the closed-form optimum found by search)', () => {
    const src: Point[] = [
      [30, 50],
      [70, 48],
      [52, 72],
      [35, 90],
      [68, 93],
    ];
    const m = estimateSimilarityTransform(src, ARCFACE_TEMPLATE_112);
    const cost = (a: number, b: number, tx: number, ty: number) =>
      src.reduce((s, [x, y], i) => {
        const [u, v] = ARCFACE_TEMPLATE_112[i];
        return s + (a * x - b * y + tx - u) ** 2 + (b * x + a * y + ty - v) ** 2;
      }, 0);
    const best = cost(m[0], m[3], m[2], m[5]);
    for (const d of [1e-3, -1e-3]) {
      expect(cost(m[0] + d, m[3], m[2], m[5])).toBeGreaterThan(best);
      expect(cost(m[0], m[3] + d, m[2], m[5])).toBeGreaterThan(best);
      expect(cost(m[0], m[3], m[2] + d, m[5])).toBeGreaterThan(best);
      expect(cost(m[0], m[3], m[2], m[5] + d)).toBeGreaterThan(best);
    }
  });

  it('refuses collinear, coincident and non-finite landmarks instead of returning NaN', () => {
    const line: Point[] = [0, 1, 2, 3, 4].map((i) => [10 + i * 5, 20 + i * 5] as Point);
    expect(() => estimateSimilarityTransform(line, ARCFACE_TEMPLATE_112)).toThrow(
      expect.objectContaining({ code: 'DEGENERATE_LANDMARKS' }),
    );
    const same: Point[] = Array.from({ length: 5 }, () => [7, 7] as Point);
    expect(() => estimateSimilarityTransform(same, ARCFACE_TEMPLATE_112)).toThrow(
      expect.objectContaining({ code: 'DEGENERATE_LANDMARKS' }),
    );
    const nan: Point[] = [...ARCFACE_TEMPLATE_112.slice(0, 4), [NaN, 1]] as Point[];
    expect(() => estimateSimilarityTransform(nan, ARCFACE_TEMPLATE_112)).toThrow(
      expect.objectContaining({ code: 'DEGENERATE_LANDMARKS' }),
    );
    expect(() => estimateSimilarityTransform([[1, 2]], [[3, 4]])).toThrow(
      expect.objectContaining({ code: 'DEGENERATE_LANDMARKS' }),
    );
  });
});
