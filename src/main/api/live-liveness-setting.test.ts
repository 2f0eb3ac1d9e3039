import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thresholdsOf } from './context';
import { packLivenessThreshold } from '../engine/liveness';
import { resolvePack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { photo } from '../testing/http-client';
import { tempDb } from '../testing/temp-db';
import { type AppServices, openAppServices } from '../services/app-services';

/**
 * A change of the site's liveness threshold applies to the next request, without a restart: the
 * engine's workers were started with the old one, and the decision still follows the new one.
 */
describe('the liveness threshold setting applies live', () => {
  const GENUINE = 'f4455149f488.jpeg';
  const ADMIN = { type: 'operator' as const, id: '1' };
  let pool: InferencePool;
  let services: AppServices;
  let t: ReturnType<typeof tempDb>;
  let packDefault: number;
  let pack: Awaited<ReturnType<typeof resolvePack>>['pack'];

  const judge = async () => {
    const a = await pool.analyzeEncoded(photo(GENUINE), { liveness: true });
    return a.faces[0].liveness!;
  };

  beforeAll(async () => {
    t = tempDb('hadir-live-liveness-');
    const resolved = await resolvePack(undefined, { verify: true });
    pack = resolved.pack;
    packDefault = packLivenessThreshold(pack);
    pool = await InferencePool.start({ paths: resolved, workers: 1, intraOpNumThreads: 2 });
    services = openAppServices({
      db: t.db,
      engine: pool,
      pack: resolved.pack,
      api: { host: '127.0.0.1', port: 5010, legacyRoutes: false },
    });
  }, 300_000);

  afterAll(async () => {
    await pool?.close();
    t?.cleanup();
  });

  it('judges by the new threshold from the next request, and back to the pack’s on null', async () => {
    const before = await judge();
    expect(before.decision).toBe('real');
    expect(before.p_real).toBeGreaterThan(packDefault);
    // What the API's routes and health report (createServer builds it so).
    const thresholds = thresholdsOf(pack, pool, undefined, packDefault);

    // Stricter than this live face scores: now a spoof, in the engine and in what the API reports.
    const strict = Math.min(1, before.p_real + (1 - before.p_real) / 2);
    await services.settings.update({ recognition: { livenessThreshold: strict } }, ADMIN);
    expect(pool.livenessThreshold).toBe(strict);
    expect(thresholds.liveness).toBe(strict);
    const after = await judge();
    expect(after.p_real).toBeCloseTo(before.p_real, 5);
    expect(after.decision).toBe('spoof');

    await services.settings.update({ recognition: { livenessThreshold: null } }, ADMIN);
    expect(pool.livenessThreshold).toBe(packDefault);
    expect(thresholds.liveness).toBe(packDefault);
    expect((await judge()).decision).toBe('real');
  });

  it('a request that names its own threshold keeps it', async () => {
    const a = await pool.analyzeEncoded(photo(GENUINE), { liveness: true, livenessThreshold: 1 });
    expect(a.faces[0].liveness!.decision).toBe('spoof');
  });
});
