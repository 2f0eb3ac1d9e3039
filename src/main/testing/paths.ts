import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Locations of the repository and of the shared test material beside it (`../shared`). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = process.env.HADIR_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const modelsDir = process.env.HADIR_MODELS_DIR
  ? path.resolve(repoRoot, process.env.HADIR_MODELS_DIR)
  : path.join(sharedDir, 'models');
export const testdataDir = path.join(sharedDir, 'testdata');
export const facesDir = path.join(testdataDir, 'faces');
export const referenceDir = path.join(sharedDir, 'reference', 'det_500m+mobilefacenet_y1_arcface');
export const toolsDir = path.join(sharedDir, 'tools');

export function haveSharedData(): boolean {
  return existsSync(facesDir) && existsSync(referenceDir) && existsSync(path.join(modelsDir, 'det_500m.onnx'));
}

export interface Labels {
  identities: Record<string, string[]>;
  groups: Record<string, { approx_faces: number; note?: string }>;
  negatives: string[];
  odd: Record<string, string>;
  hard: Record<string, { approx_faces: number; why: string }>;
  liveness: Record<string, { label: 'real' | 'spoof'; note: string }>;
}
