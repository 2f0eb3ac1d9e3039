import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageAnalysis } from '../../shared/face';
import { setEnv } from '../testing/model-fixtures';
import { facesDir } from '../testing/paths';
import { batchesFaces, batchFacesSetting, MAX_BATCH_FACES } from './batch-faces';
import { resolvePack, type ResolvedPack } from './model-files';
import { FacePipeline } from './pipeline';
import { InferencePool } from './pool';

const read = (f: string) => new Uint8Array(readFileSync(path.join(facesDir, f)));

/**
 * Group photos (5, 8, 16 and 29 faces: more than MAX_BATCH_FACES crops together, so the shared runs are
 * split), single faces (one sideways, one a printed-photo attack), two photos without a face.
 */
const photos = [
  'ae393985f8e3.jpg',
  '0c5e25d359f6.jpg',
  '445efed057f8.jpg',
  '3c386e553b62.jpg',
  '9dab0f3f59e2.jpg',
  'f4455149f488.jpeg',
  'fb0a90090ff5.jpg',
  '1086f923d60b.jpg',
  '4b11b5d7a8a8.jpg',
];
const notAnImage = () => new TextEncoder().encode('not an image');

type Outcome = { ok: true; value: ImageAnalysis } | { ok: false; code: string };

/** A mix of requests, all submitted at once: photos (some with liveness), an undecodable one, an RGB frame. */
async function crowd(pool: InferencePool): Promise<Outcome[]> {
  const requests: Promise<ImageAnalysis>[] = photos.map((f, i) =>
    pool.analyzeEncoded(read(f), { liveness: i % 2 === 0 }),
  );
  requests.splice(3, 0, pool.analyzeEncoded(notAnImage()));
  requests.push(pool.analyzeRgb(new Uint8Array(64 * 48 * 3).fill(90), 64, 48));
  const settled = await Promise.allSettled(requests);
  return settled.map((s) =>
    s.status === 'fulfilled' ? { ok: true, value: s.value } : { ok: false, code: (s.reason as { code: string }).code },
  );
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  return dot / Math.sqrt(na * nb);
}

/** The same faces in the same order, embeddings equal to 1e-5 (cosine and per value), the same liveness. */
function expectSameAnalysis(a: ImageAnalysis, b: ImageAnalysis, what: string): void {
  expect([a.width, a.height, a.faces.length], what).toEqual([b.width, b.height, b.faces.length]);
  expect(a.livenessAvailable, what).toBe(b.livenessAvailable);
  a.faces.forEach((face, i) => {
    const ref = b.faces[i];
    expect(face.bbox, what).toEqual(ref.bbox);
    expect(face.score, what).toBe(ref.score);
    expect(face.landmarks, what).toEqual(ref.landmarks);
    expect(face.liveness, what).toEqual(ref.liveness);
    const ea = face.embedding!;
    const eb = ref.embedding!;
    expect(ea.length, what).toBe(eb.length);
    expect(cosine(ea, eb), what).toBeGreaterThanOrEqual(1 - 1e-5);
    for (let k = 0; k < ea.length; k++) expect(Math.abs(ea[k] - eb[k]), what).toBeLessThanOrEqual(1e-5);
  });
}

let pack: ResolvedPack;
beforeAll(async () => {
  pack = await resolvePack(undefined);
});

describe('cross-request batching in the pool (forced on, on the CPU)', () => {
  let batched: InferencePool;
  let plain: InferencePool;
  beforeAll(async () => {
    // One worker each: every request waits for the same worker, which is where batches form.
    batched = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1, batchFaces: 'on' });
    plain = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1, batchFaces: 'off' });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([batched?.close(), plain?.close()]);
  });

  it('says batching is on, with a recognizer that takes a batch (the default one given a symbolic axis)', () => {
    expect(batched.status().batchFaces).toMatchObject({ setting: 'on', on: true, recognizerBatches: true });
    expect(plain.status().batchFaces).toMatchObject({ setting: 'off', on: false, recognizerBatches: false });
    expect(batched.status().warnings).toEqual([]);
  });

  it('gives every request of a concurrent crowd what it gets unbatched; a bad image fails alone', async () => {
    const before = batched.status().batchFaces!;
    const [got, want] = [await crowd(batched), await crowd(plain)];
    const after = batched.status().batchFaces!;
    // All arrived within the window to an idle worker: they went together.
    expect(after.batches - before.batches).toBeGreaterThanOrEqual(1);
    expect(after.batchedRequests - before.batchedRequests).toBe(got.length);
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => {
      const w = want[i];
      expect(g.ok, `request ${i}`).toBe(w.ok);
      if (!g.ok || !w.ok) {
        expect(g).toEqual(w);
        return;
      }
      expectSameAnalysis(g.value, w.value, `request ${i}`);
    });
    expect(got[3]).toEqual({ ok: false, code: 'UNSUPPORTED_FORMAT' });
    const faces = got.map((g) => (g.ok ? g.value.faces.length : 0));
    // Group photos with several faces, photos without one, and more crops than one run takes.
    expect(Math.max(...faces)).toBeGreaterThan(10);
    expect(faces.filter((n) => n === 0).length).toBeGreaterThanOrEqual(3);
    expect(faces.reduce((a, b) => a + b, 0)).toBeGreaterThan(MAX_BATCH_FACES);
    expect(got.some((g) => g.ok && g.value.faces.some((f) => f.liveness))).toBe(true);
  });

  it('batches the requests that wait while the worker is busy', async () => {
    const before = batched.status().batchFaces!;
    const first = batched.analyzeEncoded(read('fb0a90090ff5.jpg'));
    // Submitted after the first has gone to the worker (past the window): these queue behind it.
    await new Promise((r) => setTimeout(r, 20));
    const waiting = ['ae393985f8e3.jpg', '0c5e25d359f6.jpg', '445efed057f8.jpg'].map((f) =>
      batched.analyzeEncoded(read(f)),
    );
    const results = await Promise.all([first, ...waiting]);
    const after = batched.status().batchFaces!;
    expect(after.batches - before.batches).toBe(1);
    expect(after.batchedRequests - before.batchedRequests).toBe(3);
    expect(after.largestBatch).toBeGreaterThanOrEqual(3);
    const alone = await Promise.all(['ae393985f8e3.jpg', '0c5e25d359f6.jpg'].map((f) => plain.analyzeEncoded(read(f))));
    expectSameAnalysis(results[1], alone[0], 'group');
    expectSameAnalysis(results[2], alone[1], 'single');
    expect(batched.status().busyWorkers).toBe(0);
  });

  it('serves a lone request after the window, unbatched', async () => {
    const before = batched.status().batchFaces!;
    const [a, b] = [
      await batched.analyzeEncoded(read('0c5e25d359f6.jpg')),
      await plain.analyzeEncoded(read('0c5e25d359f6.jpg')),
    ];
    expectSameAnalysis(a, b, 'lone');
    expect(batched.status().batchFaces!.batches).toBe(before.batches);
  });
});

describe('the batching setting', () => {
  it('auto is off on the CPU; reported so', async () => {
    const pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1, batchFaces: 'auto' });
    try {
      expect(pool.status().provider?.active).toBe('cpu');
      expect(pool.status().batchFaces).toMatchObject({ setting: 'auto', on: false, batches: 0 });
      await Promise.all(['ae393985f8e3.jpg', '0c5e25d359f6.jpg'].map((f) => pool.analyzeEncoded(read(f))));
      expect(pool.status().batchFaces!.batches).toBe(0);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('on with a GPU provider, off on the CPU under auto; on and off whatever the provider', () => {
    expect(batchesFaces('auto', 'cpu')).toBe(false);
    for (const gpu of ['cuda', 'webgpu', 'dml']) expect(batchesFaces('auto', gpu)).toBe(true);
    expect(batchesFaces('on', 'cpu')).toBe(true);
    expect(batchesFaces('off', 'cuda')).toBe(false);
  });

  it('comes from HADIR_BATCH_FACES (default auto) and refuses a value it does not know', () => {
    const restore = setEnv({ HADIR_BATCH_FACES: undefined });
    try {
      expect(batchFacesSetting()).toBe('auto');
      process.env.HADIR_BATCH_FACES = ' ON ';
      expect(batchFacesSetting()).toBe('on');
      process.env.HADIR_BATCH_FACES = 'sometimes';
      expect(() => batchFacesSetting()).toThrow(/HADIR_BATCH_FACES/);
      // The pool refuses it before starting any worker.
      expect(() => InferencePool.launch({ paths: pack, workers: 1 })).toThrow(/HADIR_BATCH_FACES/);
    } finally {
      restore();
    }
  });
});

describe('FacePipeline.analyzeMany', () => {
  it('with a fixed-batch recognizer (batching off) runs one face at a time and answers as analyzeBytes does', async () => {
    const pipeline = await FacePipeline.load(pack, { provider: 'cpu', batchFaces: 'off' });
    try {
      expect(pipeline.batching).toBe(false);
      expect(pipeline.recognizer.dynamicBatch).toBe(false);
      const files = ['ae393985f8e3.jpg', '3c386e553b62.jpg', '0c5e25d359f6.jpg'];
      const many = await pipeline.analyzeMany([
        ...files.map((f) => ({ bytes: read(f), opts: { liveness: true } })),
        { bytes: notAnImage() },
      ]);
      for (const [i, f] of files.entries()) {
        const o = many[i];
        expect(o.ok).toBe(true);
        if (o.ok) expectSameAnalysis(o.value, await pipeline.analyzeBytes(read(f), { liveness: true }), f);
      }
      expect(many[3]).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_FORMAT' } });
    } finally {
      await pipeline.dispose();
    }
  }, 60_000);
});
