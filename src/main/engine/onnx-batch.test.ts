import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { facesDir } from '../testing/paths';
import { alignFace } from '../vision/align';
import { decodeImage } from '../vision/decode';
import { resolvePack } from './model-files';
import { withDynamicBatch } from './onnx-batch';
import { FacePipeline } from './pipeline';
import { Recognizer } from './recognizer';
import { createSession } from './session';

/** The batch-axis rewrite of fixed-batch models: where it applies, one run gives what one run per face gives. */
describe('withDynamicBatch', () => {
  it('batches the default recognizer: the same embeddings to 1e-5 as one run per face', async () => {
    const r = await resolvePack('mbf-y1');
    const fixed = new Recognizer(
      (await createSession(r.recognizerPath, { provider: 'cpu' })).session,
      r.pack.recognizer,
    );
    const batched = new Recognizer(
      (await createSession(r.recognizerPath, { provider: 'cpu' }, { dynamicBatch: true })).session,
      r.pack.recognizer,
    );
    expect(fixed.dynamicBatch).toBe(false);
    expect(batched.dynamicBatch).toBe(true);
    // A group photo: many different faces in one batch.
    const pipeline = await FacePipeline.load(r, { provider: 'cpu' });
    const img = await decodeImage(readFileSync(path.join(facesDir, 'ae393985f8e3.jpg')));
    const faces = await pipeline.detect(img);
    expect(faces.length).toBeGreaterThan(2);
    const crops = faces.map((f) => alignFace(img, f.landmarks, fixed.size));
    const one = await fixed.embed(crops);
    const all = await batched.embed(crops);
    for (let i = 0; i < crops.length; i++) {
      for (let k = 0; k < one[i].length; k++) expect(Math.abs(all[i][k] - one[i][k])).toBeLessThanOrEqual(1e-5);
    }
    await Promise.all([fixed.release(), batched.release(), pipeline.dispose()]);
  });

  it('leaves a model alone when a node fixes the batch (MiniFASNet flattens with Reshape [1, -1]) or it is already symbolic', async () => {
    const r = await resolvePack('mbf-y1');
    expect(r.livenessPaths).toBeTruthy();
    for (const p of r.livenessPaths!) expect(withDynamicBatch(readFileSync(p))).toBeNull();
    // Already symbolic: nothing to do.
    const once = withDynamicBatch(readFileSync(r.recognizerPath));
    expect(once).not.toBeNull();
    expect(withDynamicBatch(once!)).toBeNull();
  });
});
