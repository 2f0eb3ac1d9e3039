import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { HadirError } from '../../shared/errors';

/** A model file of a pack. `sha256: null` means "not known upstream": pinned on first download. */
export interface ModelFileRef {
  file: string;
  sha256: string | null;
  bytes?: number;
}

export interface DetectorSpec extends ModelFileRef {
  /** Square detection sizes run and merged by one NMS (InsightFace 1.x runs 128 and 640). */
  detSizes: number[];
  scoreThreshold: number;
  nmsThreshold: number;
}

export interface RecognizerSpec extends ModelFileRef {
  embeddingSize: number;
  input: {
    size: number;
    layout: 'NCHW';
    channelOrder: 'RGB' | 'BGR';
    mean: [number, number, number];
    std: [number, number, number];
  };
}

export interface LivenessSpec extends ModelFileRef {
  scale: number;
  size: number;
  channelOrder: 'RGB' | 'BGR';
  realClass: number;
  license?: string;
}

/** The highest impostor-pair scores of a pack's calibration set, descending, out of `pairs` pairs. */
export interface ImpostorTail {
  pairs: number;
  top: number[];
}

/** Genuine-pair scores at each percentile 0…100 (ascending), for the expected FNIR at a threshold. */
export interface GenuineQuantiles {
  pairs: number;
  q: number[];
}

export interface PackThresholds {
  source?: string;
  /** Cosine similarity at which two faces are the same person (at `matchFar`). */
  match: number;
  matchFar?: number;
  /** A stricter threshold (lower FAR), when the calibration data supports one. */
  strict?: number | null;
  strictFar?: number;
  /**
   * The pack's impostor and genuine score distributions (`npm run calibrate:pack`), from which the
   * threshold for a gallery of G people follows (services/gallery-threshold.ts).
   */
  impostorTail?: ImpostorTail;
  genuineQuantiles?: GenuineQuantiles;
  distributionSource?: string;
}

export interface ModelPack {
  id: string;
  name: string;
  description?: string;
  license: { id: string; summary: string; url?: string };
  source: 'local' | 'download';
  sourceNote?: string;
  url?: string;
  archiveSha256?: string | null;
  detector: DetectorSpec;
  recognizer: RecognizerSpec;
  liveness?: LivenessSpec[];
  /** p_real (mean of the liveness models' softmax[real]) at or above which a face is judged real. */
  livenessThreshold?: number;
  thresholds: PackThresholds | null;
}

export interface Manifest {
  version: number;
  defaultPack: string;
  packs: ModelPack[];
}

/** The project's `models/` folder (source tree and packaged app alike: it sits beside `src`/`out`). */
export function appModelsDir(): string {
  if (process.env.HADIR_APP_MODELS_DIR) return process.env.HADIR_APP_MODELS_DIR;
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/main/engine → ../../../models ; out/main → ../../models
  for (const rel of ['../../../models', '../../models', '../models']) {
    const p = path.resolve(here, rel);
    try {
      readFileSync(path.join(p, 'manifest.json'));
      return p;
    } catch {
      // try the next candidate
    }
  }
  return path.resolve(here, '../../../models');
}

// By path: HADIR_APP_MODELS_DIR can point the app at another manifest (tests, portable installs).
const cached = new Map<string, Manifest>();

export function loadManifest(file = path.join(appModelsDir(), 'manifest.json')): Manifest {
  const hit = cached.get(file);
  if (hit) return hit;
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new HadirError('MODEL_INVALID', `cannot read the model manifest ${file}: ${(e as Error).message}`);
  }
  cached.set(file, m);
  return m;
}

export function getPack(id: string | undefined, manifest = loadManifest()): ModelPack {
  const want = id ?? manifest.defaultPack;
  const pack = manifest.packs.find((p) => p.id === want);
  if (!pack) {
    throw new HadirError(
      'PACK_UNKNOWN',
      `unknown model pack "${want}"; known packs: ${manifest.packs.map((p) => p.id).join(', ')}`,
    );
  }
  return pack;
}
