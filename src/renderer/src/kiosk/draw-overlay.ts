/** Draws face boxes, the five landmarks and names on the overlay canvas (geometry in overlay-geometry.ts). */
import type { BBox, Landmarks5 } from '../../../shared/face';
import { computeViewport, labelPosition, mapBox, mapLandmarks, PREVIEW_FIT, type Size } from './overlay-geometry';

export type FaceTone = 'neutral' | 'match' | 'unknown' | 'spoof';

export interface DrawableFace {
  bbox: BBox;
  landmarks: Landmarks5;
  label?: string;
  tone: FaceTone;
}

const COLOURS: Record<FaceTone, string> = {
  neutral: '#4fc3f7',
  match: '#43a047',
  unknown: '#ffb300',
  spoof: '#e53935',
};

/**
 * Clears the canvas and draws `faces` (in frame pixels of a `frame`-sized picture) mirrored and
 * letterboxed like the video. `view` is the canvas's CSS size; the canvas itself is `dpr` times larger.
 */
export function drawOverlay(
  ctx: CanvasRenderingContext2D,
  faces: readonly DrawableFace[],
  frame: Size,
  view: Size,
  dpr: number,
): void {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, view.width, view.height);
  const vp = computeViewport(frame, view, PREVIEW_FIT, true);
  if (vp.scale === 0) return;
  const line = Math.max(2, Math.min(view.width, view.height) / 240);
  for (const face of faces) {
    const colour = COLOURS[face.tone];
    const [x1, y1, x2, y2] = mapBox(vp, face.bbox);
    ctx.lineWidth = line;
    ctx.strokeStyle = colour;
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);

    ctx.fillStyle = colour;
    const r = Math.max(2.5, (x2 - x1) / 45);
    for (const [px, py] of mapLandmarks(vp, face.landmarks)) {
      ctx.beginPath();
      ctx.arc(px, py, r, 0, Math.PI * 2);
      ctx.fill();
    }

    if (face.label) {
      const fontSize = Math.round(Math.max(16, Math.min(32, (x2 - x1) / 7)));
      ctx.font = `600 ${fontSize}px system-ui, sans-serif`;
      const pad = fontSize * 0.4;
      const size = { width: ctx.measureText(face.label).width + pad * 2, height: fontSize + pad * 1.4 };
      const [lx, ly] = labelPosition([x1, y1, x2, y2], size, view);
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.roundRect(lx, ly, size.width, size.height, fontSize * 0.3);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.textBaseline = 'middle';
      ctx.fillText(face.label, lx + pad, ly + size.height / 2);
    }
  }
}
