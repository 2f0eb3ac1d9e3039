import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DetectedFace } from '../../shared/face';
import type { RgbImage } from '../vision/image';
import { facesDir } from '../testing/paths';
import { alignFace } from '../vision/align';
import { decodeImage } from '../vision/decode';
import { livenessInput } from '../vision/liveness-crop';
import { preparedModel } from './model-prepare';
import { type ResolvedPack, resolvePack } from './model-files';
import { readFields, text } from './onnx-proto';
import { withBlockedPRelu } from './onnx-prelu';
import { FacePipeline } from './pipeline';
import { loadOrt } from './session';

const CPU: InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
  logSeverityLevel: 3,
};

function opTypes(model: Uint8Array): string[] {
  const graph = readFields(model).find((f) => f.no === 7)!;
  return readFields(graph.body!)
    .filter((f) => f.no === 1)
    .map((f) => text(readFields(f.body!).find((x) => x.no === 4)?.body));
}

async function outputsOf(model: string | Uint8Array, inputs: { data: Float32Array; dims: number[] }[]) {
  const ort = await loadOrt();
  const s =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, CPU)
      : await ort.InferenceSession.create(model, CPU);
  const out: Float32Array[] = [];
  for (const x of inputs) {
    const r = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims) });
    out.push(Float32Array.from(r[s.outputNames[0]].data as Float32Array));
  }
  await s.release();
  return out;
}

/**
 * The PRelu rewrite must give the very numbers of the model as shipped (it exists only to be faster:
 * parity with InsightFace is measured on the original graph), on real faces through every model of the
 * default pack that has PRelus: the recognizer and both liveness networks.
 */
describe('withBlockedPRelu', () => {
  let r: ResolvedPack;
  let img: RgbImage;
  let boxes: DetectedFace[];

  beforeAll(async () => {
    r = await resolvePack('mbf-y1');
    const pipeline = await FacePipeline.load(r, { provider: 'cpu' });
    // A group photo: faces of many sizes, poses and lighting in one picture.
    img = await decodeImage(readFileSync(path.join(facesDir, 'ae393985f8e3.jpg')));
    boxes = await pipeline.detect(img);
    await pipeline.dispose();
    expect(boxes.length).toBeGreaterThan(2);
  });

  it('rewrites every PRelu of the recognizer and gives bit-identical embeddings on real crops', async () => {
    const original = readFileSync(r.recognizerPath);
    const rewritten = withBlockedPRelu(original);
    expect(rewritten).not.toBeNull();
    expect(opTypes(original).filter((o) => o === 'PRelu').length).toBe(33);
    expect(opTypes(rewritten!)).not.toContain('PRelu');
    const size = r.pack.recognizer.input.size;
    const inputs = boxes.map((f) => {
      const crop = alignFace(img, f.landmarks, size);
      const data = new Float32Array(3 * size * size);
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < size * size; i++) data[c * size * size + i] = (crop.data[i * 3 + c] - 127.5) / 127.5;
      }
      return { data, dims: [1, 3, size, size] };
    });
    const a = await outputsOf(r.recognizerPath, inputs);
    const b = await outputsOf(rewritten!, inputs);
    expect(b.length).toBe(inputs.length);
    for (let i = 0; i < a.length; i++) expect(Array.from(b[i])).toEqual(Array.from(a[i]));
  });

  it('gives bit-identical logits through both liveness models on real faces', async () => {
    expect(r.livenessPaths?.length).toBe(2);
    for (const [k, file] of r.livenessPaths!.entries()) {
      const spec = r.pack.liveness![k];
      const rewritten = withBlockedPRelu(readFileSync(file));
      expect(rewritten).not.toBeNull();
      expect(opTypes(rewritten!)).not.toContain('PRelu');
      const inputs = boxes.map((f) => ({ data: livenessInput(img, f.bbox, spec), dims: [1, 3, spec.size, spec.size] }));
      const a = await outputsOf(file, inputs);
      const b = await outputsOf(rewritten!, inputs);
      for (let i = 0; i < a.length; i++) expect(Array.from(b[i])).toEqual(Array.from(a[i]));
    }
  });

  it('leaves a model without PRelu alone, and passes a file it cannot parse on by path', async () => {
    expect(withBlockedPRelu(readFileSync(r.detectorPath))).toBeNull();
    expect(await preparedModel(r.detectorPath)).toBe(r.detectorPath);
    expect(await preparedModel(r.recognizerPath)).toBeInstanceOf(Uint8Array);
    const missing = path.join(r.pack.id, 'no-such-model.onnx');
    expect(await preparedModel(missing)).toBe(missing);
    expect(() => withBlockedPRelu(Uint8Array.from([0x3a, 0x05, 0x01]))).toThrow(/truncated/);
  });
});
