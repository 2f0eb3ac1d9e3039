import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('backoff', () => {
  it('starts at 1 s, doubles to 30 s, and starts again after a success', () => {
    const b = new Backoff({ random: () => 0.5 });
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(b.consecutiveFailures).toBe(8);
    b.reset();
    expect(b.next()).toBe(1000);
  });

  it('spreads each delay by ±20 % and never exceeds the cap', () => {
    const low = new Backoff({ random: () => 0 });
    const high = new Backoff({ random: () => 0.999999 });
    expect([low.next(), low.next()]).toEqual([800, 1600]);
    expect([high.next(), high.next()]).toEqual([1200, 2400]);
    for (let i = 0; i < 10; i++) high.next();
    expect(high.next()).toBe(30000);
  });
});
