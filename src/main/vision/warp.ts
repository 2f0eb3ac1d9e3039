import type { RgbImage } from './image';
import type { Affine } from './similarity';

const INTER_BITS = 5;
const INTER_TAB_SIZE = 1 << INTER_BITS;
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;
const REMAP_COEF_BITS = 15;

/** OpenCV's saturate_cast<int>(double): round half to even. */
function cvRound(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function invertAffine(m: Affine): Affine {
  let d = m[0] * m[4] - m[1] * m[3];
  d = d !== 0 ? 1 / d : 0;
  const a11 = m[4] * d;
  const a22 = m[0] * d;
  const a12 = -m[1] * d;
  const a21 = -m[3] * d;
  const b1 = -a11 * m[2] - a12 * m[5];
  const b2 = -a21 * m[2] - a22 * m[5];
  return [a11, a12, b1, a21, a22, b2];
}

/**
 * `cv2.warpAffine(src, M, (w, h), flags=INTER_LINEAR, borderValue=0)` for 8-bit RGB, bit for bit:
 * the forward matrix is inverted, source positions are sampled on a 1/32-pixel grid in fixed
 * point, and the four neighbours are blended with 15-bit weights; outside pixels are black.
 */
export function warpAffineBilinear(src: RgbImage, forward: Affine, width: number, height: number): RgbImage {
  const m = invertAffine(forward);
  const out = new Uint8Array(width * height * 3);
  const { data, width: sw, height: sh } = src;
  const sstride = sw * 3;
  const adelta = new Int32Array(width);
  const bdelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = cvRound(m[0] * x * AB_SCALE);
    bdelta[x] = cvRound(m[3] * x * AB_SCALE);
  }
  const half = 1 << (REMAP_COEF_BITS - 1);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const x0 = cvRound((m[1] * y + m[2]) * AB_SCALE) + ROUND_DELTA;
    const y0 = cvRound((m[4] * y + m[5]) * AB_SCALE) + ROUND_DELTA;
    for (let x = 0; x < width; x++, o += 3) {
      const X = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
      const Y = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const fx = X & (INTER_TAB_SIZE - 1);
      const fy = Y & (INTER_TAB_SIZE - 1);
      // Exact 15-bit products of the 1-D weights (i/32)·(j/32)·2^15: no rounding correction needed.
      const w00 = (INTER_TAB_SIZE - fy) * (INTER_TAB_SIZE - fx) * 32;
      const w01 = (INTER_TAB_SIZE - fy) * fx * 32;
      const w10 = fy * (INTER_TAB_SIZE - fx) * 32;
      const w11 = fy * fx * 32;
      if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
        const p = sy * sstride + sx * 3;
        for (let k = 0; k < 3; k++) {
          const v =
            data[p + k] * w00 + data[p + 3 + k] * w01 + data[p + sstride + k] * w10 + data[p + sstride + 3 + k] * w11;
          out[o + k] = (v + half) >> REMAP_COEF_BITS;
        }
      } else if (sx >= sw || sx + 1 < 0 || sy >= sh || sy + 1 < 0) {
        // Entirely outside: border value (already zero).
      } else {
        const in0 = sx >= 0 && sx < sw;
        const in1 = sx + 1 >= 0 && sx + 1 < sw;
        const r0 = sy >= 0 && sy < sh;
        const r1 = sy + 1 >= 0 && sy + 1 < sh;
        const p = sy * sstride + sx * 3;
        for (let k = 0; k < 3; k++) {
          const v00 = r0 && in0 ? data[p + k] : 0;
          const v01 = r0 && in1 ? data[p + 3 + k] : 0;
          const v10 = r1 && in0 ? data[p + sstride + k] : 0;
          const v11 = r1 && in1 ? data[p + sstride + 3 + k] : 0;
          const v = v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11;
          const r = (v + half) >> REMAP_COEF_BITS;
          out[o + k] = r > 255 ? 255 : r;
        }
      }
    }
  }
  return { data: out, width, height };
}
