/** Face-analysis contracts shared by main, CLI, HTTP and renderer. Coordinates are image pixels. */

export type Point = [number, number];
/** [x1, y1, x2, y2] */
export type BBox = [number, number, number, number];

/** Five landmarks in image terms: left eye, right eye, nose, left mouth corner, right mouth corner. */
export type Landmarks5 = [Point, Point, Point, Point, Point];

export interface DetectedFace {
  bbox: BBox;
  score: number;
  landmarks: Landmarks5;
}

/** Whether a face is a live person in front of the camera or a presentation attack (photo, screen). */
export interface LivenessResult {
  /** Probability that the face is real: the mean over the pack's liveness models of softmax[real]. */
  p_real: number;
  decision: 'real' | 'spoof';
}

/**
 * The one place a liveness probability becomes a decision, so the pipeline, the kiosk policy and the
 * legacy anti-spoofing answer can never disagree at the same threshold.
 */
export function livenessDecision(pReal: number, threshold: number): LivenessResult['decision'] {
  // NaN (a broken model output) compares false: it is judged a spoof, never real.
  return pReal >= threshold ? 'real' : 'spoof';
}

export interface AnalyzedFace extends DetectedFace {
  /** L2-normalised embedding (present when recognition ran). */
  embedding?: Float32Array;
  /** Present when liveness was requested and the pack's liveness models are loaded. */
  liveness?: LivenessResult;
}

export interface StageTimings {
  decode: number;
  detect: number;
  align: number;
  embed: number;
  /** Milliseconds spent on liveness for all faces (0 when it did not run). */
  liveness?: number;
  /** Of all the above, milliseconds inside the networks' run() calls (the rest is our own pre/post-processing). */
  inference?: number;
}

export interface ImageAnalysis {
  width: number;
  height: number;
  faces: AnalyzedFace[];
  timings: StageTimings;
  /**
   * Set only when liveness was requested: false means the pack has no usable liveness models, the
   * faces carry no `liveness`, and any policy that needs liveness must refuse (fail closed).
   */
  livenessAvailable?: boolean;
}

/** Area of a box; the main face of an image is the one with the largest area. */
export function boxArea(b: BBox): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/** Index of the face with the largest box, or -1 when there is none. */
export function mainFaceIndex(faces: readonly { bbox: BBox }[]): number {
  let best = -1;
  let bestArea = -1;
  faces.forEach((f, i) => {
    const a = boxArea(f.bbox);
    if (a > bestArea) {
      bestArea = a;
      best = i;
    }
  });
  return best;
}

/** Inter-ocular distance in pixels. */
export function interOcular(l: Landmarks5): number {
  return Math.hypot(l[1][0] - l[0][0], l[1][1] - l[0][1]);
}

/** Cosine similarity of two vectors (not assumed normalised). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const d = Math.sqrt(na) * Math.sqrt(nb);
  return d === 0 ? 0 : dot / d;
}
