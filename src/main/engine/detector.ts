import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { DetectedFace } from '../../shared/face';
import type { RgbImage } from '../vision/image';
import { letterbox } from '../vision/letterbox';
import { type Candidate, type ScrfdLevel, decodeScrfd, nms, toDetectedFace } from '../vision/scrfd';
import { loadOrt, runSession } from './session';
import { HadirError } from '../../shared/errors';

export interface DetectorConfig {
  detSizes: number[];
  scoreThreshold: number;
  nmsThreshold: number;
}

/**
 * `full` (default): every detection size, merged by one NMS, as InsightFace does (what parity is
 * measured on). `kiosk`: the sizes from the smallest up, stopping at the first that finds a face. At a
 * kiosk the face fills much of the frame and the 128 pass finds it at a twentieth of the 640 pass's
 * cost; a frame where it finds nothing (a face far off, a group) gets the larger passes as well.
 */
export type DetectionProfile = 'full' | 'kiosk';

/**
 * SCRFD on onnxruntime, read generically from the model: 6/9 (3 levels) or 10/15 (5 levels)
 * outputs, 2-D or batched 3-D, fixed or dynamic input. Outputs are grouped by their last
 * dimension (1 = score, 4 = box, 10 = keypoints) and ordered by row count, so names and output
 * order do not matter. Several detection sizes are merged by one NMS, as InsightFace 1.x does.
 */
export class ScrfdDetector {
  readonly inputName: string;
  /** Set when the model's input is a fixed size (then smaller det sizes run inside that canvas). */
  readonly fixedSize: [number, number] | null;
  readonly warnings: string[] = [];
  /** How many sizes the last `detect` ran (the kiosk profile may stop early); for benchmarks. */
  lastPassCount = 0;
  private readonly canvases = new Map<string, Float32Array>();

  constructor(
    private readonly session: InferenceSession,
    private readonly config: DetectorConfig,
  ) {
    this.inputName = session.inputNames[0];
    const n = session.outputNames.length;
    if (![6, 9, 10, 15].includes(n)) {
      throw new HadirError('MODEL_INVALID', `not an SCRFD detector: ${n} outputs (expected 6, 9, 10 or 15)`);
    }
    const meta = session.inputMetadata?.[0] as { shape?: (number | string)[] } | undefined;
    const shape = meta?.shape;
    this.fixedSize =
      shape && typeof shape[2] === 'number' && typeof shape[3] === 'number' && shape[2] > 0 && shape[3] > 0
        ? [shape[3], shape[2]]
        : null;
    if (this.fixedSize) {
      for (const s of config.detSizes) {
        if (s > this.fixedSize[0] || s > this.fixedSize[1]) {
          this.warnings.push(
            `detection size ${s} exceeds the model's fixed input ${this.fixedSize[0]}x${this.fixedSize[1]}: skipped`,
          );
        }
      }
    }
  }

  /**
   * The input canvas of one size, kept between images: a new 5 MB array per image costs more in page
   * faults and zeroing than the resize that fills it. Safe because `detect` awaits each run before the
   * next letterbox, and one detector serves one thread.
   */
  private canvas(w: number, h: number): Float32Array {
    const key = `${w}x${h}`;
    let c = this.canvases.get(key);
    if (!c) {
      c = new Float32Array(3 * w * h);
      this.canvases.set(key, c);
    }
    return c;
  }

  get hasKeypoints(): boolean {
    return this.session.outputNames.length === 9 || this.session.outputNames.length === 15;
  }

  /** Plans the passes: [canvas width, canvas height, fit width, fit height] per detection size. */
  private passes(profile: DetectionProfile): [number, number, number, number][] {
    const out: [number, number, number, number][] = [];
    const sizes = profile === 'kiosk' ? [...this.config.detSizes].sort((a, b) => a - b) : this.config.detSizes;
    for (const s of sizes) {
      if (!this.fixedSize) {
        out.push([s, s, s, s]);
      } else if (s <= this.fixedSize[0] && s <= this.fixedSize[1]) {
        out.push([this.fixedSize[0], this.fixedSize[1], s, s]);
      }
    }
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }

  async detect(img: RgbImage, profile: DetectionProfile = 'full'): Promise<DetectedFace[]> {
    const ort = await loadOrt();
    const all: Candidate[] = [];
    this.lastPassCount = 0;
    for (const [w, h, fw, fh] of this.passes(profile)) {
      if (profile === 'kiosk' && kioskFaceFound(all, img)) break;
      this.lastPassCount++;
      const lb = letterbox(img, w, h, fw, fh, this.canvas(w, h));
      const input = new ort.Tensor('float32', lb.tensor, [1, 3, h, w]);
      const outputs = await runSession(this.session, { [this.inputName]: input });
      const levels = groupLevels(this.session.outputNames.map((name) => outputs[name]));
      all.push(...decodeScrfd(levels, w, h, lb.scale, this.config.scoreThreshold));
      for (const t of Object.values(outputs)) t.dispose?.();
      input.dispose?.();
    }
    return nms(all, this.config.nmsThreshold).map(toDetectedFace);
  }
}

/**
 * The kiosk profile stops after a pass when it found a face as large as a person standing at a kiosk
 * shows: at least KIOSK_MIN_FACE of the frame's shorter side. Smaller faces (a group photo, someone far
 * off) get the larger sizes too, so that the main face is the one every size would have chosen.
 */
const KIOSK_MIN_FACE = 0.2;

function kioskFaceFound(cands: readonly Candidate[], img: RgbImage): boolean {
  const minSide = KIOSK_MIN_FACE * Math.min(img.width, img.height);
  return cands.some((c) => c.bbox[2] - c.bbox[0] >= minSide && c.bbox[3] - c.bbox[1] >= minSide);
}

function groupLevels(tensors: Tensor[]): ScrfdLevel[] {
  const byKind = new Map<number, { rows: number; data: Float32Array }[]>();
  for (const t of tensors) {
    const dims = t.dims;
    const c = dims[dims.length - 1];
    const rows = dims.length === 3 ? dims[1] : dims[0];
    const list = byKind.get(c) ?? [];
    list.push({ rows, data: t.data as Float32Array });
    byKind.set(c, list);
  }
  const scores = byKind.get(1);
  const boxes = byKind.get(4);
  const kps = byKind.get(10);
  if (!scores || !boxes || scores.length !== boxes.length || (kps && kps.length !== scores.length)) {
    throw new HadirError('MODEL_INVALID', 'SCRFD outputs do not form score/box(/keypoint) levels');
  }
  const sortRows = (a: { rows: number }, b: { rows: number }) => b.rows - a.rows;
  scores.sort(sortRows);
  boxes.sort(sortRows);
  kps?.sort(sortRows);
  return scores.map((s, i) => ({
    stride: 8 << i,
    scores: s.data,
    boxes: boxes[i].data,
    kps: kps?.[i].data,
  }));
}
