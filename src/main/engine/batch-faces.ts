import { HadirError } from '../../shared/errors';

/**
 * Cross-request batching of the recognizer: the faces of several images waiting for one worker go
 * through one recognizer run. On a GPU that is what makes the hardware pay (one launch for many
 * crops); on the CPU it measured slower (docs/benchmarks.md, pipeline.ts), so `auto` turns it on
 * only for a GPU provider.
 */
export type BatchFacesSetting = 'auto' | 'on' | 'off';

/** Execution providers that run on a GPU: where `auto` batches. */
const GPU_PROVIDERS: ReadonlySet<string> = new Set(['cuda', 'webgpu', 'dml']);

/** Requests per batch and crops per recognizer run (a 128-face crowd photo takes four runs). */
export const MAX_BATCH_FACES = 32;

/** How long a request that found a worker idle waits for others to share its run, ms. */
export const BATCH_WINDOW_MS = 2;

/** The setting from HADIR_BATCH_FACES (auto | on | off), default auto. */
export function batchFacesSetting(): BatchFacesSetting {
  const v = (process.env.HADIR_BATCH_FACES ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || v === 'on' || v === 'off') return v;
  throw new HadirError(
    'BAD_REQUEST',
    `HADIR_BATCH_FACES must be auto, on or off (got "${process.env.HADIR_BATCH_FACES}")`,
  );
}

/** Whether batching runs under this setting on this active provider. */
export function batchesFaces(setting: BatchFacesSetting, activeProvider: string): boolean {
  return setting === 'on' || (setting === 'auto' && GPU_PROVIDERS.has(activeProvider));
}

export interface BatchFacesStatus {
  setting: BatchFacesSetting;
  /** Whether the live workers batch (false before any is ready). */
  on: boolean;
  /**
   * Whether the recognizer takes several crops in one run (its own dynamic batch axis, or one given
   * by onnx-batch.ts). When batching is on and it cannot, each face still gets its own run.
   */
  recognizerBatches: boolean;
  /** Batches of two or more requests sent to a worker since start. */
  batches: number;
  /** Requests that went in those batches. */
  batchedRequests: number;
  /** The most requests in one batch so far. */
  largestBatch: number;
}
