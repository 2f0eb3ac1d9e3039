import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePack, type ResolvedPack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { listenOnLoopback, photo, postForm } from '../testing/http-client';
import { LEGACY_ENGINE_DEADLINE_MS } from './routes/legacy';
import { createServer } from './server';

/**
 * Bursts on the old anti-spoofing route, over real HTTP on loopback with the real engine (the default
 * pool shape): the queue is sized by time, so a burst that fits the 10 s deadline is answered in full,
 * and what does not fit is refused at once (BUSY, as a 200 `fake`), never at the deadline, never a
 * crash. Speed itself is measured in bench/, not here: the bounds below are generous.
 */

/** The genuine liveness sample (a live face, p_real ≈ 1). */
const LIVE = 'f4455149f488.jpeg';
/** Slack for HTTP on a loaded machine: connection set-up and reading the body come before the deadline starts. */
const HTTP_SLACK_MS = 5000;

let pack: ResolvedPack;
let pool: InferencePool;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  pack = await resolvePack(undefined);
  pool = await InferencePool.start({ paths: pack, provider: 'cpu' });
  app = await createServer({ engine: pool, pack: pack.pack }, { legacyRoutes: true, rateLimit: null });
  base = await listenOnLoopback(app);
  // A few requests first, so the service-time estimate is measured rather than the warm-up's.
  for (let i = 0; i < 3; i++) await postForm(`${base}/api/v1/inference`, { image: { bytes: photo(LIVE) } });
});

afterAll(async () => {
  await app?.close();
  await pool?.close();
});

interface Answer {
  ms: number;
  status: number;
  body: { prediction: string; prob_real: number; error?: { code: string } };
}

async function burst(n: number): Promise<Answer[]> {
  const bytes = photo(LIVE);
  return Promise.all(
    Array.from({ length: n }, async () => {
      const t = performance.now();
      const r = await postForm(`${base}/api/v1/inference`, { image: { bytes, filename: LIVE } });
      const body = (await r.json()) as Answer['body'];
      return { ms: performance.now() - t, status: r.status, body };
    }),
  );
}

describe('old anti-spoofing route under a burst', () => {
  it('40 simultaneous requests with a live face all answer real', async () => {
    const answers = await burst(40);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.error, JSON.stringify(a.body.error)).toBeUndefined();
      expect(a.body.prediction).toBe('real');
    }
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(LEGACY_ENGINE_DEADLINE_MS + HTTP_SLACK_MS);
  });

  it('400 simultaneous requests: every one answered 200 within the deadline, refusals at once, memory bounded', async () => {
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    let answers: Answer[];
    try {
      answers = await burst(400);
    } finally {
      clearInterval(sampler);
    }
    expect(answers).toHaveLength(400);
    const served = answers.filter((a) => !a.body.error);
    const refused = answers.filter((a) => a.body.error);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.ms).toBeLessThan(LEGACY_ENGINE_DEADLINE_MS + HTTP_SLACK_MS);
    }
    // Whatever was served was judged; whatever was not fails closed.
    for (const a of served) expect(a.body.prediction).toBe('real');
    for (const a of refused) expect(a.body).toMatchObject({ prediction: 'fake', prob_real: 0 });
    expect(served.length).toBeGreaterThan(0);
    // Refused on admission (BUSY, answered long before the deadline), not left to time out: allow a
    // few TIMEOUTs only, where the service-time estimate moved after admission.
    const timeouts = refused.filter((a) => a.body.error!.code === 'TIMEOUT').length;
    expect(refused.every((a) => ['BUSY', 'TIMEOUT'].includes(a.body.error!.code))).toBe(true);
    expect(timeouts).toBeLessThanOrEqual(Math.ceil(answers.length * 0.05));
    const busy = refused.filter((a) => a.body.error!.code === 'BUSY').map((a) => a.ms);
    if (busy.length > 0) {
      busy.sort((a, b) => a - b);
      expect(busy[Math.floor(busy.length / 2)]).toBeLessThan(LEGACY_ENGINE_DEADLINE_MS / 2);
    }
    // 400 bodies of 74 kB, their parsing and the queue: bounded well below what an unbounded queue of
    // decoded images would take.
    expect(peak - rss0).toBeLessThan(400 * 1024 * 1024);
    // Still serving afterwards.
    const after = await burst(1);
    expect(after[0].body.prediction).toBe('real');
    expect(pool.status().liveWorkers).toBe(pool.status().workers);
  });
});
