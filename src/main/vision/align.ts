import type { Landmarks5 } from '../../shared/face';
import type { RgbImage } from './image';
import { ARCFACE_TEMPLATE_112, estimateSimilarityTransform } from './similarity';
import { warpAffineBilinear } from './warp';

/**
 * The 112×112 ArcFace crop of a face, as InsightFace's `norm_crop`: similarity transform from the
 * five landmarks to the template, then an OpenCV-exact bilinear warp with a black border.
 * Other crop sizes scale the template (InsightFace's rule for multiples of 112).
 */
export function alignFace(img: RgbImage, landmarks: Landmarks5, size = 112): RgbImage {
  const ratio = size / 112;
  const dst = ARCFACE_TEMPLATE_112.map(([x, y]) => [x * ratio, y * ratio] as [number, number]);
  const m = estimateSimilarityTransform(landmarks, dst);
  return warpAffineBilinear(img, m, size, size);
}
