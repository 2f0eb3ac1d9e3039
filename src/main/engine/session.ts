import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { HadirError } from '../../shared/errors';
import { withDynamicBatch } from './onnx-batch';

export type ProviderSetting = 'auto' | 'cuda' | 'cpu';

export interface SessionOptions {
  provider?: ProviderSetting;
  /** Threads one session may use for one operator; onnxruntime's default takes every core. */
  intraOpNumThreads?: number;
}

export interface ProviderStatus {
  requested: ProviderSetting;
  active: 'cpu' | 'cuda';
  /** Why `auto` ended up on the CPU, when it did. */
  fallbackReason: string | null;
}

export interface LoadedSession {
  session: InferenceSession;
  provider: ProviderStatus;
}

/** The provider setting from HADIR_PROVIDER (auto | cuda | cpu), default auto. */
export function providerSetting(): ProviderSetting {
  const v = (process.env.HADIR_PROVIDER ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || v === 'cuda' || v === 'cpu') return v;
  throw new HadirError('BAD_REQUEST', `HADIR_PROVIDER must be auto, cuda or cpu (got "${process.env.HADIR_PROVIDER}")`);
}

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | null = null;

/** onnxruntime is loaded lazily: the CLI's usage errors and the UI must not wait for it. */
export function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => ((m as unknown as { default?: Ort }).default ?? m) as Ort);
  return ortModule;
}

/**
 * Create a session on the requested execution provider. `cuda` fails loudly when CUDA cannot be
 * used; `auto` tries CUDA and falls back to the CPU, keeping the reason so it can be reported.
 */
export async function createSession(
  modelPath: string,
  opts: SessionOptions = {},
  load: {
    /**
     * Give a model fixed at a batch of 1 a symbolic batch axis where no node fixes it (onnx-batch.ts),
     * so that several inputs go through one run; otherwise it loads as it is.
     */
    dynamicBatch?: boolean;
  } = {},
): Promise<LoadedSession> {
  const ort = await loadOrt();
  let model: string | Uint8Array = modelPath;
  if (load.dynamicBatch) {
    try {
      model = withDynamicBatch(await readFile(modelPath)) ?? modelPath;
    } catch {
      model = modelPath; // unreadable or not protobuf as expected: let onnxruntime report it
    }
  }
  const requested = opts.provider ?? providerSetting();
  const base: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Dynamic-size detectors make onnxruntime warn about declared output shapes on every run.
    logSeverityLevel: 3,
  };
  if (requested !== 'cpu') {
    const missing = cudaProviderMissing();
    if (missing && requested === 'auto') {
      return {
        session: await createCpu(ort, model, modelPath, base),
        provider: { requested, active: 'cpu', fallbackReason: missing },
      };
    }
    if (missing) {
      throw new HadirError(
        'PROVIDER_UNAVAILABLE',
        `the CUDA execution provider is not available: ${missing}. Install the CUDA build of onnxruntime-node ` +
          '(npm run cuda:install) on a machine with CUDA 12 and cuDNN 9, or set provider to auto or cpu.',
      );
    }
    try {
      const session = await createOn(ort, model, { ...base, executionProviders: ['cuda'] });
      return { session, provider: { requested, active: 'cuda', fallbackReason: null } };
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      if (requested === 'cuda') {
        throw new HadirError(
          'PROVIDER_UNAVAILABLE',
          `the CUDA execution provider is not available: ${reason}. Install the CUDA build of onnxruntime-node ` +
            '(npm run cuda:install) on a machine with CUDA 12 and cuDNN 9, or set provider to auto or cpu.',
          { cause: e },
        );
      }
      const session = await createCpu(ort, model, modelPath, base);
      return { session, provider: { requested, active: 'cpu', fallbackReason: `CUDA unavailable: ${reason}` } };
    }
  }
  return {
    session: await createCpu(ort, model, modelPath, base),
    provider: { requested, active: 'cpu', fallbackReason: null },
  };
}

/** A session from a file or from the model's bytes (onnxruntime overloads the two). */
function createOn(
  ort: Ort,
  model: string | Uint8Array,
  options: InferenceSession.SessionOptions,
): Promise<InferenceSession> {
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}

async function createCpu(
  ort: Ort,
  model: string | Uint8Array,
  modelPath: string,
  base: InferenceSession.SessionOptions,
): Promise<InferenceSession> {
  try {
    return await createOn(ort, model, { ...base, executionProviders: ['cpu'] });
  } catch (e) {
    throw new HadirError('MODEL_INVALID', `cannot load model ${modelPath}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The CUDA provider ships as a separate shared library that onnxruntime-node's installer only
 * fetches when asked. Checking for it first keeps `auto` quiet on CPU-only installs, where
 * onnxruntime would otherwise log a loader error for every session.
 */
export function cudaProviderMissing(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const pkg = path.dirname(req.resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (process.platform === 'darwin') return 'CUDA is not supported on macOS';
    if (!existsSync(path.join(dir, lib))) {
      return `onnxruntime-node was installed without its CUDA provider (${lib} not found); see README "GPU"`;
    }
    return null;
  } catch (e) {
    return `cannot locate onnxruntime-node: ${(e as Error).message}`;
  }
}

let inferenceMs = 0;

/**
 * `session.run` with its wall time added to this thread's inference counter, so the pipeline can
 * report how much of a request was the networks themselves and how much our own pre/post-processing.
 */
export async function runSession(
  session: InferenceSession,
  feeds: InferenceSession.FeedsType,
): Promise<InferenceSession.ReturnType> {
  const t0 = performance.now();
  try {
    return await session.run(feeds);
  } finally {
    inferenceMs += performance.now() - t0;
  }
}

/** Inference time accumulated on this thread since the last call. */
export function takeInferenceMs(): number {
  const v = inferenceMs;
  inferenceMs = 0;
  return v;
}
