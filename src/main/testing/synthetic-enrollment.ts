import type { Landmarks5 } from '../../shared/face';
import type { PreparedFace, PreparedSample } from '../services/enrollment';
import type { FaceQuality } from '../vision/quality';

/** Quality figures that pass every default limit. */
export const GOOD_QUALITY: FaceQuality = {
  interOcular: 60,
  blur: 400,
  yaw: 2,
  roll: 1,
  brightness: 120,
  darkClipped: 0,
  brightClipped: 0,
  detScore: 0.85,
};

const LANDMARKS: Landmarks5 = [
  [100, 120],
  [160, 120],
  [130, 150],
  [108, 180],
  [152, 180],
];

/** A prepared face with a given embedding, good quality unless overridden. */
export function syntheticFace(embedding: Float32Array, quality: Partial<FaceQuality> = {}): PreparedFace {
  return {
    bbox: [70, 70, 190, 220],
    score: 0.85,
    landmarks: LANDMARKS,
    embedding,
    quality: { ...GOOD_QUALITY, ...quality },
  };
}

/** A one-face sample (or several faces), as enrollment receives it after analysis. */
export function syntheticSample(
  faces: PreparedFace | PreparedFace[],
  extra: Partial<PreparedSample> = {},
): PreparedSample {
  return { source: 'upload', width: 260, height: 300, faces: Array.isArray(faces) ? faces : [faces], ...extra };
}
