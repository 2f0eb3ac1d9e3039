import { describe, expect, it } from 'vitest';
import type { FrameResult, KioskFace } from '../../../shared/contract';
import { initialKioskState, kioskReducer, type KioskState } from './kiosk-machine';

const face: KioskFace = {
  bbox: [100, 100, 200, 220],
  landmarks: [
    [130, 150],
    [170, 150],
    [150, 175],
    [135, 195],
    [165, 195],
  ],
  score: 0.9,
};
const timing = { cardMs: 5000, noticeMs: 3000, idleAfterMs: 8000, facesTtlMs: 1000 };

function frame(partial: Partial<FrameResult> = {}): FrameResult {
  return { frameWidth: 640, frameHeight: 480, faces: [face], ...partial };
}

function run(actions: Parameters<typeof kioskReducer>[1][], start: KioskState = initialKioskState(timing)): KioskState {
  return actions.reduce(kioskReducer, start);
}

describe('kiosk state machine', () => {
  it('starts idle and moves to detecting when a face is seen', () => {
    const s0 = initialKioskState(timing);
    expect(s0.mode).toBe('idle');
    const s1 = kioskReducer(s0, { type: 'frame', result: frame(), fresh: true, now: 1000 });
    expect(s1.mode).toBe('detecting');
    expect(s1.faces).toHaveLength(1);
    expect(s1.frameWidth).toBe(640);
  });

  it('stays idle on frames without faces', () => {
    const s = run([{ type: 'frame', result: frame({ faces: [], guidance: 'no_face' }), fresh: true, now: 10 }]);
    expect(s.mode).toBe('idle');
  });

  it('shows the confirmation card on a check-in event, then clears it after the timeout', () => {
    const checkedIn = frame({
      event: { kind: 'checked_in', name: 'Siti Rahma', time: '2025-01-06T00:31:00Z', late: false },
    });
    let s = run([
      { type: 'frame', result: frame(), fresh: true, now: 0 },
      { type: 'frame', result: checkedIn, fresh: true, now: 500 },
    ]);
    expect(s.mode).toBe('confirmed');
    expect(s.card).toMatchObject({ kind: 'checked_in', name: 'Siti Rahma', late: false, until: 5500 });
    expect(s.cardSeq).toBe(1);

    s = kioskReducer(s, { type: 'tick', now: 5499 });
    expect(s.mode).toBe('confirmed');
    s = kioskReducer(s, { type: 'tick', now: 5500 });
    expect(s.card).toBeNull();
    expect(s.mode).toBe('detecting'); // the face was seen less than idleAfterMs ago
  });

  it('goes back to idle after the card when nobody is there any more', () => {
    const s = run([
      { type: 'frame', result: frame({ event: { kind: 'checked_out', name: 'Budi' } }), fresh: true, now: 0 },
      { type: 'frame', result: frame({ faces: [] }), fresh: true, now: 1000 },
      { type: 'tick', now: 9000 },
    ]);
    expect(s.card).toBeNull();
    expect(s.mode).toBe('idle');
  });

  it('returns to idle when no face has been seen for idleAfterMs', () => {
    let s = run([{ type: 'frame', result: frame(), fresh: true, now: 0 }]);
    s = kioskReducer(s, { type: 'tick', now: 7999 });
    expect(s.mode).toBe('detecting');
    s = kioskReducer(s, { type: 'tick', now: 8000 });
    expect(s.mode).toBe('idle');
  });

  it('ignores the same person’s repeated answer while their card is up, and the cooldown notice', () => {
    const s = run([
      { type: 'frame', result: frame({ event: { kind: 'checked_in', name: 'Budi' } }), fresh: true, now: 0 },
      { type: 'frame', result: frame({ event: { kind: 'already_checked_in', name: 'Budi' } }), fresh: true, now: 1000 },
      { type: 'frame', result: frame({ event: { kind: 'cooldown', retryAfterSeconds: 50 } }), fresh: true, now: 1200 },
    ]);
    expect(s.card).toMatchObject({ kind: 'checked_in', name: 'Budi', until: 5000 });
    expect(s.cardSeq).toBe(1);
    expect(s.notice).toBeNull();
  });

  it('replaces the card for the next person', () => {
    const s = run([
      { type: 'frame', result: frame({ event: { kind: 'checked_in', name: 'Budi' } }), fresh: true, now: 0 },
      { type: 'frame', result: frame({ event: { kind: 'checked_in', name: 'Ani' } }), fresh: true, now: 2000 },
    ]);
    expect(s.card).toMatchObject({ name: 'Ani', until: 7000 });
    expect(s.cardSeq).toBe(2);
  });

  it('shows a polite notice for an unknown face, which expires', () => {
    let s = run([{ type: 'frame', result: frame({ event: { kind: 'unknown' } }), fresh: true, now: 0 }]);
    expect(s.mode).toBe('detecting');
    expect(s.notice).toMatchObject({ kind: 'unknown', until: 3000 });
    s = kioskReducer(s, { type: 'tick', now: 3000 });
    expect(s.notice).toBeNull();
  });

  it('keeps the event of a stale reply but not its faces', () => {
    const s = run([
      { type: 'frame', result: frame({ faces: [], event: { kind: 'checked_in', name: 'Ani' } }), fresh: false, now: 0 },
    ]);
    expect(s.card?.name).toBe('Ani');
    expect(s.faces).toHaveLength(0);
    expect(s.frameWidth).toBe(0);
  });

  it('takes faces off the overlay when no fresh reply refreshes them', () => {
    let s = run([{ type: 'frame', result: frame(), fresh: true, now: 0 }]);
    s = kioskReducer(s, { type: 'tick', now: 999 });
    expect(s.faces).toHaveLength(1);
    s = kioskReducer(s, { type: 'tick', now: 1000 });
    expect(s.faces).toHaveLength(0);
  });

  it('carries guidance and progress from the latest frame', () => {
    const s = run([
      {
        type: 'frame',
        result: frame({ guidance: 'too_far', progress: { frames: 1, required: 3 } }),
        fresh: true,
        now: 0,
      },
    ]);
    expect(s.guidance).toBe('too_far');
    expect(s.progress).toEqual({ frames: 1, required: 3 });
  });

  it('reset goes back to idle but keeps the card counter', () => {
    const s = run([
      { type: 'frame', result: frame({ event: { kind: 'checked_in', name: 'Budi' } }), fresh: true, now: 0 },
      { type: 'reset', now: 100 },
    ]);
    expect(s.mode).toBe('idle');
    expect(s.card).toBeNull();
    expect(s.cardSeq).toBe(1);
  });
});
