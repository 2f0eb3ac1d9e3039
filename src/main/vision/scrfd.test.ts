import { describe, expect, it } from 'vitest';
import { type Candidate, decodeScrfd, nms } from './scrfd';

describe('decodeScrfd', () => {
  it('decodes anchors at (x·s, y·s) with 2 anchors per cell, distances in stride units, divided by scale', () => {
    // 32×32 input, stride 8: 4×4 cells × 2 anchors = 32 rows.
    const scores = new Float32Array(32);
    const boxes = new Float32Array(32 * 4);
    const kps = new Float32Array(32 * 10);
    const row = (2 * 4 + 3) * 2 + 1; // cell (x=3, y=2), second anchor
    scores[row] = 0.9;
    boxes.set([1, 2, 3, 4], row * 4);
    kps.set([0.5, 0.5, 1, 1, 0, 0, -1, 1, 1, -1], row * 10);
    const out = decodeScrfd([{ stride: 8, scores, boxes, kps }], 32, 32, 0.5, 0.5);
    expect(out).toHaveLength(1);
    const cx = 3 * 8;
    const cy = 2 * 8;
    expect(out[0].bbox).toEqual([(cx - 8) / 0.5, (cy - 16) / 0.5, (cx + 24) / 0.5, (cy + 32) / 0.5]);
    expect(out[0].kps?.slice(0, 4)).toEqual([(cx + 4) / 0.5, (cy + 4) / 0.5, (cx + 8) / 0.5, (cy + 8) / 0.5]);
    expect(out[0].score).toBeCloseTo(0.9, 6);
  });

  it('keeps scores at the threshold and drops those below; models without keypoints give none', () => {
    const scores = new Float32Array([0.5, 0.4999, 0.7, 0]);
    const boxes = new Float32Array(16);
    const out = decodeScrfd([{ stride: 32, scores, boxes }], 64, 32, 1, 0.5);
    expect(out.map((c) => c.score)).toEqual([0.5, Math.fround(0.7)]);
    expect(out.every((c) => c.kps === null)).toBe(true);
  });
});

describe('nms', () => {
  const c = (score: number, bbox: [number, number, number, number]): Candidate => ({ score, bbox, kps: null });

  it('suppresses overlaps above the IoU threshold with the +1 pixel area convention, in score order', () => {
    const a = c(0.9, [0, 0, 9, 9]); // area 100 with +1
    const b = c(0.8, [0, 0, 9, 4]); // inside a: IoU = 50/100 = 0.5 > 0.4 → suppressed
    const d = c(0.95, [100, 100, 120, 120]);
    const e = c(0.7, [5, 0, 14, 9]); // IoU with a = 50/150 = 0.33 → kept
    const kept = nms([a, b, d, e], 0.4);
    expect(kept).toEqual([d, a, e]);
  });

  it('returns nothing for nothing', () => {
    expect(nms([], 0.4)).toEqual([]);
  });
});
