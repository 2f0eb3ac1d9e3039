import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { HadirError, toErrorInfo } from '../../shared/errors';
import { type AnalysisInput, FacePipeline } from './pipeline';
import { type AnalyzeRequest, packAnalysis, type WorkerInit, type WorkerReply, type WorkerRequest } from './protocol';

/**
 * Inference worker: owns its ONNX sessions (loaded once, warmed up before it reports ready)
 * and serves one request at a time, so onnxruntime's blocking `run()` never stalls the main
 * thread's event loop.
 */
const init = workerData as WorkerInit;
const port = parentPort!;
const post = (msg: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

async function start(): Promise<FacePipeline> {
  const t0 = performance.now();
  const pipeline = await FacePipeline.load(init.paths, {
    ...init.session,
    detSizes: init.detSizes,
    livenessThreshold: init.livenessThreshold,
    batchFaces: init.batchFaces,
  });
  await pipeline.warmUp();
  // Once more, timed: the first run pays for lazy initialisation, the second is what a one-face
  // request costs, which seeds the pool's service-time estimate (its queue is sized by time).
  const t1 = performance.now();
  await pipeline.warmUp();
  const serviceMs = performance.now() - t1;
  post({
    kind: 'ready',
    serviceMs,
    provider: pipeline.provider,
    warnings: pipeline.warnings,
    loadMs: performance.now() - t0,
    livenessAvailable: pipeline.livenessAvailable,
    batching: pipeline.batching,
    recognizerBatches: pipeline.recognizer.dynamicBatch,
  });
  return pipeline;
}

async function handle(pipeline: FacePipeline, req: WorkerRequest): Promise<void> {
  if (req.kind === 'analyze-batch') return handleBatch(pipeline, req.items);
  const t0 = performance.now();
  try {
    if (req.kind === 'fault') {
      if (!init.allowFaults) throw new HadirError('BAD_REQUEST', 'fault injection is disabled');
      if (req.mode === 'exit') process.exit(70);
      if (req.mode === 'hang') for (;;);
      throw new Error('injected fault');
    }
    if (req.kind === 'close') {
      await pipeline.dispose();
      post({ kind: 'closed' });
      port.close();
      return;
    }
    const a =
      req.kind === 'analyze-encoded'
        ? await pipeline.analyzeBytes(new Uint8Array(req.bytes), req.params)
        : await pipeline.analyzeImage(
            { data: new Uint8Array(req.rgb), width: req.width, height: req.height },
            req.params,
          );
    const { wire, transfer } = packAnalysis(a);
    post({ kind: 'result', seq: req.seq, ok: true, value: wire, busyMs: performance.now() - t0 }, transfer);
  } catch (e) {
    post({ kind: 'result', seq: req.seq, ok: false, error: toErrorInfo(e), busyMs: performance.now() - t0 });
  }
}

const inputOf = (req: AnalyzeRequest): AnalysisInput =>
  req.kind === 'analyze-encoded'
    ? { bytes: new Uint8Array(req.bytes), opts: req.params }
    : { image: { data: new Uint8Array(req.rgb), width: req.width, height: req.height }, opts: req.params };

/**
 * Several requests, their faces through shared recognizer runs; one result each, in order, each with
 * an equal share of the worker's time (what the pool's service-time estimate drains the queue at).
 */
async function handleBatch(pipeline: FacePipeline, items: AnalyzeRequest[]): Promise<void> {
  const t0 = performance.now();
  let outcomes: Awaited<ReturnType<FacePipeline['analyzeMany']>>;
  try {
    outcomes = await pipeline.analyzeMany(items.map(inputOf));
  } catch (e) {
    outcomes = items.map(() => ({ ok: false, error: e }));
  }
  const busyMs = (performance.now() - t0) / Math.max(1, items.length);
  items.forEach((req, i) => {
    const o = outcomes[i]!;
    if (o.ok) {
      const { wire, transfer } = packAnalysis(o.value);
      post({ kind: 'result', seq: req.seq, ok: true, value: wire, busyMs }, transfer);
    } else {
      post({ kind: 'result', seq: req.seq, ok: false, error: toErrorInfo(o.error), busyMs });
    }
  });
}

start().then(
  (pipeline) => {
    // Requests are handled strictly one after another.
    let chain = Promise.resolve();
    port.on('message', (req: WorkerRequest) => {
      chain = chain.then(() => handle(pipeline, req));
    });
  },
  (e) => {
    post({ kind: 'init-error', error: toErrorInfo(e) });
  },
);
