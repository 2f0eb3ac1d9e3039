import type { InferenceSession } from 'onnxruntime-node';
import { HadirError } from '../../shared/errors';
import { type BBox, type LivenessResult, livenessDecision } from '../../shared/face';
import type { RgbImage } from '../vision/image';
import { livenessInput } from '../vision/liveness-crop';
import type { LivenessSpec, ModelPack } from './manifest';
import { createSession, loadOrt, type SessionOptions, runSession } from './session';

/**
 * Used only when a pack lists liveness models without a `livenessThreshold`. 0.5 means "more likely
 * real than not" on the averaged softmax; it is stricter than Silent-Face's own argmax rule, under
 * which p_real can win with as little as 0.34 against two attack classes. See README "Liveness".
 */
export const DEFAULT_LIVENESS_THRESHOLD = 0.5;

/** The pack's liveness threshold, or the documented default. */
export function packLivenessThreshold(pack: ModelPack): number {
  return pack.livenessThreshold ?? DEFAULT_LIVENESS_THRESHOLD;
}

/** Numerically stable softmax. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * One MiniFASNet model (Silent-Face-Anti-Spoofing): its own crop of the face at its context scale,
 * one run per face (the exported models have a fixed batch of 1), softmax over the class logits.
 */
export class LivenessModel {
  readonly inputName: string;
  readonly outputName: string;

  constructor(
    private readonly session: InferenceSession,
    readonly spec: LivenessSpec,
  ) {
    this.inputName = session.inputNames[0];
    this.outputName = session.outputNames[0];
    const shape = (session.inputMetadata?.[0] as { shape?: (number | string)[] } | undefined)?.shape;
    if (
      shape &&
      typeof shape[2] === 'number' &&
      typeof shape[3] === 'number' &&
      (shape[2] !== spec.size || shape[3] !== spec.size)
    ) {
      throw new HadirError(
        'MODEL_INVALID',
        `liveness model ${spec.file} takes ${shape[3]}x${shape[2]} input, the pack says ${spec.size}x${spec.size}`,
      );
    }
  }

  /** softmax[realClass] for one face. */
  async realProbability(img: RgbImage, bbox: BBox): Promise<number> {
    const ort = await loadOrt();
    const { size } = this.spec;
    const input = new ort.Tensor('float32', livenessInput(img, bbox, this.spec), [1, 3, size, size]);
    const out = await runSession(this.session, { [this.inputName]: input });
    const t = out[this.outputName];
    const logits = t.data as Float32Array;
    t.dispose?.();
    input.dispose?.();
    if (logits.length < 2 || this.spec.realClass < 0 || this.spec.realClass >= logits.length) {
      throw new HadirError(
        'MODEL_INVALID',
        `liveness model ${this.spec.file} gave ${logits.length} classes; the pack's real class is ${this.spec.realClass}`,
      );
    }
    return softmax(logits)[this.spec.realClass];
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/**
 * The pack's liveness models together: p_real is the mean over the models of softmax[real] (as
 * Silent-Face sums the models' softmaxes), judged against one threshold.
 */
export class LivenessChecker {
  constructor(
    readonly models: LivenessModel[],
    readonly threshold: number,
  ) {
    if (models.length === 0) throw new HadirError('LIVENESS_UNAVAILABLE', 'no liveness models');
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new HadirError('BAD_REQUEST', `the liveness threshold must lie in [0, 1] (got ${threshold})`);
    }
  }

  /** Load one session per model file; `paths[i]` is the file of `specs[i]`. */
  static async load(
    paths: string[],
    specs: LivenessSpec[],
    threshold: number,
    opts: SessionOptions = {},
  ): Promise<LivenessChecker> {
    if (paths.length !== specs.length || paths.length === 0) {
      throw new HadirError(
        'LIVENESS_UNAVAILABLE',
        `the pack lists ${specs.length} liveness models, ${paths.length} files were found`,
      );
    }
    const sessions = await Promise.all(paths.map((p) => createSession(p, opts)));
    try {
      return new LivenessChecker(
        sessions.map((s, i) => new LivenessModel(s.session, specs[i])),
        threshold,
      );
    } catch (e) {
      await Promise.all(sessions.map((s) => s.session.release()));
      throw e;
    }
  }

  async check(img: RgbImage, bbox: BBox, threshold = this.threshold): Promise<LivenessResult> {
    let sum = 0;
    // Sequential on purpose: the worker's sessions share its intra-op threads.
    for (const m of this.models) sum += await m.realProbability(img, bbox);
    const pReal = sum / this.models.length;
    return { p_real: pReal, decision: livenessDecision(pReal, threshold) };
  }

  async warmUp(): Promise<void> {
    const img: RgbImage = { data: new Uint8Array(96 * 96 * 3).fill(128), width: 96, height: 96 };
    await this.check(img, [24, 24, 72, 72]);
  }

  async release(): Promise<void> {
    await Promise.all(this.models.map((m) => m.release()));
  }
}
