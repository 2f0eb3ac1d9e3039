import type { Landmarks5, Point } from '../../shared/face';

/**
 * Five landmarks of a synthetic head, for head-pose and challenge tests: a 3D face in inter-ocular
 * units (nose tip at the origin, eyes and mouth corners 0.42 behind it, z toward the camera), turned
 * by `yaw` (positive: nose toward image +x), rolled in the image plane, projected orthographically.
 * `flat` puts every point in one plane, like a printed photo.
 */
export interface SyntheticPose {
  yaw?: number;
  roll?: number;
  /** Inter-ocular distance in pixels when frontal. */
  scale?: number;
  center?: Point;
  flat?: boolean;
  /** Uniform noise of this many pixels on every coordinate (seeded). */
  jitter?: number;
  seed?: number;
}

export function syntheticLandmarks(pose: SyntheticPose = {}): Landmarks5 {
  const { yaw = 0, roll = 0, scale = 60, center = [320, 240], flat = false, jitter = 0 } = pose;
  const depth = flat ? 0 : -0.42;
  const model: [number, number, number][] = [
    [-0.5, -0.35, depth],
    [0.5, -0.35, depth],
    [0, 0, 0],
    [-0.42, 0.5, depth],
    [0.42, 0.5, depth],
  ];
  const ty = (yaw * Math.PI) / 180;
  const tr = (roll * Math.PI) / 180;
  let seed = pose.seed ?? 1;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return ((seed >>> 8) / 0xffffff - 0.5) * 2 * jitter;
  };
  return model.map(([x, y, z]): Point => {
    const xr = x * Math.cos(ty) + z * Math.sin(ty);
    const px = xr * Math.cos(tr) - y * Math.sin(tr);
    const py = xr * Math.sin(tr) + y * Math.cos(tr);
    return [center[0] + px * scale + noise(), center[1] + py * scale + noise()];
  }) as Landmarks5;
}
