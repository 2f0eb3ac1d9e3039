import type { RgbImage } from './image';
import { resizeBilinearInto } from './resize';

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

/**
 * Build the detector input. `fitW`×`fitH` is the area the image is fitted into; it is the whole
 * `inputW`×`inputH` canvas for dynamic-input models, and may be smaller for a fixed-input model
 * running an extra (smaller) detection size inside its fixed canvas.
 */
export function letterbox(img: RgbImage, inputW: number, inputH: number, fitW = inputW, fitH = inputH): Letterbox {
  const size = letterboxSize(img.width, img.height, fitW, fitH);
  const rw = Math.min(size.width, inputW);
  const rh = Math.min(size.height, inputH);
  const resized = new Uint8Array(rw * rh * 3);
  resizeBilinearInto(img, resized, rw, rh, rw * 3);
  const plane = inputW * inputH;
  const tensor = new Float32Array(3 * plane);
  // Padding is zero pixels, which normalise to −127.5/128, as blobFromImage does on the padded canvas.
  tensor.fill(-127.5 / 128);
  const inv = 1 / 128;
  for (let y = 0; y < rh; y++) {
    let s = y * rw * 3;
    let o = y * inputW;
    for (let x = 0; x < rw; x++, s += 3, o++) {
      tensor[o] = (resized[s] - 127.5) * inv;
      tensor[plane + o] = (resized[s + 1] - 127.5) * inv;
      tensor[2 * plane + o] = (resized[s + 2] - 127.5) * inv;
    }
  }
  return { tensor, scale: size.scale };
}
