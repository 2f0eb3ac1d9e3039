import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { HadirError, type ErrorInfo } from '../../shared/errors';
import type { ImageAnalysis } from '../../shared/face';
import type { PipelinePaths } from './pipeline';
import {
  BATCH_WINDOW_MS,
  batchFacesSetting,
  MAX_BATCH_FACES,
  type BatchFacesSetting,
  type BatchFacesStatus,
} from './batch-faces';
import {
  type AnalyzeParams,
  type AnalyzeRequest,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
  unpackAnalysis,
} from './protocol';
import { deviceLabel } from './provider-order';
import { providerSetting, type ProviderSetting, type ProviderStatus } from './session';
import { inferenceWorkerEntry } from './worker-entry';
import { packLivenessThreshold } from './liveness';

export interface PoolOptions {
  paths: PipelinePaths;
  /** Inference workers; each runs one request at a time. */
  workers?: number;
  /** onnxruntime intra-op threads per session. */
  intraOpNumThreads?: number;
  provider?: ProviderSetting;
  detSizes?: number[];
  /** Overrides the pack's liveness threshold (a site setting). */
  livenessThreshold?: number;
  /**
   * A hard cap on requests waiting for a worker (default 1024). Admission is by time (see
   * `admitsWithin`): this cap and `maxQueuedBytes` only bound memory.
   */
  maxQueue?: number;
  /** Bytes of images waiting for a worker beyond which new requests fail at once with BUSY (default 256 MiB). */
  maxQueuedBytes?: number;
  /** Default per-request deadline (TIMEOUT), from submission. */
  timeoutMs?: number;
  /**
   * `all` (default): `start` resolves once every worker is warm. `first`: once one is, the others
   * starting behind it one after another (a server answers sooner; status shows them joining).
   */
  readyWhen?: 'all' | 'first';
  /** How long a worker may stay on a request past its deadline before it is replaced. */
  stuckMs?: number;
  /** Tests only: let `injectFault` reach the workers. */
  allowFaultInjection?: boolean;
  /**
   * Faces of several waiting requests through one recognizer run (HADIR_BATCH_FACES, default `auto`:
   * on when the active provider is a GPU one).
   */
  batchFaces?: BatchFacesSetting;
  /** With batching on: how long a request that finds a worker idle waits for company, ms (default 2). */
  batchWindowMs?: number;
  /** With batching on: the most requests in one batch (default 32; a recognizer run takes at most 32 crops). */
  maxBatch?: number;
}

export interface EngineStatus {
  ready: boolean;
  workers: number;
  liveWorkers: number;
  busyWorkers: number;
  queueDepth: number;
  maxQueue: number;
  intraOpNumThreads: number;
  provider: ProviderStatus | null;
  /**
   * Whether every live worker can judge liveness (false before any is ready). When false, anything
   * that requires liveness must refuse.
   */
  livenessAvailable: boolean;
  /** Human-readable device, e.g. "CPU (2 cores)", "CUDA GPU 0", "DirectML GPU 0" or "WebGPU GPU". */
  device: string;
  warnings: string[];
  restarts: number;
  startMs: number;
  /**
   * Measured time one request keeps a worker (an EWMA over this pool's requests), ms. This and the
   * next two are absent from engines that do not measure (test doubles): they admit by count only.
   */
  serviceMs?: number;
  /** Expected time until a request submitted now reaches a worker, ms (0 when one is idle). */
  expectedWaitMs?: number;
  /** The deadline of a request that does not set its own, ms. */
  timeoutMs?: number;
  /** Cross-request batching of the recognizer: the setting, whether it is on, and how often it happened. */
  batchFaces?: BatchFacesStatus;
}

/**
 * Whether a request submitted now is expected to finish within `deadlineMs` (default: the engine's):
 * the queue is sized by time, not count. Callers that can refuse early (the HTTP server, before it
 * reads a body) ask this; the pool asks it again on submission.
 */
export function admitsWithin(s: Partial<EngineStatus>, deadlineMs?: number): boolean {
  if (s.liveWorkers !== undefined && s.busyWorkers !== undefined && s.busyWorkers < s.liveWorkers) return true;
  if (s.queueDepth !== undefined && s.maxQueue !== undefined && s.queueDepth >= s.maxQueue) return false;
  if (s.serviceMs === undefined || s.expectedWaitMs === undefined) return true;
  const deadline = deadlineMs ?? s.timeoutMs ?? Infinity;
  return s.expectedWaitMs + s.serviceMs <= deadline;
}

export interface RequestOptions {
  timeoutMs?: number;
}

/**
 * The default pool shape, chosen by measurement on a 2-core machine (bench/pool.bench.ts, figures
 * in the README): two single-threaded workers beat one worker with two intra-op threads on both
 * single-request latency and throughput, because these small models gain little from splitting one
 * convolution across cores while the JavaScript stages (decode, letterbox, warp) run on one core
 * per worker anyway. Larger machines get one two-threaded worker per two cores (capped: each
 * worker holds its own sessions). Inside Electron, where onnxruntime-node has crash reports with
 * several worker threads (onnxruntime #20084), one worker with every core is the default; the
 * `workers` setting (HADIR_ENGINE_WORKERS) overrides either.
 */
export function defaultPoolShape(
  cores = os.availableParallelism?.() ?? os.cpus().length,
  inElectron = Boolean(process.versions.electron),
): { workers: number; intraOpNumThreads: number } {
  const shape = basePoolShape(cores, inElectron);
  // Several processes on one machine (hub processes behind a proxy) must share its cores: each says its
  // own threads per worker, else each takes them all and together they spend twice the CPU contending.
  const threads = Number(process.env.HADIR_ENGINE_THREADS);
  return Number.isInteger(threads) && threads > 0 ? { ...shape, intraOpNumThreads: threads } : shape;
}

function basePoolShape(cores: number, inElectron: boolean): { workers: number; intraOpNumThreads: number } {
  const fromEnv = Number(process.env.HADIR_ENGINE_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) {
    return { workers: fromEnv, intraOpNumThreads: Math.max(1, Math.floor(cores / fromEnv)) };
  }
  if (inElectron) return { workers: 1, intraOpNumThreads: Math.max(1, Math.min(cores, 4)) };
  if (cores <= 4) return { workers: Math.max(1, cores), intraOpNumThreads: 1 };
  return { workers: Math.min(8, Math.floor(cores / 2)), intraOpNumThreads: 2 };
}

interface Job {
  seq: number;
  msg: WorkerRequest;
  /** When it was queued (performance.now()), for the batching window. */
  queuedAt: number;
  transfer: ArrayBuffer[];
  bytes: number;
  resolve: (a: ImageAnalysis) => void;
  reject: (e: HadirError) => void;
  timer: NodeJS.Timeout | null;
  settled: boolean;
}

interface Slot {
  id: number;
  worker: Worker;
  ready: boolean;
  livenessAvailable: boolean;
  /** Whether this worker takes batches (the setting on its provider). */
  batching: boolean;
  recognizerBatches: boolean;
  /** What it is working on: one request, or the requests of one batch. */
  jobs: Job[];
  stuckTimer: NodeJS.Timeout | null;
  closing: boolean;
}

const errorOf = (e: ErrorInfo) => new HadirError(e.code, e.message);

/**
 * A pool of inference workers with a bounded queue, deadlines, crash recovery and draining
 * shutdown. Workers start one after another: several threads loading onnxruntime-node at the
 * same moment is what the crashes reported against Electron (onnxruntime #20084) have in common.
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private seq = 0;
  private nextSlotId = 0;
  private closing = false;
  private restarts = 0;
  private consecutiveStartFailures = 0;
  private provider: ProviderStatus | null = null;
  private warnings: string[] = [];
  private startMs = 0;
  private readonly size: number;
  private readonly threads: number;
  private readonly maxQueue: number;
  private readonly maxQueuedBytes: number;
  private queuedBytes = 0;
  private readonly timeoutMs: number;
  private readonly stuckMs: number;
  /** EWMA of a request's time on a worker; seeded by the workers' timed warm-up run. */
  private serviceMs = 0;
  /** The workers that start behind the first one (readyWhen 'first'); close() waits for them. */
  private growing: Promise<void> = Promise.resolve();
  /** The p_real threshold sent with every liveness request, so a changed setting needs no restart. */
  private liveness: number;
  private readonly batchSetting: BatchFacesSetting;
  private readonly batchWindowMs: number;
  private readonly maxBatch: number;
  /** Set while requests wait out the batching window for an idle worker. */
  private windowTimer: NodeJS.Timeout | null = null;
  private batchCounts = { batches: 0, batchedRequests: 0, largestBatch: 0 };

  private constructor(private readonly opts: PoolOptions) {
    const shape = defaultPoolShape();
    this.size = Math.max(1, opts.workers ?? shape.workers);
    this.threads = Math.max(1, opts.intraOpNumThreads ?? shape.intraOpNumThreads);
    this.maxQueue = Math.max(0, opts.maxQueue ?? 1024);
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 256 * 1024 * 1024;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.stuckMs = opts.stuckMs ?? 30_000;
    this.liveness = checkedThreshold(opts.livenessThreshold ?? packLivenessThreshold(opts.paths.pack));
    this.batchSetting = opts.batchFaces ?? batchFacesSetting();
    this.batchWindowMs = Math.max(0, opts.batchWindowMs ?? BATCH_WINDOW_MS);
    this.maxBatch = Math.max(1, opts.maxBatch ?? MAX_BATCH_FACES);
  }

  /** The p_real threshold liveness requests are judged by now (the site's setting, else the pack's). */
  get livenessThreshold(): number {
    return this.liveness;
  }

  /**
   * The site's liveness threshold changed (undefined: back to the pack's): requests submitted from now
   * on are judged by it, without restarting the workers.
   */
  setLivenessThreshold(threshold: number | undefined): void {
    this.liveness = checkedThreshold(threshold ?? packLivenessThreshold(this.opts.paths.pack));
  }

  private judged(params: AnalyzeParams): AnalyzeParams {
    return params.liveness && params.livenessThreshold === undefined
      ? { ...params, livenessThreshold: this.liveness }
      : params;
  }

  /**
   * Start the workers one after another, each loaded and warmed up; resolves when all are ready, or
   * with `readyWhen: 'first'` when the first is (the rest keep starting, one after another).
   */
  static async start(opts: PoolOptions): Promise<InferencePool> {
    const { pool, ready } = InferencePool.launch(opts);
    await ready;
    return pool;
  }

  /**
   * The same, without waiting: the pool at once (requests queue until a worker is ready) and the
   * promise `start` would return. The caller can do its own start-up work while the models load. On
   * failure the pool is closed and `ready` rejects (it never rejects unobserved).
   */
  static launch(opts: PoolOptions): { pool: InferencePool; ready: Promise<void> } {
    const pool = new InferencePool(opts);
    const t0 = performance.now();
    const first = opts.readyWhen === 'first' ? 1 : pool.size;
    const ready = (async () => {
      try {
        for (let i = 0; i < first; i++) await pool.spawn();
      } catch (e) {
        await pool.close({ graceMs: 0 });
        throw e;
      }
      pool.startMs = performance.now() - t0;
      if (first < pool.size) pool.growing = pool.startRest(pool.size - first);
    })();
    ready.catch(() => {});
    return { pool, ready };
  }

  private async startRest(n: number): Promise<void> {
    for (let i = 0; i < n && !this.closing; i++) {
      try {
        await this.spawn();
      } catch (e) {
        const why = `an inference worker failed to start (${(e as Error).message}); running with ${this.slots.length}`;
        if (!this.warnings.includes(why)) this.warnings.push(why);
        return;
      }
    }
  }

  private spawn(): Promise<void> {
    const entry = inferenceWorkerEntry();
    const init: WorkerInit = {
      paths: this.opts.paths,
      session: { provider: this.opts.provider ?? providerSetting(), intraOpNumThreads: this.threads },
      detSizes: this.opts.detSizes,
      livenessThreshold: this.opts.livenessThreshold,
      batchFaces: this.batchSetting,
      allowFaults: this.opts.allowFaultInjection === true,
    };
    const worker = new Worker(entry.file, { workerData: init, execArgv: entry.execArgv });
    const slot: Slot = {
      id: this.nextSlotId++,
      worker,
      ready: false,
      livenessAvailable: false,
      batching: false,
      recognizerBatches: false,
      jobs: [],
      stuckTimer: null,
      closing: false,
    };
    this.slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (msg: WorkerReply) => {
        if (msg.kind === 'ready') {
          started = true;
          slot.ready = true;
          slot.livenessAvailable = msg.livenessAvailable;
          slot.batching = msg.batching;
          slot.recognizerBatches = msg.recognizerBatches;
          // The timed warm-up run is the best guess until real requests are measured.
          if (this.serviceMs === 0 && msg.serviceMs > 0) this.serviceMs = msg.serviceMs;
          this.provider ??= msg.provider;
          for (const w of msg.warnings) if (!this.warnings.includes(w)) this.warnings.push(w);
          this.consecutiveStartFailures = 0;
          resolve();
          this.dispatch();
        } else if (msg.kind === 'init-error') {
          started = true;
          this.consecutiveStartFailures++;
          this.removeSlot(slot);
          void worker.terminate();
          reject(errorOf(msg.error));
        } else if (msg.kind === 'result') {
          this.onResult(slot, msg);
        }
      });
      let lastError = '';
      worker.on('error', (err) => {
        lastError = err.message;
        if (started) this.onWorkerGone(slot, `worker error: ${err.message}`);
      });
      worker.on('exit', (code) => {
        if (!started) {
          started = true;
          this.consecutiveStartFailures++;
          this.removeSlot(slot);
          reject(
            new HadirError(
              'WORKER_CRASHED',
              `inference worker exited with code ${code} while starting${lastError ? `: ${lastError}` : ''}`,
            ),
          );
          return;
        }
        this.onWorkerGone(slot, `worker exited with code ${code}`);
      });
    });
  }

  private removeSlot(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (slot.stuckTimer) clearTimeout(slot.stuckTimer);
  }

  private onWorkerGone(slot: Slot, why: string): void {
    if (!this.slots.includes(slot)) return;
    this.removeSlot(slot);
    for (const job of slot.jobs.splice(0)) {
      this.settle(job, new HadirError('WORKER_CRASHED', `the inference worker stopped (${why}); try again`));
    }
    if (this.closing || slot.closing) return;
    this.restarts++;
    // Replace it; give up after repeated start failures so a broken model cannot spin forever.
    if (this.consecutiveStartFailures < 3) {
      this.spawn().catch(() => {
        if (this.slots.length === 0) this.failQueued('WORKER_CRASHED', 'no inference worker could be started');
      });
    } else if (this.slots.length === 0) {
      this.failQueued('WORKER_CRASHED', 'no inference worker could be started');
    }
  }

  private onResult(slot: Slot, msg: Extract<WorkerReply, { kind: 'result' }>): void {
    const i = slot.jobs.findIndex((j) => j.seq === msg.seq);
    const job = i >= 0 ? slot.jobs.splice(i, 1)[0] : undefined;
    if (slot.jobs.length === 0) {
      if (slot.stuckTimer) clearTimeout(slot.stuckTimer);
      slot.stuckTimer = null;
    }
    if (job) {
      // The worker's own time on it: what the queue drains at, whatever the main thread was doing.
      const took = msg.busyMs;
      this.serviceMs = this.serviceMs === 0 ? took : this.serviceMs + EWMA_ALPHA * (took - this.serviceMs);
      if (msg.ok) this.settle(job, null, unpackAnalysis(msg.value));
      else this.settle(job, errorOf(msg.error));
    }
    if (slot.jobs.length === 0) this.dispatch();
  }

  private settle(job: Job, err: HadirError | null, value?: ImageAnalysis): void {
    if (job.settled) return;
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    if (err) job.reject(err);
    else job.resolve(value!);
  }

  private failQueued(code: 'WORKER_CRASHED' | 'SHUT_DOWN', message: string): void {
    this.queuedBytes = 0;
    for (const job of this.queue.splice(0)) this.settle(job, new HadirError(code, message));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.jobs.length > 0 || slot.closing) continue;
      if (slot.batching && this.holdForBatch()) return;
      const jobs = slot.batching ? this.takeBatch(this.idleSlots()) : [this.queue.shift()!];
      for (const job of jobs) this.queuedBytes -= job.bytes;
      slot.jobs = jobs;
      if (jobs.length === 1) {
        slot.worker.postMessage(jobs[0].msg, jobs[0].transfer);
        continue;
      }
      this.batchCounts.batches++;
      this.batchCounts.batchedRequests += jobs.length;
      this.batchCounts.largestBatch = Math.max(this.batchCounts.largestBatch, jobs.length);
      const msg: WorkerRequest = {
        seq: ++this.seq,
        kind: 'analyze-batch',
        items: jobs.map((j) => j.msg as AnalyzeRequest),
      };
      slot.worker.postMessage(
        msg,
        jobs.flatMap((j) => j.transfer),
      );
    }
  }

  /**
   * Whether an idle batching worker should wait for more requests: while the oldest has waited less than
   * the window and a batch is not full. A timer dispatches when the window closes.
   */
  private holdForBatch(): boolean {
    if (this.closing || this.queue.length >= this.maxBatch) return false;
    const wait = this.queue[0].queuedAt + this.batchWindowMs - performance.now();
    if (wait <= 0) return false;
    this.windowTimer ??= setTimeout(() => {
      this.windowTimer = null;
      this.dispatch();
    }, Math.ceil(wait));
    return true;
  }

  private idleSlots(): number {
    return this.slots.filter((s) => s.ready && !s.closing && s.jobs.length === 0).length;
  }

  /**
   * The analysis requests at the head of the queue, up to a batch (any other request goes alone), shared
   * out among the `idle` workers: requests waiting while several are idle keep them all busy.
   */
  private takeBatch(idle: number): Job[] {
    const size = Math.min(this.maxBatch, Math.ceil(this.queue.length / Math.max(1, idle)));
    const first = this.queue.shift()!;
    if (!isAnalysis(first.msg)) return [first];
    const jobs = [first];
    while (jobs.length < size && this.queue.length > 0 && isAnalysis(this.queue[0].msg)) {
      jobs.push(this.queue.shift()!);
    }
    return jobs;
  }

  /**
   * When a request submitted now should reach a worker: every worker is busy, so it waits for the
   * ones queued before it and for one in-flight request, shared by the live workers.
   */
  private expectedWaitMs(): number {
    const live = this.slots.filter((s) => s.ready && !s.closing);
    if (live.length === 0 || live.some((s) => s.jobs.length === 0)) return 0;
    return Math.ceil((this.queue.length + 1) / live.length) * this.serviceMs;
  }

  private submit(make: (seq: number) => { msg: WorkerRequest; transfer: ArrayBuffer[] }, opts?: RequestOptions) {
    return new Promise<ImageAnalysis>((resolve, reject) => {
      if (this.closing) {
        reject(new HadirError('SHUT_DOWN', 'the inference engine is shutting down'));
        return;
      }
      const timeoutMs = opts?.timeoutMs ?? this.timeoutMs;
      const idle = this.slots.some((s) => s.ready && s.jobs.length === 0 && !s.closing);
      if (!idle) {
        // Refused now rather than at the deadline: a request that cannot finish in time only takes
        // a worker from one that can.
        const waitMs = this.expectedWaitMs();
        const why =
          this.queue.length >= this.maxQueue || this.queuedBytes >= this.maxQueuedBytes
            ? `${this.queue.length} requests waiting`
            : waitMs + this.serviceMs > timeoutMs * ADMISSION_SHARE
              ? `about ${Math.round(waitMs + this.serviceMs)} ms to an answer, over the ${Math.round(timeoutMs)} ms deadline`
              : null;
        if (why) {
          reject(new HadirError('BUSY', `the inference engine is busy (${why}); retry shortly`));
          return;
        }
      }
      const seq = ++this.seq;
      const { msg, transfer } = make(seq);
      const bytes = transfer.reduce((n, b) => n + b.byteLength, 0);
      const job: Job = {
        seq,
        msg,
        queuedAt: performance.now(),
        transfer,
        bytes,
        resolve,
        reject,
        timer: null,
        settled: false,
      };
      job.timer = setTimeout(() => this.onDeadline(job, timeoutMs), timeoutMs);
      this.queue.push(job);
      this.queuedBytes += bytes;
      this.dispatch();
    });
  }

  private onDeadline(job: Job, timeoutMs: number): void {
    const qi = this.queue.indexOf(job);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      this.queuedBytes -= job.bytes;
    }
    this.settle(job, new HadirError('TIMEOUT', `no result within ${timeoutMs} ms`));
    const slot = this.slots.find((s) => s.jobs.includes(job));
    if (slot && !slot.stuckTimer) {
      // The worker is still on it. If it never comes back, replace it rather than lose the slot.
      slot.stuckTimer = setTimeout(() => {
        if (slot.jobs.includes(job)) void slot.worker.terminate();
      }, this.stuckMs);
    }
  }

  /**
   * Analyse an encoded image. The bytes' memory moves to the worker when the view covers its
   * whole ArrayBuffer (do not use it afterwards); otherwise it is copied once.
   */
  analyzeEncoded(bytes: Uint8Array, params: AnalyzeParams = {}, opts?: RequestOptions): Promise<ImageAnalysis> {
    const buf = ownedBuffer(bytes);
    const p = this.judged(params);
    return this.submit(
      (seq) => ({ msg: { seq, kind: 'analyze-encoded', bytes: buf, params: p }, transfer: [buf] }),
      opts,
    );
  }

  /** Analyse a decoded RGB frame (width·height·3 bytes); the same ownership rule applies. */
  analyzeRgb(
    rgb: Uint8Array,
    width: number,
    height: number,
    params: AnalyzeParams = {},
    opts?: RequestOptions,
  ): Promise<ImageAnalysis> {
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 1 ||
      height < 1 ||
      rgb.length !== width * height * 3
    ) {
      return Promise.reject(
        new HadirError('BAD_REQUEST', `RGB frame must be width·height·3 bytes (${width}x${height})`),
      );
    }
    const buf = ownedBuffer(rgb);
    const p = this.judged(params);
    return this.submit(
      (seq) => ({ msg: { seq, kind: 'analyze-rgb', rgb: buf, width, height, params: p }, transfer: [buf] }),
      opts,
    );
  }

  /** Tests only: make a worker exit, throw or hang on its next request. */
  injectFault(mode: 'exit' | 'throw' | 'hang', opts?: RequestOptions): Promise<ImageAnalysis> {
    return this.submit((seq) => ({ msg: { seq, kind: 'fault', mode }, transfer: [] }), opts);
  }

  status(): EngineStatus {
    const live = this.slots.filter((s) => s.ready);
    const cores = os.availableParallelism?.() ?? os.cpus().length;
    return {
      ready: !this.closing && live.length > 0,
      workers: this.size,
      liveWorkers: live.length,
      busyWorkers: live.filter((s) => s.jobs.length > 0).length,
      queueDepth: this.queue.length,
      maxQueue: this.maxQueue,
      intraOpNumThreads: this.threads,
      provider: this.provider,
      livenessAvailable: live.length > 0 && live.every((s) => s.livenessAvailable),
      device: deviceLabel(this.provider?.active ?? 'cpu', cores),
      warnings: [...this.warnings],
      restarts: this.restarts,
      startMs: this.startMs,
      serviceMs: this.serviceMs,
      expectedWaitMs: this.expectedWaitMs(),
      timeoutMs: this.timeoutMs,
      batchFaces: {
        setting: this.batchSetting,
        on: live.length > 0 && live.every((s) => s.batching),
        recognizerBatches: live.length > 0 && live.every((s) => s.recognizerBatches),
        ...this.batchCounts,
      },
    };
  }

  /**
   * Stop accepting work, let queued and in-flight requests finish (up to `graceMs`), fail what is
   * left with SHUT_DOWN, then release every worker's sessions and end the threads.
   */
  async close(opts: { graceMs?: number } = {}): Promise<void> {
    if (this.closing && this.slots.length === 0) return;
    this.closing = true;
    // A worker still loading is let finish: ending a thread inside session creation is not safe.
    await this.growing;
    const graceMs = opts.graceMs ?? 10_000;
    const deadline = Date.now() + graceMs;
    while ((this.queue.length > 0 || this.slots.some((s) => s.jobs.length > 0)) && Date.now() < deadline) {
      await sleep(10);
    }
    this.failQueued('SHUT_DOWN', 'the inference engine shut down before this request ran');
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.windowTimer = null;
    await Promise.all(
      [...this.slots].map(async (slot) => {
        slot.closing = true;
        if (slot.jobs.length > 0) {
          for (const job of slot.jobs) {
            this.settle(job, new HadirError('SHUT_DOWN', 'the inference engine shut down during this request'));
          }
          // Never end a thread inside onnxruntime's run(): tearing down a live session aborts the
          // process. Wait for the run to come back (a JS hang is ended after stuckMs).
          const cap = Date.now() + this.stuckMs;
          while (slot.jobs.length > 0 && this.slots.includes(slot) && Date.now() < cap) await sleep(10);
        }
        if (slot.jobs.length === 0 && slot.ready && this.slots.includes(slot)) {
          // Release the sessions inside the worker before its thread ends.
          const closed = new Promise<void>((resolve) => {
            slot.worker.once('exit', () => resolve());
            slot.worker.on('message', (m: WorkerReply) => m.kind === 'closed' && resolve());
          });
          slot.worker.postMessage({ seq: ++this.seq, kind: 'close' } satisfies WorkerRequest);
          // A cleared timer, not sleep(): a pending 5 s timer would keep a stopping process alive.
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
          clearTimeout(timer);
        }
        this.removeSlot(slot);
        await slot.worker.terminate();
      }),
    );
  }
}

const isAnalysis = (m: WorkerRequest): m is AnalyzeRequest => m.kind === 'analyze-encoded' || m.kind === 'analyze-rgb';

/** Weight of the newest request in the service-time average: about the last ten requests count. */
const EWMA_ALPHA = 0.2;
/**
 * The share of a request's deadline the expected wait may fill at admission. The estimate is the workers'
 * own time; what it cannot see (other processes on the same cores, a busy event loop) must fit in the rest,
 * or admitted requests time out at the deadline instead of being refused at once.
 */
const ADMISSION_SHARE = 0.8;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function ownedBuffer(view: Uint8Array): ArrayBuffer {
  const b = view.buffer;
  if (b instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === b.byteLength) return b;
  return view.slice().buffer as ArrayBuffer;
}

function checkedThreshold(t: number): number {
  if (!(t >= 0 && t <= 1)) throw new HadirError('BAD_REQUEST', `the liveness threshold must lie in [0, 1] (got ${t})`);
  return t;
}
