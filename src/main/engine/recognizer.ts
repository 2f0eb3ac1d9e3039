import type { InferenceSession } from 'onnxruntime-node';
import { HadirError } from '../../shared/errors';
import type { RgbImage } from '../vision/image';
import type { RecognizerSpec } from './manifest';
import { loadOrt, runSession } from './session';

/**
 * ArcFace-style recognizer: aligned crops in, L2-normalised embeddings out. Preprocessing comes
 * from the pack manifest (channel order, mean, std). All crops go through one run when the
 * model's batch dimension is dynamic; a fixed batch of 1 gets one run per face.
 */
export class Recognizer {
  readonly inputName: string;
  readonly outputName: string;
  readonly size: number;
  readonly dynamicBatch: boolean;

  constructor(
    private readonly session: InferenceSession,
    private readonly spec: RecognizerSpec,
  ) {
    this.inputName = session.inputNames[0];
    this.outputName = session.outputNames[0];
    this.size = spec.input.size;
    const shape = (session.inputMetadata?.[0] as { shape?: (number | string)[] } | undefined)?.shape;
    this.dynamicBatch = !shape || typeof shape[0] !== 'number' || shape[0] <= 0;
  }

  get embeddingSize(): number {
    return this.spec.embeddingSize;
  }

  /** Fill `out` (at `offset`) with one crop in the model's normalised NCHW layout. */
  fillTensor(crop: RgbImage, out: Float32Array, offset: number): void {
    const { mean, std, channelOrder } = this.spec.input;
    const plane = this.size * this.size;
    if (crop.width !== this.size || crop.height !== this.size) {
      throw new HadirError('INTERNAL', `crop is ${crop.width}x${crop.height}, expected ${this.size}`);
    }
    // Destination plane for each RGB source channel.
    const order = channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
    for (let c = 0; c < 3; c++) {
      const dstBase = offset + order[c] * plane;
      const m = mean[order[c]];
      const inv = 1 / std[order[c]];
      const data = crop.data;
      for (let i = 0, s = c; i < plane; i++, s += 3) out[dstBase + i] = (data[s] - m) * inv;
    }
  }

  release(): Promise<void> {
    return this.session.release();
  }

  /** Embeddings of the crops, in order: runs of at most `maxBatch` crops when the batch is dynamic. */
  async embed(crops: RgbImage[], maxBatch = Infinity): Promise<Float32Array[]> {
    if (crops.length === 0) return [];
    const ort = await loadOrt();
    const per = 3 * this.size * this.size;
    const d = this.spec.embeddingSize;
    const results: Float32Array[] = [];
    const step = this.dynamicBatch ? Math.max(1, maxBatch) : 1;
    const batches: RgbImage[][] = [];
    for (let i = 0; i < crops.length; i += step) batches.push(crops.slice(i, i + step));
    for (const batch of batches) {
      const data = new Float32Array(batch.length * per);
      batch.forEach((c, i) => this.fillTensor(c, data, i * per));
      const input = new ort.Tensor('float32', data, [batch.length, 3, this.size, this.size]);
      const out = await runSession(this.session, { [this.inputName]: input });
      const t = out[this.outputName];
      const raw = t.data as Float32Array;
      const width = raw.length / batch.length;
      if (width !== d) {
        throw new HadirError('MODEL_INVALID', `recognizer gave ${width}-d embeddings, the pack says ${d}`);
      }
      for (let i = 0; i < batch.length; i++) results.push(l2normalize(raw.subarray(i * d, (i + 1) * d)));
      t.dispose?.();
      input.dispose?.();
    }
    return results;
  }
}

export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  if (n > 0) for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}
