import { performance } from 'node:perf_hooks';
import { HadirError } from '../../shared/errors';
import type { AnalyzedFace, DetectedFace, ImageAnalysis, StageTimings } from '../../shared/face';
import { decodeImage, type DecodeOptions } from '../vision/decode';
import type { RgbImage } from '../vision/image';
import { alignFace } from '../vision/align';
import { type DetectionProfile, ScrfdDetector } from './detector';
import { LivenessChecker, packLivenessThreshold } from './liveness';
import type { ModelPack } from './manifest';
import { Recognizer } from './recognizer';
import { createSession, takeInferenceMs, type ProviderStatus, type SessionOptions } from './session';

export interface PipelinePaths {
  pack: ModelPack;
  detectorPath: string;
  recognizerPath: string;
  /** The pack's liveness model files, in the order of `pack.liveness` (resolvePack's `livenessPaths`); absent or null: liveness off. */
  livenessPaths?: string[] | null;
}

export interface PipelineOptions extends SessionOptions {
  /** Overrides the pack's detection sizes. */
  detSizes?: number[];
  /** Overrides the pack's liveness threshold (a site setting). */
  livenessThreshold?: number;
}

export interface AnalyzeOptions extends DecodeOptions {
  /** Compute embeddings (default true). */
  embed?: boolean;
  /**
   * Judge every face real or spoof (default false). When the pack has no usable liveness models the
   * faces get no `liveness` and the result says `livenessAvailable: false`.
   */
  liveness?: boolean;
  /** Which detection passes to run (default `full`); `kiosk` is for camera frames at a kiosk only. */
  detection?: DetectionProfile;
  /** The p_real threshold for this call instead of the pipeline's (a setting changed while running). */
  livenessThreshold?: number;
}

/**
 * The face pipeline on one thread: decode → SCRFD (multi-size) → 5 points → similarity alignment
 * → recognizer → L2-normalised embeddings, and on request liveness per face. The worker pool runs
 * one of these per worker.
 */
export class FacePipeline {
  private constructor(
    readonly pack: ModelPack,
    readonly detector: ScrfdDetector,
    readonly recognizer: Recognizer,
    readonly provider: ProviderStatus,
    private readonly liveness: LivenessChecker | null,
    /** Why liveness is off, when the pack has liveness models but they could not be loaded. */
    readonly livenessWarning: string | null,
  ) {}

  static async load(paths: PipelinePaths, opts: PipelineOptions = {}): Promise<FacePipeline> {
    const { pack } = paths;
    const livenessThreshold = checkedLivenessThreshold(pack, opts);
    const [det, rec, live] = await Promise.all([
      createSession(paths.detectorPath, opts),
      // One run per face for a fixed-batch recognizer. It could take a symbolic batch axis
      // (createSession's dynamicBatch, verified equal to 1e-5 in onnx-batch.test.ts), but on the CPU
      // that was slower: 130 photos took more time and twice the system time, onnxruntime planning
      // no memory ahead for a dynamic shape, and a convolution gains nothing per face from a batch.
      createSession(paths.recognizerPath, opts),
      loadLiveness(paths, livenessThreshold, opts),
    ]);
    const detector = new ScrfdDetector(det.session, {
      detSizes: opts.detSizes ?? pack.detector.detSizes,
      scoreThreshold: pack.detector.scoreThreshold,
      nmsThreshold: pack.detector.nmsThreshold,
    });
    const recognizer = new Recognizer(rec.session, pack.recognizer);
    return new FacePipeline(pack, detector, recognizer, det.provider, live.checker, live.warning);
  }

  /** Whether `analyze…({ liveness: true })` can judge faces; when false, callers must refuse what needs it. */
  get livenessAvailable(): boolean {
    return this.liveness !== null;
  }

  /** The p_real threshold in effect (the setting, else the pack's), or null without liveness. */
  get livenessThreshold(): number | null {
    return this.liveness?.threshold ?? null;
  }

  /** Every warning worth showing an operator (detector sizes skipped, liveness models unusable). */
  get warnings(): string[] {
    return [...this.detector.warnings, ...(this.livenessWarning ? [this.livenessWarning] : [])];
  }

  /** Run every model once so the first real request does not pay for lazy initialisation. */
  async warmUp(): Promise<void> {
    const img: RgbImage = { data: new Uint8Array(160 * 120 * 3).fill(128), width: 160, height: 120 };
    await this.detector.detect(img);
    const crop: RgbImage = { data: new Uint8Array(112 * 112 * 3).fill(128), width: 112, height: 112 };
    await this.recognizer.embed([crop]);
    await this.liveness?.warmUp();
  }

  async analyzeBytes(bytes: Uint8Array, opts: AnalyzeOptions = {}): Promise<ImageAnalysis> {
    const t0 = performance.now();
    const img = await decodeImage(bytes, opts);
    const decode = performance.now() - t0;
    const result = await this.analyzeImage(img, opts);
    result.timings.decode = decode;
    return result;
  }

  async analyzeImage(img: RgbImage, opts: AnalyzeOptions = {}): Promise<ImageAnalysis> {
    const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
    takeInferenceMs(); // start this request's count from zero
    let t = performance.now();
    const detected = await this.detector.detect(img, opts.detection);
    timings.detect = performance.now() - t;
    let faces: AnalyzedFace[] = detected;
    if (opts.embed !== false && detected.length > 0 && this.detector.hasKeypoints) {
      t = performance.now();
      const crops = detected.map((f) => alignFace(img, f.landmarks, this.recognizer.size));
      timings.align = performance.now() - t;
      t = performance.now();
      const embeddings = await this.recognizer.embed(crops);
      timings.embed = performance.now() - t;
      faces = detected.map((f, i) => ({ ...f, embedding: embeddings[i] }));
    }
    const result: ImageAnalysis = { width: img.width, height: img.height, faces, timings };
    if (opts.liveness) {
      result.livenessAvailable = this.liveness !== null;
      timings.liveness = 0;
      if (this.liveness && faces.length > 0) {
        t = performance.now();
        const checker = this.liveness;
        const judged: AnalyzedFace[] = [];
        for (const f of faces) {
          judged.push({ ...f, liveness: await checker.check(img, f.bbox, opts.livenessThreshold) });
        }
        result.faces = judged;
        timings.liveness = performance.now() - t;
      }
    }
    timings.inference = takeInferenceMs();
    return result;
  }

  /** Release the native sessions (before a worker exits, so no session outlives its thread). */
  async dispose(): Promise<void> {
    await Promise.all([this.detector.release(), this.recognizer.release(), this.liveness?.release()]);
  }

  async detect(img: RgbImage): Promise<DetectedFace[]> {
    return this.detector.detect(img);
  }
}

/** The setting, else the pack's threshold; checked before any session loads. */
function checkedLivenessThreshold(pack: ModelPack, opts: PipelineOptions): number {
  const threshold = opts.livenessThreshold ?? packLivenessThreshold(pack);
  // A bad setting is the operator's mistake: say so, rather than quietly turn liveness off.
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new HadirError('BAD_REQUEST', `the liveness threshold must lie in [0, 1] (got ${threshold})`);
  }
  return threshold;
}

/**
 * Liveness is optional: a pack without liveness models, or whose liveness files are missing, runs with
 * liveness off. A liveness model that is present but cannot be loaded also leaves it off (with a
 * warning) rather than stopping recognition: every caller that needs liveness refuses without it.
 */
async function loadLiveness(
  paths: PipelinePaths,
  threshold: number,
  opts: PipelineOptions,
): Promise<{ checker: LivenessChecker | null; warning: string | null }> {
  const specs = paths.pack.liveness ?? [];
  if (specs.length === 0 || paths.livenessPaths === undefined) return { checker: null, warning: null };
  if (paths.livenessPaths === null) {
    // resolvePack looked for them and did not find them all: worth telling the operator.
    const files = specs.map((s) => s.file).join(', ');
    return { checker: null, warning: `liveness is off: the pack's liveness model files (${files}) were not found` };
  }
  try {
    // One intra-op thread: the 80×80 networks have too little work per operator to split, and on a
    // 2-core machine two threads made both models together twice as slow (p50 26 ms vs 13 ms a face).
    const sessionOpts = { ...opts, intraOpNumThreads: 1 };
    return { checker: await LivenessChecker.load(paths.livenessPaths, specs, threshold, sessionOpts), warning: null };
  } catch (e) {
    return { checker: null, warning: `liveness is off: ${(e as Error).message}` };
  }
}
