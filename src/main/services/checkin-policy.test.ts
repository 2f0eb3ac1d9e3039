import { describe, expect, it } from 'vitest';
import type { LivenessResult } from '../../shared/face';
import { syntheticLandmarks } from '../testing/synthetic-landmarks';
import { CheckinConfirmation, type FrameObservation } from './checkin-policy';

const real = (p = 0.97): LivenessResult => ({ p_real: p, decision: 'real' });
const spoof = (p = 0.1): LivenessResult => ({ p_real: p, decision: 'spoof' });
const seen = (identity: string | null, liveness: LivenessResult | null = real()): FrameObservation => ({
  identity,
  liveness,
});
const kinds = (c: CheckinConfirmation, frames: FrameObservation[]) => frames.map((f) => c.observe(f).kind);

describe('CheckinConfirmation', () => {
  it('confirms after three consecutive real frames of the same person, then counts again', () => {
    const c = new CheckinConfirmation();
    expect(c.observe(seen('ana', real(0.9)))).toEqual({
      kind: 'pending',
      identity: 'ana',
      frames: 1,
      requiredFrames: 3,
    });
    expect(c.observe(seen('ana', real(0.8))).kind).toBe('pending');
    expect(c.observe(seen('ana', real(0.95)))).toEqual({
      kind: 'confirmed',
      identity: 'ana',
      frames: 3,
      minPReal: 0.8,
    });
    expect(c.observe(seen('ana'))).toMatchObject({ kind: 'pending', frames: 1 });
  });

  it('starts over when the identity changes', () => {
    const c = new CheckinConfirmation();
    expect(kinds(c, [seen('ana'), seen('ana'), seen('budi'), seen('budi')])).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(c.observe(seen('budi'))).toMatchObject({ kind: 'confirmed', identity: 'budi' });
  });

  it('refuses and resets on any spoof frame', () => {
    const c = new CheckinConfirmation();
    expect(kinds(c, [seen('ana'), seen('ana')])).toEqual(['pending', 'pending']);
    expect(c.observe(seen('ana', spoof(0.3)))).toEqual({ kind: 'spoof', identity: 'ana', pReal: 0.3 });
    expect(kinds(c, [seen('ana'), seen('ana'), seen('ana')])).toEqual(['pending', 'pending', 'confirmed']);
  });

  it('never confirms while liveness is required but unavailable (fail closed)', () => {
    const c = new CheckinConfirmation();
    expect(
      new Set(
        kinds(
          c,
          Array.from({ length: 10 }, () => seen('ana', null)),
        ),
      ),
    ).toEqual(new Set(['liveness_unavailable']));
    // One unavailable frame also breaks a streak.
    expect(kinds(c, [seen('ana'), seen('ana'), seen('ana', null), seen('ana')])).toEqual([
      'pending',
      'pending',
      'liveness_unavailable',
      'pending',
    ]);
  });

  it('answers unknown for a face that matched nobody and resets', () => {
    const c = new CheckinConfirmation();
    expect(kinds(c, [seen('ana'), seen('ana'), seen(null), seen('ana')])).toEqual([
      'pending',
      'pending',
      'unknown',
      'pending',
    ]);
    // A spoof is reported as such even when the face also matched nobody.
    expect(c.observe(seen(null, spoof())).kind).toBe('spoof');
  });

  it('confirms without liveness only where the site turned it off, and still refuses a spoof then', () => {
    const c = new CheckinConfirmation({ requireLiveness: false, requiredFrames: 2 });
    expect(kinds(c, [seen('ana', null), seen('ana', null)])).toEqual(['pending', 'confirmed']);
    expect(c.observe(seen('ana', spoof())).kind).toBe('spoof');
  });

  it('rejects a frame count that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => new CheckinConfirmation({ requiredFrames: n })).toThrow(/requiredFrames/);
    }
  });

  describe('with the head-turn challenge on', () => {
    const frame = (
      identity: string | null,
      at: number,
      yaw = 0,
      liveness: LivenessResult | null = real(),
    ): FrameObservation => ({
      identity,
      liveness,
      landmarks: syntheticLandmarks({ yaw }),
      at,
    });

    it('asks for the turn after the frames agree and confirms when it is made', () => {
      const c = new CheckinConfirmation({ challenge: { minTurnDeg: 20, timeLimitMs: 4000 } }, () => 'left');
      expect(kinds(c, [frame('ana', 0), frame('ana', 100)])).toEqual(['pending', 'pending']);
      expect(c.observe(frame('ana', 200))).toEqual({
        kind: 'challenge',
        identity: 'ana',
        direction: 'left',
        remainingMs: 4000,
      });
      expect(c.observe(frame('ana', 300, 10)).kind).toBe('challenge');
      expect(c.observe(frame('ana', 400, 28))).toMatchObject({ kind: 'confirmed', identity: 'ana', frames: 5 });
    });

    it('refuses a wrong-way turn or a timeout, and starts over', () => {
      const c = new CheckinConfirmation({ challenge: { timeLimitMs: 1000 } }, () => 'right');
      kinds(c, [frame('ana', 0), frame('ana', 100), frame('ana', 200)]);
      expect(c.observe(frame('ana', 300, 25))).toEqual({
        kind: 'challenge_failed',
        identity: 'ana',
        reason: 'wrong_direction',
      });
      expect(c.observe(frame('ana', 400)).kind).toBe('pending');

      kinds(c, [frame('ana', 500), frame('ana', 600)]);
      expect(c.observe(frame('ana', 1700, -5))).toMatchObject({ kind: 'challenge_failed', reason: 'timeout' });
    });

    it('abandons the challenge on a spoof frame or another person', () => {
      const c = new CheckinConfirmation({ challenge: {} }, () => 'left');
      kinds(c, [frame('ana', 0), frame('ana', 100), frame('ana', 200)]);
      expect(c.observe(frame('ana', 300, 30, spoof())).kind).toBe('spoof');
      kinds(c, [frame('ana', 400), frame('ana', 500), frame('ana', 600)]);
      expect(c.observe(frame('budi', 700, 30))).toMatchObject({ kind: 'pending', identity: 'budi', frames: 1 });
    });

    it('needs a timestamp on every frame', () => {
      const c = new CheckinConfirmation({ challenge: {} });
      expect(() => c.observe(seen('ana'))).toThrow(/timestamp/);
    });
  });
});
