import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { HadirError } from '../../shared/errors';
import { ModelSource } from './model-prepare';
import {
  type ActiveProvider,
  autoProviderOrder,
  type AutoOrder,
  fallbackReason,
  type GpuProvider,
  gpuDevicePresent,
  parseProviderSetting,
  PROVIDER_NAMES,
  providerChoices,
  type ProviderSetting,
} from './provider-order';

export type { ActiveProvider, GpuProvider, ProviderSetting } from './provider-order';

export interface SessionOptions {
  provider?: ProviderSetting;
  /** Threads one session may use for one operator; onnxruntime's default takes every core. */
  intraOpNumThreads?: number;
}

export interface ProviderStatus {
  requested: ProviderSetting;
  active: ActiveProvider;
  /** Why `auto` did not end up on the first GPU provider it could have used (on the CPU: why each was skipped or failed). */
  fallbackReason: string | null;
}

export interface LoadedSession {
  session: InferenceSession;
  provider: ProviderStatus;
}

/** The provider setting from HADIR_PROVIDER (auto | cuda | webgpu | dml | cpu), default auto. */
export function providerSetting(): ProviderSetting {
  const v = parseProviderSetting(process.env.HADIR_PROVIDER ?? 'auto');
  if (v) return v;
  throw new HadirError(
    'BAD_REQUEST',
    `HADIR_PROVIDER must be ${providerChoices()} (got "${process.env.HADIR_PROVIDER}")`,
  );
}

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | null = null;

/** onnxruntime is loaded lazily: the CLI's usage errors and the UI must not wait for it. */
export function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').then((m) => ((m as unknown as { default?: Ort }).default ?? m) as Ort);
  return ortModule;
}

/**
 * Create a session on the requested execution provider. A GPU provider asked for by name (`cuda`,
 * `webgpu`, `dml`) fails loudly when it cannot be used; `auto` tries the GPU providers this machine
 * plausibly offers (provider-order.ts) and falls back to the CPU, keeping the reason so it can be reported.
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
  const model = new ModelSource(modelPath, load);
  const requested = opts.provider ?? providerSetting();
  const base: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Dynamic-size detectors make onnxruntime warn about declared output shapes on every run.
    logSeverityLevel: 3,
  };
  if (requested === 'cpu') {
    return {
      session: await createCpu(ort, model, base),
      provider: { requested, active: 'cpu', fallbackReason: null },
    };
  }
  if (requested === 'auto') return createAuto(ort, model, base);
  // Asked for by name: tried whatever the device heuristic says, and a failure is the caller's to see.
  const missing = explicitProviderMissing(requested);
  if (missing) throw providerUnavailable(requested, missing);
  try {
    const session = await createOn(ort, await model.for('gpu'), { ...base, executionProviders: [requested] });
    return { session, provider: { requested, active: requested, fallbackReason: null } };
  } catch (e) {
    throw providerUnavailable(requested, ortReason(e), e);
  }
}

/** Why an explicitly requested GPU provider cannot be used on this machine at all, before trying it. */
function explicitProviderMissing(provider: GpuProvider): string | null {
  if (provider === 'cuda') return cudaProviderMissing();
  if (provider === 'dml' && process.platform !== 'win32') {
    return `DirectML is Windows-only (this machine runs ${process.platform})`;
  }
  return null;
}

/** PROVIDER_UNAVAILABLE for a provider asked for by name: what failed, and what to do about it. */
function providerUnavailable(provider: GpuProvider, reason: string, cause?: unknown): HadirError {
  const remedy: Record<GpuProvider, string> = {
    cuda: 'Install the CUDA build of onnxruntime-node (npm run cuda:install) on a machine with CUDA 12 and cuDNN 9',
    webgpu:
      'WebGPU needs a GPU with its drivers: Vulkan on Linux, Direct3D 12 on Windows, Metal on macOS (see README "GPU")',
    dml: 'DirectML needs Windows 10 or later and a Direct3D 12 GPU (see README "GPU")',
  };
  return new HadirError(
    'PROVIDER_UNAVAILABLE',
    `the ${PROVIDER_NAMES[provider]} execution provider is not available: ${reason}. ${remedy[provider]}, ` +
      'or set provider to auto or cpu.',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * onnxruntime's reason, first line only, without the source location of the check that failed
 * ("…/webgpu_context.cc:136 …::Initialize… was false. Failed to get a WebGPU adapter: …").
 */
export function ortReason(e: unknown): string {
  const first = (e instanceof Error ? e.message : String(e)).trim().split('\n')[0].trim();
  const m = /^\S+\.(?:cc|cpp|h):\d+ .*? was false\. (.+)$/.exec(first);
  return m ? m[1] : first;
}

// What `auto` learned on this thread (module state is per worker thread): a GPU provider that failed is
// not tried again, so that a pipeline's later sessions neither wait for nor print the same failure.
const gpuFailures = new Map<GpuProvider, string>();
/** The GPU providers `auto` has created a session on in this thread. */
const gpuWorked = new Set<GpuProvider>();
/** Bumped when a provider that had worked on this thread fails for a later model (autoProviderEpoch). */
let epoch = 0;
/** Until the provider to try has worked here, `auto`'s attempts take turns: concurrent sessions share its outcome. */
let probeTurn: Promise<void> = Promise.resolve();
let environment: AutoOrder | null = null;

/** auto's order on this machine (provider-order.ts), worked out once per thread. */
function autoOrder(ort: Ort): AutoOrder {
  if (environment) return environment;
  let backends: string[] | null;
  try {
    backends = ort.listSupportedBackends().map((b) => b.name);
  } catch {
    backends = null;
  }
  const devNames = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  environment = autoProviderOrder({
    platform: process.platform,
    cudaMissing: cudaProviderMissing(),
    backends,
    gpuDevice: gpuDevicePresent(process.platform, devNames),
  });
  return environment;
}

/**
 * Whether a session under this setting may land on a GPU: a GPU provider asked for by name, or `auto`
 * with a GPU provider left to try. The pipeline chooses the recognizer's batch axis by it.
 */
export async function gpuProviderExpected(setting: ProviderSetting): Promise<boolean> {
  if (setting === 'cpu') return false;
  if (setting !== 'auto') return true;
  return autoOrder(await loadOrt()).tryOrder.some((p) => !gpuFailures.has(p));
}

/**
 * Forget what `auto` learned on this thread and, given an order, use it instead of this machine's: for
 * tests, to make `auto` try a provider this machine does not offer. Null: back to this machine's order.
 */
export function resetAutoProviderForTests(order: AutoOrder | null = null): void {
  gpuFailures.clear();
  gpuWorked.clear();
  environment = order;
}

/**
 * Changes when a GPU provider that `auto` had used on this thread failed for a later model, leaving
 * earlier sessions on a provider later ones are not on. The pipeline compares it around its loading
 * and loads again when it moved, so that all its sessions share one provider.
 */
export function autoProviderEpoch(): number {
  return epoch;
}

async function createAuto(ort: Ort, model: ModelSource, base: InferenceSession.SessionOptions): Promise<LoadedSession> {
  const next = autoOrder(ort).tryOrder.find((p) => !gpuFailures.has(p));
  // Nothing left to try but the CPU, or a provider already proven here: no need to wait for a turn.
  if (next === undefined || gpuWorked.has(next)) return tryAuto(ort, model, base);
  const previous = probeTurn;
  let done!: () => void;
  probeTurn = new Promise((resolve) => (done = resolve));
  await previous;
  try {
    return await tryAuto(ort, model, base);
  } finally {
    done();
  }
}

async function tryAuto(ort: Ort, model: ModelSource, base: InferenceSession.SessionOptions): Promise<LoadedSession> {
  const order = autoOrder(ort);
  for (const p of order.tryOrder) {
    if (gpuFailures.has(p)) continue;
    try {
      const session = await createOn(ort, await model.for('gpu'), { ...base, executionProviders: [p] });
      gpuWorked.add(p);
      // Only a provider tried and failed ahead of this one counts as a fallback; one not offered does not.
      const reason = fallbackReason({ ...order, skipped: [] }, gpuFailures, p);
      return { session, provider: { requested: 'auto', active: p, fallbackReason: reason } };
    } catch (e) {
      gpuFailures.set(p, ortReason(e));
      if (gpuWorked.has(p)) epoch++;
    }
  }
  return {
    session: await createCpu(ort, model, base),
    provider: { requested: 'auto', active: 'cpu', fallbackReason: fallbackReason(order, gpuFailures, null) },
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
  model: ModelSource,
  base: InferenceSession.SessionOptions,
): Promise<InferenceSession> {
  const options = { ...base, executionProviders: ['cpu'] };
  const prepared = await model.for('cpu');
  try {
    return await createOn(ort, prepared, options);
  } catch (e) {
    // Should a rewrite ever give a graph onnxruntime refuses, the model as shipped still loads.
    if (prepared !== model.path) return createCpu(ort, new ModelSource(model.path, { asShipped: true }), base);
    throw new HadirError('MODEL_INVALID', `cannot load model ${model.path}: ${(e as Error).message}`, { cause: e });
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
