import type { BBox } from '../../shared/face';
import { type RgbImage, createRgbImage } from './image';
import { resizeBilinear } from './resize';

/**
 * The input crop of minivision's Silent-Face-Anti-Spoofing MiniFASNet models, reproduced step by
 * step (`Detection.get_bbox` and `CropImage._get_new_box`/`crop` in its `src/`). The models were
 * trained on exactly these patches: a face box widened by a context scale (2.7 or 4.0, the number in
 * the file name), kept inside the image, cut out and resized to 80×80 with OpenCV's INTER_LINEAR.
 * Any other crop (square, padded, different rounding) shifts the scores, so nothing here is "improved".
 */

/** Silent-Face's (x, y, w, h) face box, in whole pixels. */
export type XywhBox = [number, number, number, number];

/** Inclusive pixel bounds of the crop: rows y1..y2 and columns x1..x2. */
export interface CropBounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface LivenessCropSpec {
  /** Context scale around the face box (2.7 for MiniFASNetV2, 4.0 for MiniFASNetV1SE). */
  scale: number;
  /** Network input side (80). */
  size: number;
  /** Channel order the network was trained on (BGR: Silent-Face reads images with cv2.imread). */
  channelOrder: 'RGB' | 'BGR';
}

/**
 * A detector box [x1, y1, x2, y2] as Silent-Face's `get_bbox` hands it on:
 * `[int(left), int(top), int(right - left + 1), int(bottom - top + 1)]`. Python's int() truncates
 * toward zero, hence Math.trunc rather than floor. Width and height are kept at least 1 so a
 * degenerate box cannot divide by zero below (Silent-Face would raise there).
 */
export function silentFaceBox(bbox: BBox): XywhBox {
  const [left, top, right, bottom] = bbox;
  return [
    Math.trunc(left),
    Math.trunc(top),
    Math.max(1, Math.trunc(right - left + 1)),
    Math.max(1, Math.trunc(bottom - top + 1)),
  ];
}

/**
 * `CropImage._get_new_box`: cap the scale so the widened box fits the image, widen the box about its
 * centre, shift it back inside [0, W−1]×[0, H−1], and truncate the corners to ints.
 */
export function liveCropBounds(srcWidth: number, srcHeight: number, box: XywhBox, scale: number): CropBounds {
  const [x, y, boxW, boxH] = box;
  const s = Math.min((srcHeight - 1) / boxH, Math.min((srcWidth - 1) / boxW, scale));
  const newW = boxW * s;
  const newH = boxH * s;
  const cx = boxW / 2 + x;
  const cy = boxH / 2 + y;
  let ltx = cx - newW / 2;
  let lty = cy - newH / 2;
  let rbx = cx + newW / 2;
  let rby = cy + newH / 2;
  if (ltx < 0) {
    rbx -= ltx;
    ltx = 0;
  }
  if (lty < 0) {
    rby -= lty;
    lty = 0;
  }
  if (rbx > srcWidth - 1) {
    ltx -= rbx - srcWidth + 1;
    rbx = srcWidth - 1;
  }
  if (rby > srcHeight - 1) {
    lty -= rby - srcHeight + 1;
    rby = srcHeight - 1;
  }
  // The scale cap keeps the box inside the image, so these clamps only absorb floating-point dust
  // (a corner at -1e-13 truncates to 0 in Python too); they never move a real coordinate.
  const clamp = (v: number, hi: number) => Math.min(Math.max(Math.trunc(v), 0), hi);
  return {
    x1: clamp(ltx, srcWidth - 1),
    y1: clamp(lty, srcHeight - 1),
    x2: clamp(rbx, srcWidth - 1),
    y2: clamp(rby, srcHeight - 1),
  };
}

/** `org_img[y1:y2+1, x1:x2+1]` as its own image (Silent-Face's slice includes both bounds). */
export function cropImage(img: RgbImage, b: CropBounds): RgbImage {
  const w = b.x2 - b.x1 + 1;
  const h = b.y2 - b.y1 + 1;
  const out = createRgbImage(w, h);
  const rowBytes = w * 3;
  for (let r = 0; r < h; r++) {
    const from = ((b.y1 + r) * img.width + b.x1) * 3;
    out.data.set(img.data.subarray(from, from + rowBytes), r * rowBytes);
  }
  return out;
}

/**
 * Like {@link cropImage}, but copies only the rows a bilinear resize to `dstHeight` rows can read
 * (each output row reads two neighbouring source rows; one more on each side absorbs rounding). With
 * a context scale of 4 the crop is often most of the image: a 20-megapixel photo took 35 ms to copy
 * whole, for 160 rows used. The other rows stay zero and are never read, so the resize's output is
 * identical (the tests compare both); a fresh large buffer is zero pages that are never touched.
 */
export function cropRowsForResize(img: RgbImage, b: CropBounds, dstHeight: number): RgbImage {
  const w = b.x2 - b.x1 + 1;
  const h = b.y2 - b.y1 + 1;
  if (h <= 4 * dstHeight) return cropImage(img, b);
  const out = createRgbImage(w, h);
  const rowBytes = w * 3;
  const scale = h / dstHeight;
  let next = 0;
  for (let d = 0; d < dstHeight; d++) {
    const s = Math.floor((d + 0.5) * scale - 0.5);
    for (let r = Math.max(next, s - 1); r <= Math.min(h - 1, s + 2); r++) {
      const from = ((b.y1 + r) * img.width + b.x1) * 3;
      out.data.set(img.data.subarray(from, from + rowBytes), r * rowBytes);
      next = r + 1;
    }
  }
  return out;
}

/** The size×size patch a MiniFASNet model sees for a face, still as 8-bit RGB. */
export function livenessPatch(img: RgbImage, bbox: BBox, spec: Pick<LivenessCropSpec, 'scale' | 'size'>): RgbImage {
  const bounds = liveCropBounds(img.width, img.height, silentFaceBox(bbox), spec.scale);
  // cv2.resize(img, (80, 80)) with its default INTER_LINEAR; resizeBilinear is bit-exact to it.
  return resizeBilinear(cropRowsForResize(img, bounds, spec.size), spec.size, spec.size);
}

/**
 * Write a patch as the network's input: NCHW float32, raw 0–255 values (Silent-Face's ToTensor
 * deliberately skips the division by 255), planes in the model's channel order.
 */
export function patchToTensor(
  patch: RgbImage,
  channelOrder: 'RGB' | 'BGR',
  out: Float32Array = new Float32Array(3 * patch.width * patch.height),
  offset = 0,
): Float32Array {
  const plane = patch.width * patch.height;
  // Destination plane of each RGB source channel.
  const order = channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const data = patch.data;
  for (let c = 0; c < 3; c++) {
    const base = offset + order[c] * plane;
    for (let i = 0, s = c; i < plane; i++, s += 3) out[base + i] = data[s];
  }
  return out;
}

/** Crop, resize and lay out one face for one liveness model. */
export function livenessInput(img: RgbImage, bbox: BBox, spec: LivenessCropSpec): Float32Array {
  return patchToTensor(livenessPatch(img, bbox, spec), spec.channelOrder);
}
