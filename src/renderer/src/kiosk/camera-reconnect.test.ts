import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, streamLost } from './camera-reconnect';

describe('camera reconnection', () => {
  it('backs off from 1 s to at most 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it('sees a stream whose video tracks have all ended as lost', () => {
    const stream = (states: string[]) =>
      ({ getVideoTracks: () => states.map((readyState) => ({ readyState })) }) as unknown as MediaStream;
    expect(streamLost(null)).toBe(false);
    expect(streamLost(stream(['live']))).toBe(false);
    expect(streamLost(stream(['ended']))).toBe(true);
    expect(streamLost(stream([]))).toBe(true);
  });
});
