import { HadirError } from '../../shared/errors';
import type { Point } from '../../shared/face';

/** A 2×3 affine matrix [a, b, tx, c, d, ty] mapping (x, y) → (a·x + b·y + tx, c·x + d·y + ty). */
export type Affine = [number, number, number, number, number, number];

/** The ArcFace 112×112 five-point template (InsightFace `arcface_dst`). */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `src` onto
 * `dst`: Umeyama (1991), as scikit-image's SimilarityTransform.estimate, which InsightFace uses.
 * In 2-D the 2×2 SVD reduces to closed form. Collinear or coincident source points have no
 * unique answer and are refused rather than turned into NaN.
 */
export function estimateSimilarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) {
    throw new HadirError('DEGENERATE_LANDMARKS', 'need at least two matching point pairs');
  }
  let msx = 0;
  let msy = 0;
  let mdx = 0;
  let mdy = 0;
  for (let i = 0; i < n; i++) {
    if (![src[i][0], src[i][1], dst[i][0], dst[i][1]].every(Number.isFinite)) {
      throw new HadirError('DEGENERATE_LANDMARKS', 'landmarks contain non-finite values');
    }
    msx += src[i][0];
    msy += src[i][1];
    mdx += dst[i][0];
    mdy += dst[i][1];
  }
  msx /= n;
  msy /= n;
  mdx /= n;
  mdy /= n;
  // Covariance A = dstᵀ·src / n and the source variance.
  let a00 = 0;
  let a01 = 0;
  let a10 = 0;
  let a11 = 0;
  let varSrc = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i][0] - msx;
    const sy = src[i][1] - msy;
    const dx = dst[i][0] - mdx;
    const dy = dst[i][1] - mdy;
    a00 += dx * sx;
    a01 += dx * sy;
    a10 += dy * sx;
    a11 += dy * sy;
    sxx += sx * sx;
    syy += sy * sy;
    sxy += sx * sy;
  }
  a00 /= n;
  a01 /= n;
  a10 /= n;
  a11 /= n;
  varSrc = (sxx + syy) / n;
  // Source scatter's smaller eigenvalue: zero when the points are collinear or coincident.
  const tr = (sxx + syy) / n;
  const det = (sxx * syy - sxy * sxy) / (n * n);
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const minEig = tr / 2 - disc;
  if (!(varSrc > 1e-12) || minEig <= 1e-9 * Math.max(1, tr)) {
    throw new HadirError(
      'DEGENERATE_LANDMARKS',
      'landmarks are collinear or coincident; no similarity transform fits them',
    );
  }
  // For 2×2 A the optimal rotation with det(R) = +1 and the sum of the signed singular values:
  // A = [[p+q? ...]]: decompose into a rotation-scaling part (a, b) and a reflection part.
  const p = (a00 + a11) / 2;
  const q = (a10 - a01) / 2;
  const r = Math.hypot(p, q); // (σ1 + σ2·sign(det A)) / 2 — the trace of Aᵀ·R at the optimum over 2
  if (!(r > 0)) {
    throw new HadirError('DEGENERATE_LANDMARKS', 'landmarks give no rotation');
  }
  const cos = p / r;
  const sin = q / r;
  const scale = (2 * r) / varSrc;
  const a = scale * cos;
  const b = -scale * sin;
  const c = scale * sin;
  const d = scale * cos;
  return [a, b, mdx - (a * msx + b * msy), c, d, mdy - (c * msx + d * msy)];
}

export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}
