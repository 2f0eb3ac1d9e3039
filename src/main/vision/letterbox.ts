import type { RgbImage } from './image';
import { resizeBilinearToPlanes } from './resize';

export interface Letterbox {
  /** NCHW float32, RGB, (x − 127.5) / 128, the resized image at the top-left, zeros elsewhere. */
  tensor: Float32Array;
  /** Multiply network coordinates by 1/scale to get image coordinates. */
  scale: number;
}

/**
 * The size InsightFace's SCRFD resizes an image to for a `fitW`×`fitH` input: the aspect ratio is
 * kept, the longer side (relative to the input's ratio) fills it, and sizes are truncated.
 */
export function letterboxSize(
  width: number,
  height: number,
  fitW: number,
  fitH: number,
): { width: number; height: number; scale: number } {
  const imRatio = height / width;
  const modelRatio = fitH / fitW;
  let w: number;
  let h: number;
  if (imRatio > modelRatio) {
    h = fitH;
    w = Math.trunc(h / imRatio);
  } else {
    w = fitW;
    h = Math.trunc(w * imRatio);
  }
  w = Math.max(1, w);
  h = Math.max(1, h);
  return { width: w, height: h, scale: h / height };
}

/** (v − 127.5) / 128 for every 8-bit value: the detector's normalisation as a table. */
const NORMALISE = Float32Array.from({ length: 256 }, (_, v) => (v - 127.5) * (1 / 128));

/**
 * Build the detector input. `fitW`×`fitH` is the area the image is fitted into; it is the whole
 * `inputW`×`inputH` canvas for dynamic-input models, and may be smaller for a fixed-input model
 * running an extra (smaller) detection size inside its fixed canvas.
 */
export function letterbox(
  img: RgbImage,
  inputW: number,
  inputH: number,
  fitW = inputW,
  fitH = inputH,
  /** A canvas of 3·inputW·inputH floats to write into (every value is written), instead of a new one. */
  into?: Float32Array,
): Letterbox {
  const size = letterboxSize(img.width, img.height, fitW, fitH);
  const rw = Math.min(size.width, inputW);
  const rh = Math.min(size.height, inputH);
  const plane = inputW * inputH;
  if (into && into.length !== 3 * plane) throw new RangeError('letterbox canvas has the wrong size');
  const tensor = into ?? new Float32Array(3 * plane);
  // Padding is zero pixels, which normalise to −127.5/128, as blobFromImage does on the padded canvas;
  // only the padding is filled, the resize writes the rest.
  const pad = NORMALISE[0];
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    if (rw < inputW) for (let y = 0; y < rh; y++) tensor.fill(pad, base + y * inputW + rw, base + (y + 1) * inputW);
    tensor.fill(pad, base + rh * inputW, base + plane);
  }
  resizeBilinearToPlanes(img, tensor, rw, rh, inputW, plane, NORMALISE);
  return { tensor, scale: size.scale };
}
