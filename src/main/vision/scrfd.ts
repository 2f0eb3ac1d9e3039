import type { BBox, DetectedFace, Landmarks5, Point } from '../../shared/face';

/** One feature level of an SCRFD model's outputs. */
export interface ScrfdLevel {
  stride: number;
  scores: Float32Array;
  boxes: Float32Array;
  /** Absent for models exported without keypoints. */
  kps?: Float32Array;
}

export interface Candidate {
  bbox: BBox;
  score: number;
  kps: number[] | null;
}

/**
 * Decode one forward pass into candidate faces in image coordinates (divided by `scale`).
 * Anchor centres are (x·s, y·s) with no half-pixel offset; distances are in stride units.
 * The anchor count per cell is derived from the output length so every export decodes alike.
 */
export function decodeScrfd(
  levels: readonly ScrfdLevel[],
  inputW: number,
  inputH: number,
  scale: number,
  threshold: number,
): Candidate[] {
  const out: Candidate[] = [];
  for (const { stride, scores, boxes, kps } of levels) {
    const gw = Math.ceil(inputW / stride);
    const gh = Math.ceil(inputH / stride);
    const cells = gw * gh;
    const anchors = Math.max(1, Math.round(scores.length / cells));
    const n = Math.min(scores.length, cells * anchors);
    const f32 = Math.fround;
    for (let i = 0; i < n; i++) {
      const score = scores[i];
      if (!(score >= threshold)) continue;
      const cell = Math.floor(i / anchors);
      const cx = (cell % gw) * stride;
      const cy = Math.floor(cell / gw) * stride;
      // float32 arithmetic as numpy does, so boxes agree with InsightFace to the last bit.
      const b = i * 4;
      const bbox: BBox = [
        f32(f32(cx - f32(boxes[b] * stride)) / scale),
        f32(f32(cy - f32(boxes[b + 1] * stride)) / scale),
        f32(f32(cx + f32(boxes[b + 2] * stride)) / scale),
        f32(f32(cy + f32(boxes[b + 3] * stride)) / scale),
      ];
      let points: number[] | null = null;
      if (kps) {
        points = new Array<number>(10);
        const k = i * 10;
        for (let j = 0; j < 10; j += 2) {
          points[j] = f32(f32(cx + f32(kps[k + j] * stride)) / scale);
          points[j + 1] = f32(f32(cy + f32(kps[k + j + 1] * stride)) / scale);
        }
      }
      out.push({ bbox, score, kps: points });
    }
  }
  return out;
}

/**
 * Greedy NMS exactly as InsightFace's SCRFD does it: descending score, areas with the +1 pixel
 * convention, suppress when IoU > threshold. Returns kept candidates in keep order.
 */
export function nms(cands: readonly Candidate[], iouThreshold: number): Candidate[] {
  const order = cands.map((_, i) => i).sort((a, b) => cands[b].score - cands[a].score);
  const area = cands.map((c) => (c.bbox[2] - c.bbox[0] + 1) * (c.bbox[3] - c.bbox[1] + 1));
  const suppressed = new Uint8Array(cands.length);
  const keep: Candidate[] = [];
  for (let oi = 0; oi < order.length; oi++) {
    const i = order[oi];
    if (suppressed[i]) continue;
    keep.push(cands[i]);
    const a = cands[i].bbox;
    for (let oj = oi + 1; oj < order.length; oj++) {
      const j = order[oj];
      if (suppressed[j]) continue;
      const b = cands[j].bbox;
      const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1);
      const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1);
      const inter = w * h;
      const iou = inter / (area[i] + area[j] - inter);
      if (iou > iouThreshold) suppressed[j] = 1;
    }
  }
  return keep;
}

/** Candidate → public face. Models without keypoints get none (alignment then refuses). */
export function toDetectedFace(c: Candidate): DetectedFace {
  const k = c.kps ?? [];
  const p = (i: number): Point => [k[2 * i] ?? NaN, k[2 * i + 1] ?? NaN];
  const landmarks: Landmarks5 = [p(0), p(1), p(2), p(3), p(4)];
  return { bbox: [...c.bbox] as BBox, score: c.score, landmarks };
}
