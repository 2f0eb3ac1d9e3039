/**
 * When the kiosk may send the next camera frame. At most one frame is in flight: the next one is
 * captured only when the reply to the last one is back, so frames never queue up behind a slow engine
 * and what is analysed is always the newest picture (stale frames are dropped by never being taken).
 * The rate follows the engine by itself — one frame per round trip — capped by `minIntervalMs`, and
 * backs off while the engine says BUSY or the server fails.
 *
 * A reply is `fresh` (draw its faces), `stale` (too old to draw in step with the video: keep only its
 * event, since the server may have recorded a check-in) or `cancelled` (the kiosk was reset; ignore).
 */

export interface FrameSchedulerOptions {
  /** Never faster than this (CPU of the kiosk and the server). */
  minIntervalMs: number;
  /** Longest back-off after failures. */
  maxBackoffMs: number;
  /** A reply older than this is not drawn. */
  staleAfterMs: number;
  /** A frame without a reply after this long is given up (the next one may go). */
  lostAfterMs: number;
}

export const DEFAULT_FRAME_SCHEDULER: FrameSchedulerOptions = {
  minIntervalMs: 100,
  maxBackoffMs: 4000,
  staleAfterMs: 1500,
  lostAfterMs: 8000,
};

export type ReplyOutcome = 'ok' | 'busy' | 'error';
export type ReplyVerdict = 'fresh' | 'stale' | 'cancelled';

interface InFlight {
  ticket: number;
  sentAt: number;
}

export class FrameScheduler {
  readonly options: FrameSchedulerOptions;
  private nextTicket = 1;
  private inFlight: InFlight | null = null;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private backoffMs = 0;
  private latency: number | null = null;
  private dropped = 0;

  constructor(options: Partial<FrameSchedulerOptions> = {}) {
    this.options = { ...DEFAULT_FRAME_SCHEDULER, ...options };
  }

  /** Milliseconds until a frame may be sent (0: now); Infinity while one is in flight. */
  delayUntilNext(now: number): number {
    if (this.inFlight) {
      if (now - this.inFlight.sentAt < this.options.lostAfterMs) return Number.POSITIVE_INFINITY;
      this.inFlight = null; // lost: its reply, if it ever comes, is cancelled
      this.dropped++;
    }
    const earliest = this.lastSentAt + Math.max(this.options.minIntervalMs, this.backoffMs);
    return Math.max(0, earliest - now);
  }

  /** Claims the slot for a frame captured now; null when it is not yet time. */
  begin(now: number): number | null {
    if (this.delayUntilNext(now) > 0) return null;
    const ticket = this.nextTicket++;
    this.inFlight = { ticket, sentAt: now };
    this.lastSentAt = now;
    return ticket;
  }

  /** Records the reply to `ticket` and says what to do with it. */
  finish(ticket: number, now: number, outcome: ReplyOutcome): ReplyVerdict {
    if (!this.inFlight || this.inFlight.ticket !== ticket) return 'cancelled';
    const age = now - this.inFlight.sentAt;
    this.inFlight = null;
    if (outcome === 'ok') {
      this.backoffMs = 0;
      this.latency = this.latency === null ? age : 0.8 * this.latency + 0.2 * age;
    } else {
      this.backoffMs = Math.min(this.options.maxBackoffMs, Math.max(250, this.backoffMs * 2));
    }
    if (age > this.options.staleAfterMs) {
      this.dropped++;
      return 'stale';
    }
    return 'fresh';
  }

  /** Forgets the frame in flight (its reply will be 'cancelled') and any back-off. */
  reset(): void {
    this.inFlight = null;
    this.backoffMs = 0;
    this.lastSentAt = Number.NEGATIVE_INFINITY;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Smoothed round-trip time in ms (null before the first reply). */
  get latencyMs(): number | null {
    return this.latency;
  }

  /** Frames whose replies came too late to draw, or never came. */
  get droppedFrames(): number {
    return this.dropped;
  }

  get currentBackoffMs(): number {
    return this.backoffMs;
  }
}
