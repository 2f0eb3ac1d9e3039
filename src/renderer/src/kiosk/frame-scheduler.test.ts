import { describe, expect, it } from 'vitest';
import { FrameScheduler } from './frame-scheduler';

const opts = { minIntervalMs: 100, maxBackoffMs: 1000, staleAfterMs: 500, lostAfterMs: 3000 };

describe('FrameScheduler', () => {
  it('lets one frame go at once, then none while it is in flight', () => {
    const s = new FrameScheduler(opts);
    expect(s.delayUntilNext(0)).toBe(0);
    const t = s.begin(0);
    expect(t).not.toBeNull();
    expect(s.busy).toBe(true);
    expect(s.delayUntilNext(50)).toBe(Number.POSITIVE_INFINITY);
    expect(s.begin(2000)).toBeNull();
  });

  it('sends the next frame right after a slow reply (rate follows the engine)', () => {
    const s = new FrameScheduler(opts);
    const t = s.begin(0)!;
    expect(s.finish(t, 300, 'ok')).toBe('fresh');
    expect(s.delayUntilNext(300)).toBe(0);
    expect(s.latencyMs).toBe(300);
  });

  it('caps the rate with the minimum interval after a fast reply', () => {
    const s = new FrameScheduler(opts);
    const t = s.begin(1000)!;
    s.finish(t, 1020, 'ok');
    expect(s.delayUntilNext(1020)).toBe(80);
    expect(s.begin(1050)).toBeNull();
    expect(s.begin(1100)).not.toBeNull();
  });

  it('marks a reply that took too long as stale (event only, no boxes)', () => {
    const s = new FrameScheduler(opts);
    const t = s.begin(0)!;
    expect(s.finish(t, 800, 'ok')).toBe('stale');
    expect(s.droppedFrames).toBe(1);
    expect(s.busy).toBe(false);
  });

  it('gives up a frame that never comes back and cancels its late reply', () => {
    const s = new FrameScheduler(opts);
    const lost = s.begin(0)!;
    expect(s.delayUntilNext(2999)).toBe(Number.POSITIVE_INFINITY);
    expect(s.delayUntilNext(3000)).toBe(0);
    const next = s.begin(3000)!;
    expect(s.finish(lost, 3100, 'ok')).toBe('cancelled');
    expect(s.busy).toBe(true); // the newer frame is still awaited
    expect(s.finish(next, 3200, 'ok')).toBe('fresh');
  });

  it('backs off exponentially on BUSY or errors, up to the cap, and recovers on success', () => {
    const s = new FrameScheduler(opts);
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = s.begin(now)!;
      s.finish(t, now + 10, i % 2 ? 'error' : 'busy');
      const d = s.delayUntilNext(now + 10);
      delays.push(d + 10);
      now += d + 10;
    }
    expect(delays).toEqual([250, 500, 1000, 1000, 1000]);
    const t = s.begin(now)!;
    s.finish(t, now + 10, 'ok');
    expect(s.currentBackoffMs).toBe(0);
    expect(s.delayUntilNext(now + 10)).toBe(90);
  });

  it('reset cancels the frame in flight', () => {
    const s = new FrameScheduler(opts);
    const t = s.begin(0)!;
    s.reset();
    expect(s.finish(t, 10, 'ok')).toBe('cancelled');
    expect(s.delayUntilNext(10)).toBe(0);
  });
});
