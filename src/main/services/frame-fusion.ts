import { createHash } from 'node:crypto';
import type { BBox } from '../../shared/face';

/**
 * Deciding on more than one frame, and only on frames that are really new.
 *
 * - **Fusion.** The main face's embeddings over consecutive frames of one tracked face are averaged
 *   (normalised, summed, normalised again) and the mean is what is identified. Noise of single frames
 *   (blur, a blink, an odd angle) averages out while the person stays the same, so a genuine person
 *   passes the gallery-size threshold more often than frame by frame (see bench/fusion.bench.ts), and a
 *   stranger's mean is no more likely to cross it than one frame. The window follows one face: a box
 *   that jumps elsewhere (another person stepped in) starts a new one.
 * - **Replay.** A frame whose decoded pixels are identical to one of the last few (a still image pushed
 *   through the API or a virtual camera, a replayed request) is not evidence of anything: it counts
 *   toward no rule. A live camera never delivers the same pixels twice (sensor noise).
 */

/** Frames averaged at most. */
export const FUSION_FRAMES = 5;
/** Recent frame digests remembered for the replay rule. */
export const REPLAY_MEMORY = 16;
/** A main-face box overlapping the window's last one by less than this starts a new window. */
const SAME_FACE_IOU = 0.3;

export class FaceFusion {
  private window: Float32Array[] = [];
  private lastBox: BBox | null = null;

  /** Add this frame's main face; the fused (mean, unit-length) embedding of the window it belongs to. */
  add(embedding: Float32Array, box: BBox): Float32Array {
    if (this.lastBox === null || iou(this.lastBox, box) < SAME_FACE_IOU) this.window = [];
    this.lastBox = box;
    this.window.push(unit(embedding));
    if (this.window.length > FUSION_FRAMES) this.window.shift();
    return fuseEmbeddings(this.window);
  }

  get frames(): number {
    return this.window.length;
  }

  reset(): void {
    this.window = [];
    this.lastBox = null;
  }
}

/** The mean direction of unit vectors (unit length); the one vector itself for one. */
export function fuseEmbeddings(vs: readonly Float32Array[]): Float32Array {
  if (vs.length === 0) throw new Error('nothing to fuse');
  if (vs.length === 1) return vs[0];
  const out = new Float32Array(vs[0].length);
  for (const v of vs) for (let i = 0; i < v.length; i++) out[i] += v[i];
  return unit(out);
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (!(n > 0)) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

function iou(a: BBox, b: BBox): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Remembers the digests of the last frames' decoded pixels. */
export class ReplayGuard {
  private readonly recent: string[] = [];

  /** True when these exact pixels were seen among the last {@link REPLAY_MEMORY} frames. */
  seen(pixels: Uint8Array): boolean {
    const digest = createHash('sha1').update(pixels).digest('base64');
    if (this.recent.includes(digest)) return true;
    this.recent.push(digest);
    if (this.recent.length > REPLAY_MEMORY) this.recent.shift();
    return false;
  }
}
