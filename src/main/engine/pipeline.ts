import { performance } from 'node:perf_hooks';
import { HadirError } from '../../shared/errors';
import type { AnalyzedFace, DetectedFace, ImageAnalysis, LivenessResult, StageTimings } from '../../shared/face';
import { decodeImage, type DecodeOptions } from '../vision/decode';
import type { RgbImage } from '../vision/image';
import { alignFace } from '../vision/align';
import { type BatchFacesSetting, batchesFaces, MAX_BATCH_FACES } from './batch-faces';
import { type DetectionProfile, ScrfdDetector } from './detector';
import { LivenessChecker, packLivenessThreshold } from './liveness';
import type { ModelPack } from './manifest';
import { Recognizer } from './recognizer';
import {
  autoProviderEpoch,
  createSession,
  gpuProviderExpected,
  providerSetting,
  takeInferenceMs,
  type ProviderStatus,
  type SessionOptions,
} from './session';

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
  /**
   * Whether the recognizer takes the faces of several images in one run (`analyzeMany`; batch-faces.ts).
   * Default `off`: the single-threaded pipeline of the CLI; the worker pool passes its setting.
   */
  batchFaces?: BatchFacesSetting;
}

/** An image for `analyzeMany`: encoded bytes, or decoded pixels. */
export type AnalysisInput = { bytes: Uint8Array; opts?: AnalyzeOptions } | { image: RgbImage; opts?: AnalyzeOptions };

/** One image's answer from `analyzeMany`: its analysis, or the error that image alone met. */
export type AnalysisOutcome = { ok: true; value: ImageAnalysis } | { ok: false; error: unknown };

/** An image through detection, alignment and liveness, waiting for its embeddings. */
interface StagedImage {
  width: number;
  height: number;
  detected: DetectedFace[];
  /** One aligned crop per face; null when no embeddings are wanted. */
  crops: RgbImage[] | null;
  /** One judgement per face, when liveness was requested and can be judged. */
  liveness: LivenessResult[] | null;
  livenessAvailable?: boolean;
  timings: StageTimings;
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
    /** Whether the faces of several images share recognizer runs (`analyzeMany`), at most MAX_BATCH_FACES a run. */
    readonly batching: boolean,
  ) {}

  static async load(paths: PipelinePaths, opts: PipelineOptions = {}): Promise<FacePipeline> {
    const { pack } = paths;
    const livenessThreshold = checkedLivenessThreshold(pack, opts);
    const batchSetting = opts.batchFaces ?? 'off';
    // Whether to batch depends on the provider, known only once a session exists; the recognizer's batch
    // axis must be chosen before. On `auto` a GPU is expected where a GPU provider is left to try
    // (provider-order.ts: CUDA installed, DirectML on Windows, WebGPU with a GPU device).
    const expectBatching =
      batchSetting === 'on' ||
      (batchSetting === 'auto' && (await gpuProviderExpected(opts.provider ?? providerSetting())));
    const providerEpoch = autoProviderEpoch();
    const [det, firstRec, live] = await Promise.all([
      createSession(paths.detectorPath, opts),
      // Unbatched, one run per face for a fixed-batch recognizer. It could take a symbolic batch axis
      // (createSession's dynamicBatch, verified equal to 1e-5 in onnx-batch.test.ts), but on the CPU
      // that was slower: 130 photos took more time and twice the system time, onnxruntime planning
      // no memory ahead for a dynamic shape, and a convolution gains nothing per face from a batch.
      // Batching across requests (on a GPU, or when asked) is what the symbolic axis is for.
      createSession(paths.recognizerPath, opts, { dynamicBatch: expectBatching }),
      loadLiveness(paths, livenessThreshold, opts),
    ]);
    let rec = firstRec;
    const batching = batchesFaces(batchSetting, rec.provider.active);
    if (batching !== expectBatching) {
      // The guess was wrong (CUDA failed at session creation, say): load the recognizer again as it should be.
      await rec.session.release();
      rec = await createSession(paths.recognizerPath, opts, { dynamicBatch: batching });
    }
    if (autoProviderEpoch() !== providerEpoch) {
      // On `auto` a GPU provider worked for one model and then failed for another: load again, every
      // session on what is left, so that all of them share one provider (session.ts remembers the failure).
      await Promise.all([det.session.release(), rec.session.release(), live.checker?.release()]);
      return FacePipeline.load(paths, opts);
    }
    const detector = new ScrfdDetector(det.session, {
      detSizes: opts.detSizes ?? pack.detector.detSizes,
      scoreThreshold: pack.detector.scoreThreshold,
      nmsThreshold: pack.detector.nmsThreshold,
    });
    const recognizer = new Recognizer(rec.session, pack.recognizer);
    return new FacePipeline(pack, detector, recognizer, det.provider, live.checker, live.warning, batching);
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
    const batch =
      this.batching && !this.recognizer.dynamicBatch
        ? ['face batching is on, but the recognizer has a fixed batch that cannot be made dynamic: one run per face']
        : [];
    return [...this.detector.warnings, ...(this.livenessWarning ? [this.livenessWarning] : []), ...batch];
  }

  /** Crops per recognizer run. */
  private get maxRun(): number {
    return this.batching ? MAX_BATCH_FACES : Infinity;
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
    takeInferenceMs(); // start this request's count from zero
    const staged = await this.stage(img, opts);
    let embeddings: Float32Array[] | null = null;
    if (staged.crops) {
      const t = performance.now();
      embeddings = await this.recognizer.embed(staged.crops, this.maxRun);
      staged.timings.embed = performance.now() - t;
    }
    staged.timings.inference = takeInferenceMs();
    return this.finish(staged, embeddings);
  }

  /**
   * Several images at once: each decoded, detected, aligned and judged for liveness on its own, then the
   * crops of all of them through shared recognizer runs (at most MAX_BATCH_FACES a run when `batching`).
   * Each answer is what `analyzeBytes`/`analyzeImage` gives for that image alone (embeddings to 1e-5
   * when batched), in input order; an image that fails fails alone. Each image's `embed` time (and its
   * `inference`) holds its share of the shared runs, by its number of faces.
   */
  async analyzeMany(inputs: AnalysisInput[]): Promise<AnalysisOutcome[]> {
    const staged: (StagedImage | { error: unknown })[] = [];
    for (const input of inputs) {
      takeInferenceMs();
      try {
        const t0 = performance.now();
        const img = 'bytes' in input ? await decodeImage(input.bytes, input.opts) : input.image;
        const decode = 'bytes' in input ? performance.now() - t0 : 0;
        const s = await this.stage(img, input.opts ?? {});
        s.timings.decode = decode;
        s.timings.inference = takeInferenceMs();
        staged.push(s);
      } catch (error) {
        staged.push({ error });
      }
    }
    const embedded = await this.embedShared(staged.map((s) => ('error' in s ? null : s.crops)));
    return staged.map((s, i): AnalysisOutcome => {
      if ('error' in s) return { ok: false, error: s.error };
      const e = embedded[i];
      if (e && 'error' in e) return { ok: false, error: e.error };
      if (e) {
        s.timings.embed = e.ms;
        s.timings.inference = (s.timings.inference ?? 0) + e.inferenceMs;
      }
      return { ok: true, value: this.finish(s, e?.embeddings ?? null) };
    });
  }

  /**
   * The crops of several images through shared recognizer runs, split back per image with its share of
   * the time. Should a shared run fail, each image's crops are run again alone, so that only an image
   * whose own crops fail gets an error.
   */
  private async embedShared(
    perImage: (RgbImage[] | null)[],
  ): Promise<({ embeddings: Float32Array[]; ms: number; inferenceMs: number } | { error: unknown } | null)[]> {
    const all = perImage.flatMap((c) => c ?? []);
    if (all.length === 0) return perImage.map(() => null);
    takeInferenceMs();
    const t = performance.now();
    let shared: Float32Array[] | null = null;
    try {
      shared = await this.recognizer.embed(all, this.maxRun);
    } catch {
      shared = null;
    }
    if (shared) {
      const ms = performance.now() - t;
      const inferenceMs = takeInferenceMs();
      let at = 0;
      return perImage.map((crops) => {
        if (!crops) return null;
        const share = crops.length / all.length;
        const embeddings = shared.slice(at, at + crops.length);
        at += crops.length;
        return { embeddings, ms: ms * share, inferenceMs: inferenceMs * share };
      });
    }
    const out: ({ embeddings: Float32Array[]; ms: number; inferenceMs: number } | { error: unknown } | null)[] = [];
    for (const crops of perImage) {
      if (!crops) {
        out.push(null);
        continue;
      }
      takeInferenceMs();
      const t1 = performance.now();
      try {
        const embeddings = await this.recognizer.embed(crops, this.maxRun);
        out.push({ embeddings, ms: performance.now() - t1, inferenceMs: takeInferenceMs() });
      } catch (error) {
        out.push({ error });
      }
    }
    return out;
  }

  /** Detection, alignment and (on request) liveness: everything of an image but its embeddings. */
  private async stage(img: RgbImage, opts: AnalyzeOptions): Promise<StagedImage> {
    const timings: StageTimings = { decode: 0, detect: 0, align: 0, embed: 0 };
    let t = performance.now();
    const detected = await this.detector.detect(img, opts.detection);
    timings.detect = performance.now() - t;
    let crops: RgbImage[] | null = null;
    if (opts.embed !== false && detected.length > 0 && this.detector.hasKeypoints) {
      t = performance.now();
      crops = detected.map((f) => alignFace(img, f.landmarks, this.recognizer.size));
      timings.align = performance.now() - t;
    }
    const staged: StagedImage = { width: img.width, height: img.height, detected, crops, liveness: null, timings };
    if (opts.liveness) {
      staged.livenessAvailable = this.liveness !== null;
      timings.liveness = 0;
      if (this.liveness && detected.length > 0) {
        t = performance.now();
        const judged: LivenessResult[] = [];
        for (const f of detected) judged.push(await this.liveness.check(img, f.bbox, opts.livenessThreshold));
        staged.liveness = judged;
        timings.liveness = performance.now() - t;
      }
    }
    return staged;
  }

  private finish(s: StagedImage, embeddings: Float32Array[] | null): ImageAnalysis {
    let faces: AnalyzedFace[] = s.detected;
    if (embeddings) faces = faces.map((f, i) => ({ ...f, embedding: embeddings[i] }));
    if (s.liveness) {
      const judged = s.liveness;
      faces = faces.map((f, i) => ({ ...f, liveness: judged[i] }));
    }
    const result: ImageAnalysis = { width: s.width, height: s.height, faces, timings: s.timings };
    if (s.livenessAvailable !== undefined) result.livenessAvailable = s.livenessAvailable;
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
