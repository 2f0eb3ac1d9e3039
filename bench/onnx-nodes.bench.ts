import './setup-env';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InferenceSession } from 'onnxruntime-node';
import { resolvePack } from '../src/main/engine/model-files';
import { withBlockedPRelu } from '../src/main/engine/onnx-prelu';
import { FacePipeline } from '../src/main/engine/pipeline';
import { facesDir } from '../src/main/testing/paths';
import { alignFace } from '../src/main/vision/align';
import { decodeImage } from '../src/main/vision/decode';
import { letterbox } from '../src/main/vision/letterbox';
import { livenessInput } from '../src/main/vision/liveness-crop';
import { loadOrt } from '../src/main/engine/session';
import { argValue, percentile, table } from './stats';

/**
 * Where a network's time goes on this CPU, node type by node type (onnxruntime's own profile), for every
 * model of a pack, as shipped and as the CPU provider loads it (onnx-prelu.ts): the figures behind the
 * PRelu rewrite. One session per form, 1 intra-op thread, `--runs N` timed runs (default 60) of one input
 * from a real photo (`--photo FILE` of the test faces, default f4455149f488.jpeg: its letterbox for the
 * detector, its face aligned for the recognizer and cropped for each liveness model); `--pack ID`,
 * `--json FILE`. Also checks that both forms give the same outputs (the largest absolute difference).
 */
const runs = Number(argValue('--runs') ?? 60);
const pack = await resolvePack(argValue('--pack'));
const ort = await loadOrt();
const profileDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-onnx-nodes-'));

interface Form {
  model: string;
  form: 'as shipped' | 'rewritten';
  p50Ms: number;
  p95Ms: number;
  /** Kernel milliseconds per run by node type, largest first. */
  byOp: Record<string, number>;
}

// Real inputs: branchy kernels (PRelu among them) run at the speed of real data's signs, not of a pattern.
const photo = await decodeImage(readFileSync(path.join(facesDir, argValue('--photo') ?? 'f4455149f488.jpeg')));
const pipeline = await FacePipeline.load({ ...pack, livenessPaths: undefined }, { provider: 'cpu' });
const face = (await pipeline.detect(photo))[0];
await pipeline.dispose();
if (!face) throw new Error('no face in the photo');
const recSize = pack.pack.recognizer.input.size;
const crop = alignFace(photo, face.landmarks, recSize);
const recInput = new Float32Array(3 * recSize * recSize);
for (let c = 0; c < 3; c++) {
  for (let i = 0; i < recSize * recSize; i++)
    recInput[c * recSize * recSize + i] = (crop.data[i * 3 + c] - 127.5) / 127.5;
}
const models: { file: string; dims: number[]; input: Float32Array }[] = [
  { file: pack.detectorPath, dims: [1, 3, 640, 640], input: letterbox(photo, 640, 640).tensor },
  { file: pack.recognizerPath, dims: [1, 3, recSize, recSize], input: recInput },
  ...(pack.livenessPaths ?? []).map((file, i) => {
    const spec = pack.pack.liveness![i];
    return { file, dims: [1, 3, spec.size, spec.size], input: livenessInput(photo, face.bbox, spec) };
  }),
];

async function measure(
  name: string,
  form: Form['form'],
  model: Uint8Array,
  dims: number[],
  input: Float32Array,
): Promise<{ form: Form; output: Float32Array }> {
  const options: InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  };
  const feeds = (s: InferenceSession) => ({ [s.inputNames[0]]: new ort.Tensor('float32', input, dims) });
  // Timed without the profiler (it adds its own cost per node), then a second session profiled.
  const timed = await ort.InferenceSession.create(model, options);
  let output = new Float32Array(0);
  for (let i = 0; i < 5; i++) {
    const r = await timed.run(feeds(timed));
    output = Float32Array.from(r[timed.outputNames[0]].data as Float32Array);
  }
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await timed.run(feeds(timed));
    ms.push(performance.now() - t);
  }
  await timed.release();
  const profiled = await ort.InferenceSession.create(model, {
    ...options,
    enableProfiling: true,
    profileFilePrefix: path.join(profileDir, `${form === 'as shipped' ? 'a' : 'b'}-${name}`),
  });
  const profiledRuns = 20;
  for (let i = 0; i < profiledRuns; i++) await profiled.run(feeds(profiled));
  // Written under the prefix and a timestamp.
  profiled.endProfiling();
  await profiled.release();
  const byOp = nodeTimes(profileDir, `${form === 'as shipped' ? 'a' : 'b'}-${name}`, profiledRuns);
  return { form: { model: name, form, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95), byOp }, output };
}

function nodeTimes(dir: string, prefix: string, perRuns: number): Record<string, number> {
  const file = readdirProfile(dir, prefix);
  const events = JSON.parse(readFileSync(file, 'utf8')) as {
    cat?: string;
    name: string;
    dur: number;
    args?: { op_name?: string };
  }[];
  const byOp: Record<string, number> = {};
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp[op] = (byOp[op] ?? 0) + e.dur / 1000 / perRuns;
  }
  return Object.fromEntries(Object.entries(byOp).sort((a, b) => b[1] - a[1]));
}

function readdirProfile(dir: string, prefix: string): string {
  const name = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
  if (!name) throw new Error(`no onnxruntime profile for ${prefix}`);
  return path.join(dir, name);
}

const forms: Form[] = [];
const diffs: { model: string; rewritten: boolean; maxAbsDiff: number }[] = [];
try {
  for (const { file, dims, input } of models) {
    const name = path.basename(file, '.onnx');
    const shipped = new Uint8Array(readFileSync(file));
    const rewritten = withBlockedPRelu(shipped);
    const a = await measure(name, 'as shipped', shipped, dims, input);
    forms.push(a.form);
    if (!rewritten) {
      diffs.push({ model: name, rewritten: false, maxAbsDiff: 0 });
      continue;
    }
    const b = await measure(name, 'rewritten', rewritten, dims, input);
    forms.push(b.form);
    let max = 0;
    for (let i = 0; i < a.output.length; i++) max = Math.max(max, Math.abs(a.output[i] - b.output[i]));
    diffs.push({ model: name, rewritten: true, maxAbsDiff: max });
  }
} finally {
  rmSync(profileDir, { recursive: true, force: true });
}

const top = (byOp: Record<string, number>) =>
  Object.entries(byOp)
    .slice(0, 4)
    .map(([op, ms]) => `${op} ${ms.toFixed(2)}`)
    .join(', ');
console.log(`pack ${pack.pack.id}, CPU provider, 1 intra-op thread, ${runs} runs; ms per run\n`);
console.log(
  table(
    ['model', 'form', 'p50', 'p95', 'largest node types (profiled ms per run)'],
    forms.map((f) => [f.model, f.form, f.p50Ms, f.p95Ms, top(f.byOp)]),
  ),
);
console.log(
  '\n' +
    table(
      ['model', 'rewritten', 'max abs diff'],
      diffs.map((d) => [d.model, String(d.rewritten), d.maxAbsDiff]),
    ),
);
const out = argValue('--json');
if (out) writeFileSync(out, JSON.stringify({ pack: pack.pack.id, runs, forms, diffs }, null, 2));
