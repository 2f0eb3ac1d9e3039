/**
 * Where a face found in a camera frame is drawn on the kiosk's overlay canvas.
 *
 * The preview is the `<video>` with `object-fit: contain` (the whole frame visible, letterboxed, so a
 * person at the edge of the picture can see they are at the edge) and mirrored with
 * `transform: scaleX(-1)` (people expect a mirror). The overlay canvas covers the same box but is NOT
 * mirrored by CSS, so names read the right way round: the mirror is applied here, to coordinates.
 * Frames are sent unmirrored, so every coordinate from the server is in raw frame pixels.
 */
import type { BBox, Landmarks5, Point } from '../../../shared/face';

/** How the frame is fitted into the view: must match the video's CSS `object-fit`. */
export type Fit = 'contain' | 'cover';

/** The fit used by the kiosk and enrollment previews (see `.camera-video` in styles.css). */
export const PREVIEW_FIT: Fit = 'contain';

export interface Size {
  width: number;
  height: number;
}

/** The mapping from frame pixels to view pixels. */
export interface Viewport {
  scale: number;
  /** Where the frame's left/top edge lands in the view (negative for `cover`, which crops). */
  offsetX: number;
  offsetY: number;
  frameWidth: number;
  frameHeight: number;
  mirrored: boolean;
}

export function computeViewport(frame: Size, view: Size, fit: Fit, mirrored: boolean): Viewport {
  if (frame.width <= 0 || frame.height <= 0 || view.width <= 0 || view.height <= 0) {
    return { scale: 0, offsetX: 0, offsetY: 0, frameWidth: frame.width, frameHeight: frame.height, mirrored };
  }
  const sx = view.width / frame.width;
  const sy = view.height / frame.height;
  const scale = fit === 'contain' ? Math.min(sx, sy) : Math.max(sx, sy);
  return {
    scale,
    offsetX: (view.width - frame.width * scale) / 2,
    offsetY: (view.height - frame.height * scale) / 2,
    frameWidth: frame.width,
    frameHeight: frame.height,
    mirrored,
  };
}

export function mapPoint(vp: Viewport, [x, y]: Point): Point {
  const fx = vp.mirrored ? vp.frameWidth - x : x;
  return [vp.offsetX + fx * vp.scale, vp.offsetY + y * vp.scale];
}

/** A box in view pixels, still [left, top, right, bottom] after mirroring (which swaps the x edges). */
export function mapBox(vp: Viewport, [x1, y1, x2, y2]: BBox): BBox {
  const [ax, ay] = mapPoint(vp, [x1, y1]);
  const [bx, by] = mapPoint(vp, [x2, y2]);
  return [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)];
}

export function mapLandmarks(vp: Viewport, landmarks: Landmarks5): Landmarks5 {
  return landmarks.map((p) => mapPoint(vp, p)) as Landmarks5;
}

/**
 * Top-left corner of a label of `size` for a face box: centred under the box, or above it when there
 * is no room below, and kept inside the view.
 */
export function labelPosition(box: BBox, size: Size, view: Size, gap = 6): Point {
  const centre = (box[0] + box[2]) / 2;
  const x = clamp(centre - size.width / 2, 0, Math.max(0, view.width - size.width));
  const below = box[3] + gap;
  const y = below + size.height <= view.height ? below : Math.max(0, box[1] - gap - size.height);
  return [x, y];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
