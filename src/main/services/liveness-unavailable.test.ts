import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIVENESS_THRESHOLD } from '../engine/liveness';
import { getPack } from '../engine/manifest';
import { resolvePack } from '../engine/model-files';
import { FacePipeline } from '../engine/pipeline';
import { facesDir, modelsDir } from '../testing/paths';
import { CheckinConfirmation } from './checkin-policy';
import { legacyAntiSpoofAnswer } from './legacy-antispoof';

/** Fail closed end to end: a pack whose liveness files are absent must make every policy refuse. */
describe('a pack without its liveness files', () => {
  let dir: string;
  let pipeline: FacePipeline;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hadir-noliveness-'));
    const pack = getPack('mbf-y1');
    for (const f of [pack.detector.file, pack.recognizer.file])
      await copyFile(path.join(modelsDir, f), path.join(dir, f));
    const resolved = await resolvePack(pack, { dirs: [{ dir, label: 'test folder' }] });
    expect(resolved.livenessPaths).toBeNull();
    pipeline = await FacePipeline.load(resolved, { provider: 'cpu', intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await pipeline?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports liveness unavailable, judges no face, and the kiosk and legacy policies refuse', async () => {
    expect(pipeline.livenessAvailable).toBe(false);
    expect(pipeline.livenessThreshold).toBeNull();
    expect(pipeline.warnings.join('\n')).toMatch(/liveness is off: .*were not found/);
    const bytes = new Uint8Array(readFileSync(path.join(facesDir, 'f4455149f488.jpeg')));
    const a = await pipeline.analyzeBytes(bytes, { liveness: true });
    expect(a.livenessAvailable).toBe(false);
    expect(a.faces.length).toBeGreaterThan(0);
    expect(a.faces.every((f) => f.liveness === undefined)).toBe(true);

    const kiosk = new CheckinConfirmation();
    for (let i = 0; i < 5; i++) {
      expect(kiosk.observe({ identity: 'p1', liveness: a.faces[0].liveness ?? null })).toEqual({
        kind: 'liveness_unavailable',
      });
    }
    const legacy = legacyAntiSpoofAnswer({ analysis: a }, { threshold: DEFAULT_LIVENESS_THRESHOLD });
    expect(legacy).toMatchObject({ prediction: 'fake', prob_real: 0, error: { code: 'LIVENESS_UNAVAILABLE' } });
  });
});
