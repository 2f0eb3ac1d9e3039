import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { facesDir } from '../testing/paths';
import { resolvePack, type ResolvedPack } from './model-files';
import { FacePipeline } from './pipeline';
import { InferencePool, defaultPoolShape } from './pool';
import { gpuDevicePresent } from './provider-order';
import { autoProviderEpoch, createSession, loadOrt, resetAutoProviderForTests } from './session';

const photos = ['0c5e25d359f6.jpg', '1282f6c6ddd4.jpg', '12124299eb95.bmp', 'f4455149f488.jpeg', '0b6cdd2e683d.png'];
const read = (f: string) => new Uint8Array(readFileSync(path.join(facesDir, f)));
/** Whether this machine plausibly has a GPU for WebGPU (where it has, WebGPU may work and the CPU-only expectations do not hold). */
const gpuHere = gpuDevicePresent(process.platform, (dir) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
});

let pack: ResolvedPack;
beforeAll(async () => {
  pack = await resolvePack(undefined);
});

describe('InferencePool', () => {
  let pool: InferencePool;
  beforeAll(async () => {
    pool = await InferencePool.start({
      paths: pack,
      workers: 2,
      intraOpNumThreads: 1,
      allowFaultInjection: true,
      stuckMs: 1000,
    });
  });
  afterAll(() => pool?.close());

  it('returns exactly the faces and embeddings of the single-threaded pipeline', async () => {
    const single = await FacePipeline.load(pack, { provider: 'cpu', intraOpNumThreads: 1 });
    for (const f of photos) {
      const [a, b] = await Promise.all([pool.analyzeEncoded(read(f)), single.analyzeBytes(read(f))]);
      expect(a.faces.length, f).toBe(b.faces.length);
      a.faces.forEach((face, i) => {
        expect(face.bbox).toEqual(b.faces[i].bbox);
        expect(face.score).toBe(b.faces[i].score);
        expect(face.landmarks).toEqual(b.faces[i].landmarks);
        const ea = face.embedding!;
        const eb = b.faces[i].embedding!;
        expect(ea.length).toBe(eb.length);
        for (let k = 0; k < ea.length; k++) expect(Math.abs(ea[k] - eb[k])).toBeLessThanOrEqual(1e-6);
      });
    }
    await single.dispose();
  });

  it('judges liveness on request, as the single-threaded pipeline does, and reports it available', async () => {
    expect(pool.status().livenessAvailable).toBe(true);
    const single = await FacePipeline.load(pack, { provider: 'cpu', intraOpNumThreads: 1 });
    try {
      for (const f of ['f4455149f488.jpeg', '4b11b5d7a8a8.jpg']) {
        const [a, b] = await Promise.all([
          pool.analyzeEncoded(read(f), { liveness: true }),
          single.analyzeBytes(read(f), { liveness: true }),
        ]);
        expect(a.livenessAvailable).toBe(true);
        expect(a.faces.length).toBe(b.faces.length);
        a.faces.forEach((face, i) => {
          expect(face.liveness?.decision).toBe(b.faces[i].liveness?.decision);
          expect(Math.abs(face.liveness!.p_real - b.faces[i].liveness!.p_real)).toBeLessThanOrEqual(1e-6);
        });
      }
      const plain = await pool.analyzeEncoded(read(photos[0]));
      expect('livenessAvailable' in plain).toBe(false);
      expect(plain.faces.every((f) => f.liveness === undefined)).toBe(true);
    } finally {
      await single.dispose();
    }
  });

  it('analyses decoded RGB frames and refuses frames of the wrong size', async () => {
    const rgb = new Uint8Array(64 * 48 * 3).fill(90);
    const a = await pool.analyzeRgb(rgb, 64, 48);
    expect([a.width, a.height, a.faces.length]).toEqual([64, 48, 0]);
    await expect(pool.analyzeRgb(new Uint8Array(10), 64, 48)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('reports bad images as typed errors and keeps serving', async () => {
    await expect(pool.analyzeEncoded(new TextEncoder().encode('not an image'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
    });
    await expect(pool.injectFault('throw')).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await pool.analyzeEncoded(read(photos[0]))).faces.length).toBe(1);
  });

  it('fails a request whose worker dies with WORKER_CRASHED, and replaces the worker', async () => {
    const before = pool.status().restarts;
    await expect(pool.injectFault('exit')).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    const results = await Promise.all([0, 1, 2].map(() => pool.analyzeEncoded(read(photos[0]))));
    expect(results.every((r) => r.faces.length === 1)).toBe(true);
    expect(pool.status().restarts).toBe(before + 1);
    await expect.poll(() => pool.status().liveWorkers, { timeout: 20_000 }).toBe(2);
  });

  it('answers TIMEOUT at the deadline and replaces a worker that never comes back', async () => {
    const before = pool.status().restarts;
    await expect(pool.injectFault('hang', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect.poll(() => pool.status().restarts, { timeout: 20_000 }).toBe(before + 1);
    expect((await pool.analyzeEncoded(read(photos[0]))).faces.length).toBe(1);
    await expect.poll(() => pool.status().liveWorkers, { timeout: 20_000 }).toBe(2);
  });

  it('reports the provider: auto falls back to the CPU and says why', () => {
    const s = pool.status();
    expect(s.provider).toMatchObject({ requested: 'auto', active: 'cpu' });
    expect(s.provider?.fallbackReason).toMatch(/CUDA/);
    expect(s.device).toMatch(/^CPU/);
  });
});

describe('InferencePool backpressure and shutdown', () => {
  it('fails at once with BUSY when the queue is full', async () => {
    // A deadline far beyond any load this machine sees: here only the count limit may refuse.
    const pool = await InferencePool.start({
      paths: pack,
      workers: 1,
      intraOpNumThreads: 1,
      maxQueue: 1,
      timeoutMs: 300_000,
    });
    try {
      const crowd = read('1282f6c6ddd4.jpg');
      const first = pool.analyzeEncoded(crowd.slice());
      const second = pool.analyzeEncoded(crowd.slice());
      await expect(pool.analyzeEncoded(crowd.slice())).rejects.toMatchObject({ code: 'BUSY' });
      expect(pool.status().queueDepth).toBe(1);
      await expect(first).resolves.toBeTruthy();
      await expect(second).resolves.toBeTruthy();
    } finally {
      await pool.close();
    }
  });

  it('sizes the queue by time: what cannot finish before its deadline is refused at once', async () => {
    const pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1 });
    try {
      // Seeded by the workers' timed warm-up, then measured on real requests.
      expect(pool.status().serviceMs).toBeGreaterThan(0);
      const crowd = read('1282f6c6ddd4.jpg');
      await pool.analyzeEncoded(crowd.slice());
      const serviceMs = pool.status().serviceMs!;
      const first = pool.analyzeEncoded(crowd.slice());
      expect(pool.status().expectedWaitMs).toBeGreaterThan(0);
      const t = performance.now();
      await expect(pool.analyzeEncoded(crowd.slice(), {}, { timeoutMs: serviceMs / 2 })).rejects.toMatchObject({
        code: 'BUSY',
      });
      // At once, not at the deadline.
      expect(performance.now() - t).toBeLessThan(serviceMs / 2);
      // One whose deadline allows the wait queues behind the first.
      const second = pool.analyzeEncoded(crowd.slice(), {}, { timeoutMs: 60_000 });
      await expect(first).resolves.toBeTruthy();
      await expect(second).resolves.toBeTruthy();
    } finally {
      await pool.close();
    }
  });

  it('readyWhen first: ready with one warm worker, the others join; closing while they start is clean', async () => {
    const pool = await InferencePool.start({ paths: pack, workers: 2, intraOpNumThreads: 1, readyWhen: 'first' });
    try {
      expect(pool.status()).toMatchObject({ ready: true, workers: 2 });
      expect((await pool.analyzeEncoded(read(photos[0]))).faces.length).toBe(1);
      await expect.poll(() => pool.status().liveWorkers, { timeout: 30_000 }).toBe(2);
    } finally {
      await pool.close();
    }
    const early = await InferencePool.start({ paths: pack, workers: 2, intraOpNumThreads: 1, readyWhen: 'first' });
    await early.close();
    expect(early.status()).toMatchObject({ ready: false, liveWorkers: 0 });
  });

  it('drains in-flight and queued work on shutdown, and refuses new work', async () => {
    // The drain is under test, not the deadline: one long enough for a loaded machine.
    const pool = await InferencePool.start({
      paths: pack,
      workers: 1,
      intraOpNumThreads: 1,
      maxQueue: 10,
      timeoutMs: 300_000,
    });
    const crowd = read('1282f6c6ddd4.jpg');
    const pending = Array.from({ length: 3 }, () => pool.analyzeEncoded(crowd.slice()));
    const closing = pool.close({ graceMs: 60_000 });
    await expect(pool.analyzeEncoded(crowd.slice())).rejects.toMatchObject({ code: 'SHUT_DOWN' });
    const results = await Promise.all(pending);
    await closing;
    expect(results.every((r) => r.faces.length > 10)).toBe(true);
    expect(pool.status()).toMatchObject({ ready: false, liveWorkers: 0 });
  });

  it('fails what cannot finish within the grace period with SHUT_DOWN, never leaving a request hanging', async () => {
    const pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 1, maxQueue: 10 });
    const crowd = read('1282f6c6ddd4.jpg');
    const settling = Promise.allSettled(Array.from({ length: 5 }, () => pool.analyzeEncoded(crowd.slice())));
    await pool.close({ graceMs: 0 });
    const settled = await settling;
    expect(settled).toHaveLength(5);
    const rejected = settled.filter((s) => s.status === 'rejected');
    // At least the queued ones were refused; each refusal says why.
    expect(rejected.length).toBeGreaterThanOrEqual(4);
    for (const s of rejected) expect((s as PromiseRejectedResult).reason).toMatchObject({ code: 'SHUT_DOWN' });
    expect(pool.status().liveWorkers).toBe(0);
  });
});

describe('execution providers', () => {
  it('refuses cuda loudly on a machine without it', async () => {
    await expect(createSession(pack.detectorPath, { provider: 'cuda' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(/CUDA.*(cuda12|CUDA 12)/s),
    });
  });

  it('takes the provider from HADIR_PROVIDER and refuses a value it does not know', async () => {
    const saved = process.env.HADIR_PROVIDER;
    try {
      process.env.HADIR_PROVIDER = 'cuda';
      await expect(createSession(pack.detectorPath)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
      await expect(InferencePool.start({ paths: pack, workers: 1 })).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
      process.env.HADIR_PROVIDER = 'tpu';
      await expect(createSession(pack.detectorPath)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    } finally {
      if (saved === undefined) delete process.env.HADIR_PROVIDER;
      else process.env.HADIR_PROVIDER = saved;
    }
  });

  it('auto reports cpu and the reason', async () => {
    const s = await createSession(pack.detectorPath, { provider: 'auto' });
    expect(s.provider.active).toBe('cpu');
    expect(s.provider.fallbackReason).toMatch(/CUDA/);
    await s.session.release();
  });

  it.skipIf(gpuHere)('auto without a GPU device does not try WebGPU, and says why', async () => {
    const ort = await loadOrt();
    const create = vi.spyOn(ort.InferenceSession, 'create');
    try {
      const s = await createSession(pack.detectorPath, { provider: 'auto' });
      expect(s.provider).toMatchObject({ requested: 'auto', active: 'cpu' });
      if (process.platform === 'linux')
        expect(s.provider.fallbackReason).toMatch(/WebGPU: no GPU device \(\/dev\/dri\)/);
      else expect(s.provider.fallbackReason).toMatch(/WebGPU/);
      // One session creation, on the CPU: no GPU provider was attempted.
      expect(create).toHaveBeenCalledTimes(1);
      expect(create.mock.calls[0][1]).toMatchObject({ executionProviders: ['cpu'] });
      await s.session.release();
    } finally {
      create.mockRestore();
    }
  });

  it.skipIf(gpuHere)('refuses webgpu by name on a machine without a GPU, naming it and what to do', async () => {
    await expect(createSession(pack.detectorPath, { provider: 'webgpu' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(/WebGPU execution provider is not available: .*adapter.*Vulkan.*auto or cpu/s),
    });
  });

  it.skipIf(process.platform === 'win32')('refuses dml off Windows: DirectML is Windows-only', async () => {
    await expect(createSession(pack.detectorPath, { provider: 'dml' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: expect.stringMatching(/DirectML.*Windows-only/),
    });
  });

  it('names every choice when HADIR_PROVIDER is unknown', async () => {
    const saved = process.env.HADIR_PROVIDER;
    try {
      process.env.HADIR_PROVIDER = 'bogus';
      await expect(createSession(pack.detectorPath)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringContaining('auto, cuda, webgpu, dml or cpu (got "bogus")'),
      });
      process.env.HADIR_PROVIDER = 'WebGPU';
      await expect(createSession(pack.detectorPath)).rejects.toMatchObject({
        code: gpuHere ? expect.any(String) : 'PROVIDER_UNAVAILABLE',
      });
    } finally {
      if (saved === undefined) delete process.env.HADIR_PROVIDER;
      else process.env.HADIR_PROVIDER = saved;
    }
  });

  describe('auto where WebGPU is tried and fails (a GPU device node without a working driver)', () => {
    // This machine's order with WebGPU put in it: onnxruntime-node really tries it and fails, as it
    // does where /dev/dri exists but no Vulkan driver can use it.
    beforeAll(() => resetAutoProviderForTests({ tryOrder: ['webgpu'], skipped: [] }));
    afterAll(() => resetAutoProviderForTests(null));

    it.skipIf(gpuHere)(
      'falls back to the CPU with the reason, tries WebGPU once per thread, and a pipeline shares one provider',
      async () => {
        const ort = await loadOrt();
        const create = vi.spyOn(ort.InferenceSession, 'create');
        try {
          const s = await createSession(pack.detectorPath, { provider: 'auto' });
          expect(s.provider).toMatchObject({ requested: 'auto', active: 'cpu' });
          expect(s.provider.fallbackReason).toMatch(/^WebGPU: .*adapter/);
          await s.session.release();
          const tries = () => create.mock.calls.filter((c) => JSON.stringify(c[1]).includes('webgpu')).length;
          expect(tries()).toBe(1);
          const pipeline = await FacePipeline.load(pack, { provider: 'auto', intraOpNumThreads: 1 });
          expect(pipeline.provider).toMatchObject({ active: 'cpu', fallbackReason: s.provider.fallbackReason });
          expect(tries()).toBe(1); // the pipeline's sessions did not try WebGPU again
          expect((await pipeline.analyzeBytes(read(photos[0]))).faces.length).toBe(1);
          await pipeline.dispose();
        } finally {
          create.mockRestore();
        }
      },
    );

    it('a provider that worked for one model and failed for the next: the pipeline loads again, all on the CPU', async () => {
      resetAutoProviderForTests({ tryOrder: ['webgpu'], skipped: [] });
      const ort = await loadOrt();
      const original = ort.InferenceSession.create.bind(ort.InferenceSession);
      let webgpuTries = 0;
      // The first WebGPU session "works" (a CPU session stands in for it), every later one fails: as a GPU
      // would that runs one model and not the next.
      const create = vi.spyOn(ort.InferenceSession, 'create').mockImplementation(((
        model: string,
        options: { executionProviders?: string[] },
      ) => {
        if (options?.executionProviders?.[0] === 'webgpu') {
          webgpuTries++;
          if (webgpuTries > 1) return Promise.reject(new Error('a stand-in WebGPU failure\nsecond line'));
          return original(model, { ...options, executionProviders: ['cpu'] });
        }
        return original(model, options);
      }) as typeof ort.InferenceSession.create);
      try {
        const epoch = autoProviderEpoch();
        const pipeline = await FacePipeline.load(pack, { provider: 'auto', intraOpNumThreads: 1 });
        expect(autoProviderEpoch()).toBe(epoch + 1); // the mismatch was seen…
        expect(pipeline.provider).toEqual({
          // …and the pipeline reloaded on one provider
          requested: 'auto',
          active: 'cpu',
          fallbackReason: 'WebGPU: a stand-in WebGPU failure',
        });
        // One success, one failure; then the reload went straight to the CPU, WebGPU remembered as failed.
        expect(webgpuTries).toBe(2);
        expect((await pipeline.analyzeBytes(read(photos[0]))).faces.length).toBe(1);
        await pipeline.dispose();
      } finally {
        create.mockRestore();
        resetAutoProviderForTests({ tryOrder: ['webgpu'], skipped: [] });
      }
    });
  });
});

describe('defaultPoolShape', () => {
  it('uses one single-threaded worker per core on small machines, two-threaded workers on large ones', () => {
    const saved = process.env.HADIR_ENGINE_WORKERS;
    delete process.env.HADIR_ENGINE_WORKERS;
    try {
      expect(defaultPoolShape(2, false)).toEqual({ workers: 2, intraOpNumThreads: 1 });
      expect(defaultPoolShape(1, false)).toEqual({ workers: 1, intraOpNumThreads: 1 });
      expect(defaultPoolShape(16, false)).toEqual({ workers: 8, intraOpNumThreads: 2 });
      expect(defaultPoolShape(8, true)).toEqual({ workers: 1, intraOpNumThreads: 4 });
      process.env.HADIR_ENGINE_WORKERS = '3';
      expect(defaultPoolShape(12, true)).toEqual({ workers: 3, intraOpNumThreads: 4 });
    } finally {
      if (saved === undefined) delete process.env.HADIR_ENGINE_WORKERS;
      else process.env.HADIR_ENGINE_WORKERS = saved;
    }
  });

  it('takes the threads per worker from HADIR_ENGINE_THREADS (several processes sharing a machine)', () => {
    const saved = { w: process.env.HADIR_ENGINE_WORKERS, t: process.env.HADIR_ENGINE_THREADS };
    try {
      // Two hub processes on 2 cores, one worker each: one thread each, not two each.
      process.env.HADIR_ENGINE_WORKERS = '1';
      process.env.HADIR_ENGINE_THREADS = '1';
      expect(defaultPoolShape(2, false)).toEqual({ workers: 1, intraOpNumThreads: 1 });
      delete process.env.HADIR_ENGINE_WORKERS;
      process.env.HADIR_ENGINE_THREADS = '2';
      expect(defaultPoolShape(16, false)).toEqual({ workers: 8, intraOpNumThreads: 2 });
      process.env.HADIR_ENGINE_THREADS = 'lots';
      expect(defaultPoolShape(2, false)).toEqual({ workers: 2, intraOpNumThreads: 1 });
    } finally {
      for (const [k, v] of [
        ['HADIR_ENGINE_WORKERS', saved.w],
        ['HADIR_ENGINE_THREADS', saved.t],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
