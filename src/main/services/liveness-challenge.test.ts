import { describe, expect, it } from 'vitest';
import { syntheticLandmarks } from '../testing/synthetic-landmarks';
import { TurnChallenge } from './liveness-challenge';

/** Yaw in image terms: positive is the nose toward image +x, the subject's left in an unmirrored frame. */
const frame = (yaw: number, jitter = 0, seed = 1) => syntheticLandmarks({ yaw, jitter, seed });

/** Feed yaws at 100 ms steps from t0 = 1000; returns every status. */
function run(c: TurnChallenge, yaws: (number | null)[]) {
  return yaws.map((y, i) => c.observe(y === null ? null : frame(y), 1000 + 100 * i));
}

describe('TurnChallenge', () => {
  it('passes a frontal face that turns left (subject left = image +x) by enough', () => {
    const c = new TurnChallenge('left', 1000);
    const s = run(c, [0, 5, 12, 19, 27]);
    expect(s.slice(0, 4).map((x) => x.state)).toEqual(['asking', 'asking', 'asking', 'asking']);
    expect(s[4]).toMatchObject({ state: 'passed', direction: 'left' });
    // Finished challenges stay finished.
    expect(c.observe(frame(0), 1600).state).toBe('passed');
  });

  it('passes a turn to the right the same way', () => {
    expect(run(new TurnChallenge('right', 1000), [2, -10, -25]).at(-1)).toMatchObject({ state: 'passed' });
  });

  it('fails a turn in the wrong direction', () => {
    const s = run(new TurnChallenge('right', 1000), [0, 10, 25]);
    expect(s.at(-1)).toEqual({ state: 'failed', direction: 'right', reason: 'wrong_direction' });
  });

  it('keeps asking on too small a turn, then times out', () => {
    const c = new TurnChallenge('left', 1000, { timeLimitMs: 2000, minTurnDeg: 20 });
    const s = run(c, [0, 8, 12, 15, 12, 15]);
    expect(s.every((x) => x.state === 'asking')).toBe(true);
    expect(c.observe(frame(40), 3001)).toEqual({ state: 'failed', direction: 'left', reason: 'timeout' });
  });

  it('measures the turn from the first usable frame, so a head already turned must turn further', () => {
    const s = run(new TurnChallenge('left', 1000), [null, 15, 25, 30, 36]);
    expect(s.map((x) => x.state)).toEqual(['asking', 'asking', 'asking', 'asking', 'passed']);
  });

  it('swaps sides for mirrored frames', () => {
    const c = new TurnChallenge('left', 1000, { mirrored: true });
    expect(run(c, [0, -25]).at(-1)).toMatchObject({ state: 'passed' });
    const w = new TurnChallenge('left', 1000, { mirrored: true });
    expect(run(w, [0, 25]).at(-1)).toMatchObject({ state: 'failed', reason: 'wrong_direction' });
  });

  it('is not passed by tilting a flat photo, and tolerates landmark jitter on a still face', () => {
    const photo = new TurnChallenge('left', 0, { timeLimitMs: 3000 });
    for (let t = 0; t <= 3000; t += 100) {
      expect(photo.observe(syntheticLandmarks({ yaw: (t / 3000) * 60, flat: true }), t).state).toBe('asking');
    }
    expect(photo.observe(syntheticLandmarks({ flat: true }), 3100)).toMatchObject({ reason: 'timeout' });

    const still = new TurnChallenge('right', 0, { timeLimitMs: 3000 });
    for (let i = 0; i < 30; i++) expect(still.observe(frame(0, 1.5, i + 1), i * 100).state).toBe('asking');
  });
});
