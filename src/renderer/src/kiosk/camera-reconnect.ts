/**
 * How the kiosk gets its camera back after losing it (unplugged, the driver reset, another program
 * took it): try again soon, then less and less often, and at once whenever the browser reports that
 * the set of devices changed (`devicechange`: a camera was plugged in).
 */
export const RECONNECT_FIRST_MS = 1000;
export const RECONNECT_MAX_MS = 15_000;

/** The wait before reconnection attempt `attempt` (0-based): 1 s, 2 s, 4 s, 8 s, then 15 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.max(0, Math.min(attempt, 20)));
}

/** Whether a stream has lost its video: no live video track left. */
export function streamLost(stream: MediaStream | null): boolean {
  if (!stream) return false;
  const tracks = stream.getVideoTracks();
  return tracks.length === 0 || tracks.every((t) => t.readyState === 'ended');
}
