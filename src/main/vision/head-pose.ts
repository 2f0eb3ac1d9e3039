import type { Landmarks5 } from '../../shared/face';

/**
 * Rough head pose from the detector's 5 points, for an active "turn your head" challenge: not a
 * calibrated pose estimator, just enough to tell frontal from clearly turned, and which way.
 *
 * Yaw: the eyes and mouth corners lie roughly in one plane, the nose tip stands in front of it. Turning
 * the head by θ moves the nose sideways off the eye–mouth axis by d·sin θ while the eye distance shrinks
 * to IOD·cos θ, so (offset / IOD) = (d / IOD)·tan θ. A flat photo turned in front of the camera has no
 * depth (d = 0): its offset and IOD shrink together and its yaw does not change, which is what makes
 * the challenge hard to pass with a print.
 */

/**
 * Depth of the nose tip in front of the eye–mouth plane, in inter-ocular distances. From the generic 3D
 * face used in OpenCV head-pose examples (eye and mouth corners about 130 units behind the nose tip,
 * pupils about 320 apart): 0.42. Individual faces vary by perhaps ±25%, and so do the degrees.
 */
export const NOSE_DEPTH_IOD = 0.42;

export interface HeadPose {
  /**
   * Degrees; positive when the nose points toward the image's +x side. In an unmirrored camera frame
   * that is the subject turning to their own left.
   */
  yaw: number;
  /** Degrees the eye line is rotated from horizontal; positive when the image-right eye is lower. */
  roll: number;
}

/** Yaw and roll from 5 landmarks, or null when the points are too degenerate to say. */
export function estimateHeadPose(l: Landmarks5): HeadPose | null {
  const [le, re, nose, lm, rm] = l;
  const iod = Math.hypot(re[0] - le[0], re[1] - le[1]);
  const eyeMid: [number, number] = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const mouthMid: [number, number] = [(lm[0] + rm[0]) / 2, (lm[1] + rm[1]) / 2];
  const ax = mouthMid[0] - eyeMid[0];
  const ay = mouthMid[1] - eyeMid[1];
  const axisLen = Math.hypot(ax, ay);
  if (!(iod > 1e-6) || !(axisLen > 1e-6)) return null;
  // The face's own "right" direction, perpendicular to the eye→mouth axis, so roll does not read as yaw.
  const nx = ay / axisLen;
  const ny = -ax / axisLen;
  const lateral = (nose[0] - eyeMid[0]) * nx + (nose[1] - eyeMid[1]) * ny;
  const yaw = (Math.atan(lateral / iod / NOSE_DEPTH_IOD) * 180) / Math.PI;
  const roll = (Math.atan2(re[1] - le[1], re[0] - le[0]) * 180) / Math.PI;
  return Number.isFinite(yaw) && Number.isFinite(roll) ? { yaw, roll } : null;
}
