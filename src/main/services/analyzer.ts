import type { ImageAnalysis } from '../../shared/face';
import type { ModelPack } from '../engine/manifest';
import type { FacePipeline } from '../engine/pipeline';
import type { InferencePool } from '../engine/pool';
import type { RgbImage } from '../vision/image';

export interface AnalyzeRequest {
  /** Judge each face real or spoof as well (needs the pack's liveness models). */
  liveness?: boolean;
  /** A kiosk's camera frame: the kiosk detection profile (see AnalyzeParams.detection). */
  kioskFrame?: boolean;
}

const detectionOf = (req: AnalyzeRequest) => (req.kioskFrame ? ({ detection: 'kiosk' } as const) : {});

/**
 * What the services need from the engine: faces, landmarks and embeddings of a decoded image, from
 * one model pack. The app and the server give them the worker pool; the CLI and tests the
 * single-threaded pipeline. The services keep the decoded pixels, for quality and thumbnails.
 */
export interface FaceAnalyzer {
  readonly pack: ModelPack;
  analyzeImage(img: RgbImage, req?: AnalyzeRequest): Promise<ImageAnalysis>;
}

export function pipelineAnalyzer(pipeline: FacePipeline): FaceAnalyzer {
  return {
    pack: pipeline.pack,
    analyzeImage: (img, req = {}) =>
      pipeline.analyzeImage(img, { liveness: req.liveness === true, ...detectionOf(req) }),
  };
}

/** The pool takes ownership of the pixels it is sent, so it gets a copy and the caller keeps the image. */
export function poolAnalyzer(pool: InferencePool, pack: ModelPack): FaceAnalyzer {
  return {
    pack,
    analyzeImage: (img, req = {}) =>
      pool.analyzeRgb(img.data.slice(), img.width, img.height, {
        liveness: req.liveness === true,
        ...detectionOf(req),
      }),
  };
}
