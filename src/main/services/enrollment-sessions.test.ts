import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePack } from '../engine/model-files';
import { tempDb } from '../testing/temp-db';
import type { FaceAnalyzer } from './analyzer';
import { TestClock } from './clock';
import { EnrollmentSessions } from './enrollment-sessions';
import { FaceService } from './face-service';

/**
 * The session bookkeeping (the judging itself, with the real engine, is in api/kiosk-routes.test.ts):
 * expiry, eviction, ownership, the size check and the picture with no face.
 */

const OPERATOR = { type: 'operator' as const, id: 'petugas' };
let store: ReturnType<typeof tempDb>;
let faces: FaceService;
let jpeg: Buffer;

beforeAll(async () => {
  const { pack } = await resolvePack(undefined, { verify: false });
  const analyzer: FaceAnalyzer = {
    pack,
    analyzeImage: async (img) => ({
      width: img.width,
      height: img.height,
      faces: [],
      timings: { decode: 0, detect: 0, align: 0, embed: 0 },
    }),
  };
  store = tempDb('hadir-enroll-sessions-');
  faces = FaceService.open({ db: store.db, analyzer });
  jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();
});

afterAll(() => store?.cleanup());

function sessions(clock = new TestClock('2026-11-25T01:00:00Z'), maxSessions = 32) {
  return {
    clock,
    s: new EnrollmentSessions({ face: faces, clock, ttlMs: 15 * 60_000, maxSessions, livenessThreshold: () => 0.5 }),
  };
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'ok';
};

describe('EnrollmentSessions', () => {
  it('answers a picture without a face with the one failed check, and keeps nothing', async () => {
    const { s } = sessions();
    const { sessionId, expiresAt } = s.start({}, OPERATOR);
    expect(expiresAt).toBe('2026-11-25T01:15:00.000Z');
    const fb = await s.addSample({ sessionId, jpeg, width: 80, height: 60 }, OPERATOR);
    expect(fb).toEqual({
      accepted: false,
      index: null,
      checks: [{ check: 'single_face', ok: false, value: 0, limit: 1, code: 'no_face' }],
      face: null,
      frameWidth: 80,
      frameHeight: 60,
      samples: 0,
      ready: false,
    });
    await expect(s.addSample({ sessionId, jpeg, width: 81, height: 60 }, OPERATOR)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('belongs to the operator who started it, and is forgotten after 15 idle minutes', () => {
    const { s, clock } = sessions();
    const { sessionId } = s.start({}, OPERATOR);
    expect(code(() => s.removeSample({ sessionId, index: 0 }, { type: 'operator', id: 'lain' }))).toBe('NOT_FOUND');
    expect(code(() => s.removeSample({ sessionId, index: 0 }, OPERATOR))).toBe('NOT_FOUND'); // no sample 0, but the session is there
    clock.advance(14 * 60_000);
    expect(s.size).toBe(1);
    clock.advance(2 * 60_000);
    expect(s.size).toBe(0);
    expect(code(() => s.cancel({ sessionId }, OPERATOR))).toBe('NOT_FOUND');
  });

  it('keeps a bounded number of sessions, dropping the least recently used', () => {
    const { s } = sessions(undefined, 2);
    const a = s.start({}, OPERATOR).sessionId;
    const b = s.start({}, OPERATOR).sessionId;
    // Using `a` (even for a sample it lacks) makes `b` the stalest.
    expect(code(() => s.removeSample({ sessionId: a, index: 9 }, OPERATOR))).toBe('NOT_FOUND');
    s.start({}, OPERATOR);
    expect(s.size).toBe(2);
    expect(code(() => s.cancel({ sessionId: b }, OPERATOR))).toBe('NOT_FOUND');
    expect(code(() => s.cancel({ sessionId: a }, OPERATOR))).toBe('ok');
  });

  it('refuses to start for a person who does not exist, and to commit another person than it was for', () => {
    const { s } = sessions();
    expect(code(() => s.start({ personId: 999 }, OPERATOR))).toBe('NOT_FOUND');
    const p = faces.createPerson(OPERATOR, { employeeNumber: '3001', fullName: 'Dewi' });
    const { sessionId } = s.start({ personId: p.id }, OPERATOR);
    expect(
      code(() =>
        s.commit(
          {
            sessionId,
            person: { create: { employee_number: '3002', full_name: 'X', unit: null } },
            consent: { given: true, method: 'verbal' },
          },
          OPERATOR,
        ),
      ),
    ).toBe('BAD_REQUEST');
    const r = s.commit({ sessionId, person: { personId: p.id }, consent: { given: true, method: 'verbal' } }, OPERATOR);
    expect(r).toMatchObject({ ok: false, refusal: { code: 'too_few_samples' } });
  });
});
