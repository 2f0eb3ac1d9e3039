import { type RgbImage, createRgbImage } from './image';

/**
 * Bilinear resize with OpenCV's `INTER_LINEAR` semantics for 8-bit images, bit for bit:
 * half-pixel centres, edge clamping, 11-bit fixed-point weights and OpenCV's rounding.
 * InsightFace resizes with `cv2.resize`; libvips' reducers average areas instead, which moves
 * landmarks and embeddings measurably, so the detector input must be built with this.
 */
const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

interface AxisTable {
  /** Source index of the left/top neighbour. */
  index: Int32Array;
  /** Weight of the left/top neighbour; the other gets COEF_SCALE minus it (OpenCV rounds each separately). */
  w0: Int32Array;
  w1: Int32Array;
}

/** Round half to even, as OpenCV's saturate_cast<short>(float) does through lrint. */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function axisTable(srcLen: number, dstLen: number, clampWeights: boolean): AxisTable {
  // cv::resize derives the scale as 1 / (dst / src); the last bit matters for bit-exactness.
  const scale = 1 / (dstLen / srcLen);
  const index = new Int32Array(dstLen);
  const w0 = new Int32Array(dstLen);
  const w1 = new Int32Array(dstLen);
  for (let d = 0; d < dstLen; d++) {
    // OpenCV computes the position in double, then stores it in a float.
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    // OpenCV zeroes the weight at the edges horizontally only; vertically it keeps the weights
    // and clamps the row indices, which rounds differently in the first and last rows.
    if (clampWeights && s < 0) {
      f = 0;
      s = 0;
    }
    if (clampWeights && s >= srcLen - 1) {
      f = 0;
      s = srcLen - 1;
    }
    index[d] = s;
    w0[d] = roundEven(Math.fround(1 - f) * COEF_SCALE);
    w1[d] = roundEven(f * COEF_SCALE);
  }
  return { index, w0, w1 };
}

export function resizeBilinear(src: RgbImage, dstWidth: number, dstHeight: number): RgbImage {
  const dst = createRgbImage(dstWidth, dstHeight);
  resizeBilinearInto(src, dst.data, dstWidth, dstHeight, dstWidth * 3);
  return dst;
}

/**
 * Resize into a caller-owned buffer whose rows are `dstStride` bytes apart, so a letterbox can be
 * written straight into its padded canvas without an intermediate copy.
 */
export function resizeBilinearInto(
  src: RgbImage,
  out: Uint8Array,
  dstWidth: number,
  dstHeight: number,
  dstStride: number,
): void {
  const { width: sw, height: sh, data } = src;
  if (dstWidth <= 0 || dstHeight <= 0) throw new RangeError('resize target must be positive');
  if (dstWidth === sw && dstHeight === sh) {
    // Same size: OpenCV's weights are (1, 0) everywhere, so the result is the source itself.
    for (let y = 0; y < sh; y++) out.set(data.subarray(y * sw * 3, (y + 1) * sw * 3), y * dstStride);
    return;
  }
  const rowLen = dstWidth * 3;
  forEachRow(src, dstWidth, dstHeight, (dy, rowA, rowB, b0, b1) => {
    let o = dy * dstStride;
    for (let i = 0; i < rowLen; i++, o++) out[o] = verticalLinear(rowA[i], rowB[i], b0, b1);
  });
}

/**
 * The same resize written as float planes (NCHW, RGB) through a 256-entry table — `normalise[v]` for
 * the pixel value v — into the top-left `dstWidth`×`dstHeight` of a `planeWidth`-wide canvas: the
 * detector's input in one pass, without an 8-bit image in between.
 */
export function resizeBilinearToPlanes(
  src: RgbImage,
  out: Float32Array,
  dstWidth: number,
  dstHeight: number,
  planeWidth: number,
  planeSize: number,
  normalise: Float32Array,
): void {
  const { width: sw, height: sh, data } = src;
  if (dstWidth <= 0 || dstHeight <= 0) throw new RangeError('resize target must be positive');
  if (dstWidth === sw && dstHeight === sh) {
    for (let y = 0; y < sh; y++) {
      let s = y * sw * 3;
      for (let x = 0, o = y * planeWidth; x < sw; x++, o++, s += 3) {
        out[o] = normalise[data[s]];
        out[planeSize + o] = normalise[data[s + 1]];
        out[2 * planeSize + o] = normalise[data[s + 2]];
      }
    }
    return;
  }
  forEachRow(src, dstWidth, dstHeight, (dy, rowA, rowB, b0, b1) => {
    for (let x = 0, i = 0, o = dy * planeWidth; x < dstWidth; x++, i += 3, o++) {
      out[o] = normalise[verticalLinear(rowA[i], rowB[i], b0, b1)];
      out[planeSize + o] = normalise[verticalLinear(rowA[i + 1], rowB[i + 1], b0, b1)];
      out[2 * planeSize + o] = normalise[verticalLinear(rowA[i + 2], rowB[i + 2], b0, b1)];
    }
  });
}

/** OpenCV's VResizeLinear for uchar: pre-shift by 4, multiply, shift 16, then round by 2 bits. */
function verticalLinear(a: number, b: number, b0: number, b1: number): number {
  const v = (((b0 * (a >> 4)) >> 16) + ((b1 * (b >> 4)) >> 16) + 2) >> 2;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Each output row of the resize as its two horizontally resized source rows and their vertical
 * weights; consecutive output rows share source rows, so those are computed once.
 */
function forEachRow(
  src: RgbImage,
  dstWidth: number,
  dstHeight: number,
  row: (dy: number, rowA: Int32Array, rowB: Int32Array, b0: number, b1: number) => void,
): void {
  const { width: sw, height: sh, data } = src;
  const xt = axisTable(sw, dstWidth, true);
  const yt = axisTable(sh, dstHeight, false);
  const rowLen = dstWidth * 3;
  let rowA = new Int32Array(rowLen);
  let rowB = new Int32Array(rowLen);
  let rowAIndex = -1;
  let rowBIndex = -1;
  // Byte offsets of the two neighbours of each output column; where the second has weight 0 (the
  // clamped edges) it points at the first, so that the loop needs no branch and never reads past a row.
  const off0 = new Int32Array(dstWidth);
  const off1 = new Int32Array(dstWidth);
  for (let dx = 0; dx < dstWidth; dx++) {
    off0[dx] = xt.index[dx] * 3;
    off1[dx] = xt.w1[dx] === 0 ? off0[dx] : off0[dx] + 3;
  }
  const { w0, w1 } = xt;
  const hresize = (sy: number, out: Int32Array): void => {
    const base = sy * sw * 3;
    for (let dx = 0, o = 0; dx < dstWidth; dx++, o += 3) {
      const s0 = base + off0[dx];
      const s1 = base + off1[dx];
      const a0 = w0[dx];
      const a1 = w1[dx];
      out[o] = data[s0] * a0 + data[s1] * a1;
      out[o + 1] = data[s0 + 1] * a0 + data[s1 + 1] * a1;
      out[o + 2] = data[s0 + 2] * a0 + data[s1 + 2] * a1;
    }
  };
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy0 = Math.min(Math.max(yt.index[dy], 0), sh - 1);
    const sy1 = Math.min(Math.max(yt.index[dy] + 1, 0), sh - 1);
    if (rowAIndex !== sy0) {
      if (rowBIndex === sy0) {
        const t = rowA;
        rowA = rowB;
        rowB = t;
        rowAIndex = sy0;
        rowBIndex = -1;
      } else {
        hresize(sy0, rowA);
        rowAIndex = sy0;
      }
    }
    if (rowBIndex !== sy1) {
      hresize(sy1, rowB);
      rowBIndex = sy1;
    }
    row(dy, rowA, rowB, yt.w0[dy], yt.w1[dy]);
  }
}
