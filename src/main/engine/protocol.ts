import type { ErrorInfo } from '../../shared/errors';
import type { BatchFacesSetting } from './batch-faces';
import type { ImageAnalysis } from '../../shared/face';
import type { ProviderStatus, SessionOptions } from './session';
import type { PipelinePaths } from './pipeline';

/**
 * The message protocol between the pool (main thread) and an inference worker. Requests and
 * replies are sequence-numbered; pixel and embedding buffers travel as transferables, never as
 * JSON arrays.
 */

export interface WorkerInit {
  paths: PipelinePaths;
  session: SessionOptions;
  detSizes?: number[];
  /** Overrides the pack's liveness threshold (a site setting). */
  livenessThreshold?: number;
  /** Whether the faces of several requests share recognizer runs (`auto`: on a GPU provider). */
  batchFaces: BatchFacesSetting;
  /** Tests only: honour `fault` requests. */
  allowFaults: boolean;
}

export interface AnalyzeParams {
  /** Compute embeddings (default true). */
  embed?: boolean;
  /** Judge each face real or spoof (default false); see ImageAnalysis.livenessAvailable. */
  liveness?: boolean;
  /**
   * `kiosk`: camera frames at a kiosk, where the face is large: the smallest detection size first, the
   * larger ones only when it finds nothing (engine/detector.ts). Default `full`, every size.
   */
  detection?: 'full' | 'kiosk';
  maxPixels?: number;
  /** The p_real threshold for this request (the site's setting now: it may change while running). */
  livenessThreshold?: number;
}

export type AnalyzeRequest =
  /** Encoded image bytes (JPEG, PNG, …), transferred. */
  | { seq: number; kind: 'analyze-encoded'; bytes: ArrayBuffer; params: AnalyzeParams }
  /** Decoded 8-bit RGB pixels (a camera frame), transferred. */
  | { seq: number; kind: 'analyze-rgb'; rgb: ArrayBuffer; width: number; height: number; params: AnalyzeParams };

export type WorkerRequest =
  | AnalyzeRequest
  /**
   * Several analyses whose faces share recognizer runs (a worker that reported `batching`); one
   * `result` comes back for each, under its own seq, in this order.
   */
  | { seq: number; kind: 'analyze-batch'; items: AnalyzeRequest[] }
  | { seq: number; kind: 'fault'; mode: 'exit' | 'throw' | 'hang' }
  | { seq: number; kind: 'close' };

/**
 * An analysis on the wire: faces without their embeddings, which come packed in one
 * transferred Float32Array buffer (face i at [i·dim, (i+1)·dim)).
 */
export interface WireAnalysis extends Omit<ImageAnalysis, 'faces'> {
  faces: Omit<ImageAnalysis['faces'][number], 'embedding'>[];
  embeddings: ArrayBuffer | null;
  dim: number;
}

export type WorkerReply =
  | {
      kind: 'ready';
      provider: ProviderStatus;
      warnings: string[];
      loadMs: number;
      /** The timed warm-up run: what one small request costs on this worker. */
      serviceMs: number;
      livenessAvailable: boolean;
      /** Whether this worker takes `analyze-batch` (the batch-faces setting on this provider). */
      batching: boolean;
      /** Whether its recognizer runs several crops at once (else one run per face, batched or not). */
      recognizerBatches: boolean;
    }
  | { kind: 'init-error'; error: ErrorInfo }
  | { kind: 'closed' }
  | { kind: 'result'; seq: number; ok: true; value: WireAnalysis; busyMs: number }
  | { kind: 'result'; seq: number; ok: false; error: ErrorInfo; busyMs: number };

export function packAnalysis(a: ImageAnalysis): { wire: WireAnalysis; transfer: ArrayBuffer[] } {
  const withEmb = a.faces.filter((f) => f.embedding);
  const dim = withEmb[0]?.embedding?.length ?? 0;
  let embeddings: ArrayBuffer | null = null;
  if (dim > 0 && withEmb.length === a.faces.length) {
    const packed = new Float32Array(a.faces.length * dim);
    a.faces.forEach((f, i) => packed.set(f.embedding!, i * dim));
    embeddings = packed.buffer;
  }
  const faces = a.faces.map(({ embedding: _e, ...rest }) => rest);
  return {
    wire: {
      width: a.width,
      height: a.height,
      timings: a.timings,
      faces,
      embeddings,
      dim,
      ...(a.livenessAvailable !== undefined ? { livenessAvailable: a.livenessAvailable } : {}),
    },
    transfer: embeddings ? [embeddings] : [],
  };
}

export function unpackAnalysis(w: WireAnalysis): ImageAnalysis {
  const emb = w.embeddings ? new Float32Array(w.embeddings) : null;
  return {
    width: w.width,
    height: w.height,
    timings: w.timings,
    faces: w.faces.map((f, i) => (emb ? { ...f, embedding: emb.subarray(i * w.dim, (i + 1) * w.dim) } : { ...f })),
    ...(w.livenessAvailable !== undefined ? { livenessAvailable: w.livenessAvailable } : {}),
  };
}
